// Command gendocs writes pcpctl's shell completions into completions/ and
// its man pages (pcpctl, every subcommand, every pcp_* tool) into man/.
// Run it from the repository root after changing a command:
//
//	go run ./cmd/gendocs
//
// The test in this package fails when the committed files are stale.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/completion"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/root"
)

// Date is the fixed date on every man page, so that regenerating without
// a change changes nothing.
var Date = time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := generate(dir); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}

// CompletionFiles maps each shell to its file under completions/, the
// names the Makefile installs.
var CompletionFiles = map[string]string{"bash": "pcpctl.bash", "zsh": "_pcpctl", "fish": "pcpctl.fish"}

func newRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	cmd := root.NewCmdRoot(ios)
	cmd.DisableAutoGenTag = true
	return cmd
}

func generate(dir string) error {
	compDir, manDir := filepath.Join(dir, "completions"), filepath.Join(dir, "man")
	for _, d := range []string{compDir, manDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	for shell, name := range CompletionFiles {
		var b bytes.Buffer
		if err := completion.Generate(newRoot(), shell, &b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(compDir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	hdr := &doc.GenManHeader{Title: "PCPCTL", Section: "1", Date: &Date, Source: "pcpctl", Manual: "pcpctl manual"}
	if err := doc.GenManTree(newRoot(), hdr, manDir); err != nil {
		return err
	}
	for _, name := range compat.Names() {
		if err := os.WriteFile(filepath.Join(manDir, name+".1"), toolPage(name), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// roffEscape makes text safe in a no-fill block.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// toolPage is the man page of one pcp_* drop-in.
func toolPage(name string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, ".TH %q \"1\" %q \"pcpctl\" \"pcpctl manual\"\n", strings.ToUpper(name), Date.Format("Jan 2006"))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", strings.ReplaceAll(name, "_", `\_`), compat.Description(name))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.nf\n")
	var u bytes.Buffer
	compat.Usage(&u, name)
	b.WriteString(roffEscape(u.String()))
	b.WriteString(".fi\n")
	fmt.Fprintf(&b, ".SH DESCRIPTION\n.PP\n")
	fmt.Fprintf(&b, "%s is pcpctl invoked under the name of pgpool-II's own tool (through a symlink, or as\n\\fBpcpctl %s\\fR), and behaves byte for byte like the tool of pgpool-II %s (by default; see \\fBPCPCTL_COMPAT\\fR for 4.6.1 and 4.7.2):\nthe same options, output, messages and exit status.\n", name, name, compat.Version)
	b.WriteString(".PP\nWhat it prints for a reply follows the release that sent it: process info shows 16, 17 (4.5+: load balance node) or 20 (4.7: client host, port, statement) fields, as that release's tool does. Its own behaviour (\\fB-V\\fR, when it prompts for a password, where \\fI.pcppass\\fR warnings go, the wording of a lookup failure) follows \\fBPCPCTL_COMPAT\\fR.\n")
	b.WriteString(".PP\nThe password comes from the file named by \\fBPCPPASSFILE\\fR, else \\fI~/.pcppass\\fR (lines host:port:user:password), else a prompt; \\fB-w\\fR never prompts, except under \\fBPCPCTL_COMPAT=4.7\\fR, as 4.7's tools do.\n")
	b.WriteString(".SH LEGACY FORM\n.PP\n")
	b.WriteString("The positional form of the pgpool-II 3.0\\(en3.4 tools is recognised too: five or more arguments that are not options, the third (port) an integer (a timeout that is not a number is refused as an invalid argument, never read as the 4.x form, which would echo the password in a warning). It behaves as the 3.x tool did, with its output formats, against any server from 3.0 to 4.7, except that the timeout is a deadline in seconds for the whole command (0: none given), an empty host name is refused rather than meaning the local socket, and errors (an unknown option, a refused detach) never exit 0. The password is the argument given, never prompted for or read from a file. \\fB-h\\fR/\\fB--help\\fR is help in this form, \\fB-d\\fR traces to stderr.\n.PP\n.nf\n")
	var lu bytes.Buffer
	compat.LegacyUsage(&lu, name)
	b.WriteString(roffEscape(lu.String()))
	b.WriteString(".fi\n")
	b.WriteString(".SH ENVIRONMENT\n.TP\n\\fBPCPPASSFILE\\fR\npassword file to use instead of ~/.pcppass\n")
	b.WriteString(".TP\n\\fBPCPCTL_COMPAT\\fR\nthe pgpool-II release whose client behaviour to follow: \\fB4.3\\fR (the default: -V says 4.3.5, a password is prompted for unless \\fB-w\\fR), \\fB4.6\\fR (-V says 4.6.1; \\fI.pcppass\\fR is read first and a prompt comes only with \\fB-W\\fR), or \\fB4.7\\fR (-V says 4.7.2; as 4.6, but once connected it prompts when \\fI.pcppass\\fR gives no password, even with \\fB-w\\fR, prints \\fI.pcppass\\fR permission warnings on stderr every time, and words an unknown host as \\fBgetaddrinfo failed\\fR). Any other value is refused with exit status 1.\n")
	b.WriteString(".SH RELEASES\n.PP\nEvery reply is read by its shape, whatever the release; \\fBPCPCTL_COMPAT\\fR only picks whose client behaviour to follow.\n")
	for _, n := range compat.Support {
		fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s\n", n.Releases, n.Note)
	}
	b.WriteString(".SH EXIT STATUS\n.PP\nAs the stock tool: 0 on success and also after most errors reported by pgpool; 1 for usage errors and connection or authentication failures.\n.PP\nIn the legacy form, the 3.x codes; the name is printed on stdout:\n.PP\n.nf\n")
	for _, e := range compat.LegacyExitCodes() {
		fmt.Fprintf(&b, "%3d  %-21s %s\n", e.Code, e.Name, e.Meaning)
	}
	b.WriteString(".fi\n.PP\nThe modern \\fBpcpctl\\fR(1) commands have distinct codes:\n.PP\n.nf\n")
	for _, e := range exitcode.Table {
		fmt.Fprintf(&b, "%3d  %s\n", e.Code, e.Meaning)
	}
	b.WriteString(".fi\n.SH SEE ALSO\n\\fBpcpctl\\fR(1), \\fBpcpctl\\-node\\fR(1), \\fBpcpctl\\-watchdog\\fR(1)\n")
	return b.Bytes()
}

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
	fmt.Fprintf(&b, "%s is pcpctl invoked under the name of pgpool-II's own tool (through a symlink, or as\n\\fBpcpctl %s\\fR), and behaves byte for byte like the tool of pgpool-II %s:\nthe same options, output, messages and exit status.\n", name, name, compat.Version)
	b.WriteString(".PP\nThe password comes from the file named by \\fBPCPPASSFILE\\fR, else \\fI~/.pcppass\\fR (lines host:port:user:password), else a prompt; \\fB-w\\fR never prompts.\n")
	b.WriteString(".SH ENVIRONMENT\n.TP\n\\fBPCPPASSFILE\\fR\npassword file to use instead of ~/.pcppass\n")
	b.WriteString(".SH EXIT STATUS\n.PP\nAs the stock tool: 0 on success and also after most errors reported by pgpool; 1 for usage errors and connection or authentication failures.\nThe modern \\fBpcpctl\\fR(1) commands have distinct codes:\n.PP\n.nf\n")
	for _, e := range exitcode.Table {
		fmt.Fprintf(&b, "%3d  %s\n", e.Code, e.Meaning)
	}
	b.WriteString(".fi\n.SH SEE ALSO\n\\fBpcpctl\\fR(1), \\fBpcpctl\\-node\\fR(1), \\fBpcpctl\\-watchdog\\fR(1)\n")
	return b.Bytes()
}

// Package faults runs the built pcpctl binary, in each of its command-line
// forms, against every misbehaving server of pcptest.Faults: stalls, drips,
// truncation, absurd lengths, unknown kinds, floods of notices, refusals. For
// each it checks what a cron job relies on: the process ends within its
// deadline plus one second, prints one clear error (no panic, no stack), exits
// with the documented code and stays under 50 MB of memory. It needs no real
// pgpool, so it runs in every `make test`, cluster or not.
package faults

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

const (
	user     = "pcpadmin"
	password = "Fault-Pw-7731"
	// deadline is the command's own limit: PCPCTL_TIMEOUT=1 (pcp_* form),
	// --timeout 1s (pcpctl), a timeout of 1 (3.x positional form).
	deadline = time.Second
	// maxRSS is the memory ceiling whatever the server claims.
	maxRSS = 50 << 20
)

var binDir string

func TestMain(m *testing.M) {
	// The cases mostly wait on a stalled server for their one-second
	// deadline; running four at a time keeps the package at a few seconds
	// on two cores without starving the cases that do work (10 000
	// notices), which failed their deadline at eight under load. An
	// explicit -parallel wins.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", "4")
	}
	dir, err := os.MkdirTemp("", "pcpctl-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := 1
	if err := build(dir); err != nil {
		fmt.Fprintf(os.Stderr, "building pcpctl: %v\n", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func build(dir string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, "pcpctl"), "../../cmd/pcpctl")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	for _, name := range compat.Names() {
		if err := os.Symlink("pcpctl", filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// form is one way of invoking the same command.
type form struct {
	name string
	argv func(port int, watchdog bool) []string
}

var forms = []form{
	{"pcp_*", func(port int, wd bool) []string {
		conn := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", user, "-w"}
		if wd {
			return append([]string{"pcp_watchdog_info"}, conn...)
		}
		return append(append([]string{"pcp_node_info"}, conn...), "-n", "0")
	}},
	{"pcpctl", func(port int, wd bool) []string {
		conn := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", user, "-w", "--timeout", "1s"}
		if wd {
			return append([]string{"pcpctl", "watchdog", "status"}, conn...)
		}
		return append([]string{"pcpctl", "node", "info", "0"}, conn...)
	}},
	{"3.x", func(port int, wd bool) []string {
		if wd {
			return []string{"pcp_watchdog_info", "1", "127.0.0.1", strconv.Itoa(port), user, password}
		}
		return []string{"pcp_node_info", "1", "127.0.0.1", strconv.Itoa(port), user, password, "0"}
	}},
}

// want is the documented outcome of one fault in one form: the exit code
// and the one error line (stderr for pcp_* and pcpctl, the 3.x error name
// on stdout for the positional form).
type want struct {
	code int
	msg  string // regexp; "" means success
}

// silent is a success that prints nothing, as the 3.x action tools did.
const silent = "(silent)"

// The pcp_* form exits as the stock 3.5+ tools do: 1 when connecting or
// authenticating fails, 0 after authentication whatever happens (README,
// "Exit codes of the 3.5+ form"). pcpctl uses its table (3 connection or
// timeout, 4 authentication, 5 server error, 6 bad reply). The 3.x form
// exits with the 3.x error code and prints its name.
var expected = map[string]map[string]want{
	"no-salt": {
		"pcp_*":  {1, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"drip-salt": {
		"pcp_*":  {1, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"short-salt": {
		"pcp_*":  {1, `^command failed\. invalid response$`},
		"pcpctl": {6, `^pcpctl: pgpool sent an invalid response: malformed PCP 'm' packet: salt has 2 bytes, want 4$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"fatal-on-auth": {
		"pcp_*":  {1, `^FATAL:  authentication failed for user "pcpadmin"\nDETAIL:  username and/or password does not match$`},
		"pcpctl": {4, `^pcpctl: FATAL: authentication failed for user "pcpadmin" \(username and/or password does not match\)$`},
		"3.x":    {13, `^AuthorizationError$`},
	},
	"stall-mid-reply": {
		"pcp_*":  {0, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"stall-mid-packet": {
		"pcp_*":  {0, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"drip-reply": {
		"pcp_*":  {0, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"truncated-packet": {
		"pcp_*":  {0, `^ERROR: unable to read data from socket\.$`},
		"pcpctl": {3, `^pcpctl: lost the connection to pgpool while reading its reply: (unexpected )?EOF$`},
		"3.x":    {2, `^EOFError$`},
	},
	"length-0": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet length 0 for kind 'i'$`},
		"pcpctl": {6, `^pcpctl: invalid PCP packet length 0 for kind 'i'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"length-3": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet length 3 for kind 'i'$`},
		"pcpctl": {6, `^pcpctl: invalid PCP packet length 3 for kind 'i'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"length-2^31-1": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet length 2147483647 for kind 'i'$`},
		"pcpctl": {6, `^pcpctl: invalid PCP packet length 2147483647 for kind 'i'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"length-over-cap": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet length 1048577 for kind 'i'$`},
		"pcpctl": {6, `^pcpctl: invalid PCP packet length 1048577 for kind 'i'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"unknown-kind": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet type ="Q"$`},
		"pcpctl": {6, `^pcpctl: pgpool sent a packet of unknown type 'Q'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"error-without-fields": {
		"pcp_*":  {0, `^Unknown Error$`},
		"pcpctl": {5, `^pcpctl: pgpool sent an error packet with neither severity nor message$`},
		"3.x":    {12, `^BackendError$`},
	},
	"10000-notices": {
		"pcp_*":  {0, ""},
		"pcpctl": {0, ""},
		"3.x":    {0, ""},
	},
	"1MiB-of-empty-strings": {
		"pcp_*":  {0, `^command failed\. invalid response$`},
		"pcpctl": {6, `^pcpctl: pgpool sent an invalid response: malformed PCP 'i' packet: .*$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"error-with-500000-fields": {
		"pcp_*":  {0, `^command failed\. invalid response$`},
		"pcpctl": {6, `^pcpctl: pgpool sent an invalid response: malformed PCP 'E' packet: .*$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"close-after-auth": {
		"pcp_*":  {0, `^ERROR: unable to read data from socket\.$`},
		"pcpctl": {3, `^pcpctl: lost the connection to pgpool while reading its reply: (unexpected )?EOF$`},
		"3.x":    {2, `^EOFError$`},
	},
	"array-size-10^9": {
		"pcp_*":  {0, `^command failed\. invalid response$`},
		"pcpctl": {6, `^pcpctl: pgpool sent an invalid response: pgpool announced 1000000000 records and sent 1$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"watchdog-not-json": {
		"pcp_*":  {0, `^command failed\. invalid response$`},
		"pcpctl": {6, `^pcpctl: pgpool sent an invalid response: malformed PCP 'w' packet: watchdog data is not valid JSON: invalid character 'o' looking for beginning of object key string$`},
		"3.x":    {1, `^UnknownError$`},
	},
}

// outcome is what one run did.
type outcome struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	maxRSS         int64 // bytes
}

// gnuTime measures the peak RSS of the command itself. The rusage Go gets
// from wait4 will not do: os/exec starts children with vfork semantics, and
// Linux folds the parent's peak into the child's ru_maxrss at exec, so every
// child of a big (-race) test binary would look big. GNU time forks a small
// process of its own and reports its child's figure.
const gnuTime = "/usr/bin/time"

func run(t *testing.T, argv []string, env []string) outcome {
	t.Helper()
	if _, err := os.Stat(gnuTime); err != nil {
		t.Fatalf("%s is needed to measure memory: scripts/cluster.sh install installs it (Debian package time)", gnuTime)
	}
	rssFile := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(gnuTime, append([]string{"-f", "%M", "-o", rssFile, filepath.Join(binDir, argv[0])}, argv[1:]...)...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	// A hang must fail the test, not the whole suite.
	cmd.WaitDelay = time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(30*time.Second, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	out := outcome{stdout: o.String(), stderr: e.String(), elapsed: time.Since(start)}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%v: %v", argv, err)
		}
		out.code = ee.ExitCode()
	}
	// GNU time writes "Command exited with non-zero status N" first when
	// there is one; the figure (KiB) is the last line.
	raw, err := os.ReadFile(rssFile)
	lines := strings.Fields(strings.TrimSpace(string(raw)))
	if err != nil || len(lines) == 0 {
		t.Fatalf("%v: no memory figure from %s: %v %q", argv, gnuTime, err, raw)
	}
	kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		t.Fatalf("%v: memory figure %q: %v", argv, raw, err)
	}
	out.maxRSS = kib << 10
	return out
}

// environment has only what the command needs: the password file for the
// pcp_* and pcpctl forms, and the pcp_* deadline.
func environment(t *testing.T, port int) []string {
	home := t.TempDir()
	pass := filepath.Join(home, ".pcppass")
	line := fmt.Sprintf("127.0.0.1:%d:%s:%s\n", port, user, password)
	if err := os.WriteFile(pass, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C", "PCPPASSFILE=" + pass, "PCPCTL_TIMEOUT=1"}
}

func TestFaultMatrix(t *testing.T) {
	faults := pcptest.Faults(user, password)
	cases := 0
	for _, f := range faults {
		if _, ok := expected[f.Name]; !ok {
			t.Errorf("fault %s has no expected outcomes", f.Name)
		}
		// The pcp_* rule, stated once: 1 before authentication is
		// through, 0 after it (unless the command succeeded anyway).
		if w := expected[f.Name]["pcp_*"]; w.msg != "" && w.code != map[pcptest.Phase]int{pcptest.DuringAuth: 1, pcptest.AfterAuth: 0}[f.Phase] {
			t.Errorf("fault %s: pcp_* exit %d contradicts the stock rule for its phase", f.Name, w.code)
		}
		for _, fm := range forms {
			f, fm := f, fm
			cases++
			t.Run(f.Name+"/"+fm.name, func(t *testing.T) {
				t.Parallel()
				w, ok := expected[f.Name][fm.name]
				if !ok {
					t.Fatalf("no expected outcome")
				}
				srv := pcptest.NewServer(t, f.Serve)
				argv := fm.argv(srv.Port, f.Watchdog)
				got := run(t, argv, environment(t, srv.Port))
				report := fmt.Sprintf("%s\nexit %d after %s, max RSS %d KiB\n--- stdout\n%s--- stderr\n%s",
					strings.Join(argv, " "), got.code, got.elapsed.Round(time.Millisecond), got.maxRSS>>10, got.stdout, got.stderr)
				check(t, fm.name, w, got, report)
				pcptest.NoLeak(t, f.Name+"/"+fm.name, user, password, got.stdout, got.stderr)
			})
		}
	}
	if cases < 40 {
		t.Errorf("only %d fault cases", cases)
	}
}

func check(t *testing.T, formName string, w want, got outcome, report string) {
	t.Helper()
	if got.elapsed > deadline+time.Second {
		t.Errorf("took %s, deadline %s plus one second\n%s", got.elapsed, deadline, report)
	}
	if got.maxRSS > maxRSS {
		t.Errorf("max RSS %d MiB, limit %d MiB\n%s", got.maxRSS>>20, maxRSS>>20, report)
	}
	if got.code != w.code {
		t.Errorf("exit %d, want %d\n%s", got.code, w.code, report)
	}
	for _, s := range []string{got.stdout, got.stderr} {
		if strings.Contains(s, "panic") || strings.Contains(s, "goroutine ") {
			t.Errorf("crashed\n%s", report)
		}
	}
	if w.msg == silent {
		if got.stdout != "" || got.stderr != "" {
			t.Errorf("want no output at all\n%s", report)
		}
		return
	}
	if w.msg == "" {
		// Success: the record of node 0, and nothing on stderr.
		if got.stderr != "" || !strings.Contains(got.stdout, "127.0.0.1") {
			t.Errorf("want node 0 on stdout and a quiet stderr\n%s", report)
		}
		return
	}
	// One error: the 3.x form names it on stdout and is silent on stderr;
	// the others print nothing on stdout and one message on stderr (libpcp
	// ends a server's message with a blank line, and may add its DETAIL).
	msg, other := got.stderr, got.stdout
	if formName == "3.x" {
		msg, other = got.stdout, got.stderr
	}
	if other != "" {
		t.Errorf("output on the wrong stream\n%s", report)
	}
	msg = strings.TrimRight(msg, "\n")
	lines := strings.Split(msg, "\n")
	if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "DETAIL:  ")) {
		t.Errorf("more than one error\n%s", report)
	}
	if !regexp.MustCompile(w.msg).MatchString(msg) {
		t.Errorf("error does not match %s\n%s", w.msg, report)
	}
}

// sweepFaults are the faults that do not depend on which command was asked:
// every command's reply goes through the same reader and deadline.
var sweepFaults = map[string]map[string]want{
	"stall-mid-packet": {
		"pcp_*":  {0, `^ERROR: timed out waiting for pgpool's reply$`},
		"pcpctl": {3, `^pcpctl: timed out waiting for pgpool's reply$`},
		"3.x":    {6, `^TimeoutError$`},
	},
	"close-after-auth": {
		"pcp_*":  {0, `^ERROR: unable to read data from socket\.$`},
		"pcpctl": {3, `^pcpctl: lost the connection to pgpool while reading its reply: (unexpected )?EOF$`},
		"3.x":    {2, `^EOFError$`},
	},
	"length-2^31-1": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet length 2147483647 for kind 'i'$`},
		"pcpctl": {6, `^pcpctl: invalid PCP packet length 2147483647 for kind 'i'$`},
		"3.x":    {1, `^UnknownError$`},
	},
	"unknown-kind": {
		"pcp_*":  {0, `^ERROR: invalid PCP packet type ="Q"$`},
		"pcpctl": {6, `^pcpctl: pgpool sent a packet of unknown type 'Q'$`},
		"3.x":    {1, `^UnknownError$`},
	},
}

// sweepCommand is one command in one form; port is the fake server's.
type sweepCommand struct {
	form string
	argv func(port string) []string
	// override replaces the expected outcome for some faults.
	override map[string]want
}

func sweepCommands() []sweepCommand {
	var out []sweepCommand
	conn := func(port string) []string { return []string{"-h", "127.0.0.1", "-p", port, "-U", user, "-w"} }
	for _, c := range [][]string{
		{"pcp_node_count"}, {"pcp_node_info", "-n", "0"}, {"pcp_attach_node", "-n", "1"},
		{"pcp_detach_node", "-n", "1"}, {"pcp_recovery_node", "-n", "1"}, {"pcp_promote_node", "-n", "1"},
		{"pcp_stop_pgpool", "-m", "fast"}, {"pcp_reload_config"}, {"pcp_watchdog_info"}, {"pcp_proc_count"},
		{"pcp_proc_info"}, {"pcp_pool_status"}, {"pcp_health_check_stats", "-n", "0"},
	} {
		c := c
		out = append(out, sweepCommand{form: "pcp_*", argv: func(port string) []string {
			return append(append([]string{c[0]}, conn(port)...), c[1:]...)
		}})
	}
	for _, c := range [][]string{
		{"node", "list"}, {"node", "info", "0"}, {"node", "count"}, {"node", "attach", "1"},
		{"node", "detach", "1", "--force"}, {"node", "recover", "1"}, {"node", "promote", "1", "--force"},
		{"watchdog", "status"}, {"process", "list"}, {"process", "info", "1"}, {"pool", "config"},
		{"node", "health"}, {"node", "health", "1"}, {"pgpool", "reload"}, {"pgpool", "stop", "--force"},
	} {
		c := c
		out = append(out, sweepCommand{form: "pcpctl", argv: func(port string) []string {
			return append(append([]string{"pcpctl"}, c...), append(conn(port), "--timeout", "1s")...)
		}})
	}
	for _, c := range [][]string{
		{"pcp_node_count"}, {"pcp_node_info", "0"}, {"pcp_attach_node", "1"}, {"pcp_detach_node", "1"},
		{"pcp_recovery_node", "1"}, {"pcp_promote_node", "1"},
		{"pcp_watchdog_info"}, {"pcp_proc_count"}, {"pcp_proc_info"}, {"pcp_pool_status"},
		{"pcp_health_check_stats", "0"}, {"pcp_reload_config"},
	} {
		c := c
		out = append(out, sweepCommand{form: "3.x", argv: func(port string) []string {
			return append([]string{c[0], "1", "127.0.0.1", port, user, password}, c[1:]...)
		}})
	}
	// pgpool 3.x stopped without a reply and closed the connection, so
	// the 3.x tool took the close for success.
	out = append(out, sweepCommand{form: "3.x", argv: func(port string) []string {
		return []string{"pcp_stop_pgpool", "1", "127.0.0.1", port, user, password, "f"}
	}, override: map[string]want{"close-after-auth": {0, silent}}})
	return out
}

// TestFaultSweep runs every command of every form against the faults that
// any reply can meet, so no command has a path around the deadline or the
// error handling.
func TestFaultSweep(t *testing.T) {
	faults := map[string]pcptest.Fault{}
	for _, f := range pcptest.Faults(user, password) {
		faults[f.Name] = f
	}
	cases := 0
	for name, wants := range sweepFaults {
		f, ok := faults[name]
		if !ok {
			t.Fatalf("no fault %s", name)
		}
		for _, c := range sweepCommands() {
			name, f, c, w := name, f, c, wants[c.form]
			if o, ok := c.override[name]; ok {
				w = o
			}
			cases++
			t.Run(name+"/"+strings.Join(c.argv("PORT"), "_"), func(t *testing.T) {
				t.Parallel()
				srv := pcptest.NewServer(t, f.Serve)
				argv := c.argv(strconv.Itoa(srv.Port))
				got := run(t, argv, environment(t, srv.Port))
				report := fmt.Sprintf("%s\nexit %d after %s, max RSS %d KiB\n--- stdout\n%s--- stderr\n%s",
					strings.Join(argv, " "), got.code, got.elapsed.Round(time.Millisecond), got.maxRSS>>10, got.stdout, got.stderr)
				check(t, c.form, w, got, report)
				pcptest.NoLeak(t, name, user, password, got.stdout, got.stderr)
			})
		}
	}
	t.Logf("%d cases", cases)
}

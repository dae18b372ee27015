package root

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// pcpctl runs a whole command line against srv, with a password file for
// pcpadmin/pw, and returns exit code, stdout and stderr.
func pcpctl(t *testing.T, srv *pcptest.Server, args ...string) (int, string, string) {
	t.Helper()
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	cmd := NewCmdRootWith(f)
	if srv != nil {
		args = append([]string{"-h", srv.Host, "-p", strconv.Itoa(srv.Port), "-U", "pcpadmin"}, args...)
	}
	cmd.SetArgs(JoinOptionalValues(cmd, args))
	code := run(cmd, f.IOStreams)
	return code, st.Out.String(), st.ErrOut.String()
}

func server(t *testing.T) (*pcptest.Server, *pcptest.Pgpool) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
	return pcptest.NewServer(t, p.Serve), p
}

func TestBadInputSendsNothing(t *testing.T) {
	srv, p := server(t)
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"node", "detach", "x"}, `pcpctl: invalid node id "x": want an integer 0-127` + "\n"},
		{[]string{"node", "detach", "200"}, `pcpctl: invalid node id "200": want an integer 0-127` + "\n"},
		{[]string{"node", "detach"}, "pcpctl: pcpctl node detach needs exactly one node id, got 0 arguments\n"},
		{[]string{"node", "list", "-o", "xml"}, `pcpctl: invalid output format "xml": want one of table, plain, json, yaml, csv, tsv` + "\n"},
		{[]string{"node", "recover", "1", "--force"}, "pcpctl: --force is only for detach, promote and attach; recover is not destructive\n"},
		{[]string{"node", "list", "--force"}, "pcpctl: unknown flag: --force\n"},
		{[]string{"node", "list", "--watch=soon"}, `pcpctl: invalid --watch interval "soon": want a duration such as 2s` + "\n"},
		{[]string{"node", "list", "--watch", "--check"}, "pcpctl: --check and --watch cannot be combined: --check gives one exit code, --watch runs until interrupted\n"},
		{[]string{"node", "list", "--sql=db:x"}, `pcpctl: invalid --sql "db:x": want PORT or HOST:PORT` + "\n"},
		{[]string{"node", "list", "--timeout", "soon"}, `pcpctl: invalid --timeout "soon": want a duration such as 10s or 2m` + "\n"},
		{[]string{"node", "list", "-p", "99999"}, `pcpctl: invalid --port "99999": want a port number 1-65535` + "\n"},
		{[]string{"node", "bogus"}, ""},
		{[]string{"status-codes", "-o", "csv"}, `pcpctl: invalid output format "csv": want plain, json or yaml` + "\n"},
		{[]string{"process", "info", "0"}, `pcpctl: invalid process id "0": want a positive number (pcpctl process list shows them)` + "\n"},
		{[]string{"process", "info"}, "pcpctl: accepts 1 arg(s), received 0\n"},
		{[]string{"process", "list", "extra"}, ""},
		{[]string{"node", "health", "1", "2"}, "pcpctl: pcpctl node health takes at most one node id, got 2 arguments\n"},
		{[]string{"node", "health", "-1"}, ""},
		{[]string{"pool", "config", "-o", "xml"}, ""},
		{[]string{"pgpool", "reload", "--scope", "everywhere"}, `pcpctl: invalid --scope "everywhere": want local or cluster` + "\n"},
		{[]string{"pgpool", "stop", "--mode", "slow", "--force"}, `pcpctl: invalid --mode "slow": want smart, fast or immediate` + "\n"},
		{[]string{"pgpool", "stop", "--scope", "all", "--force"}, `pcpctl: invalid --scope "all": want local or cluster` + "\n"},
		{[]string{"pgpool", "stop", "--dry-run", "--wait"}, "pcpctl: --dry-run and --wait contradict each other: a dry run stops nothing\n"},
	} {
		code, out, stderr := pcpctl(t, srv, c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, stderr)
		}
		if c.stderr != "" && stderr != c.stderr {
			t.Errorf("%v: stderr %q, want %q", c.args, stderr, c.stderr)
		}
		if strings.Count(stderr, "\n") > 1 {
			t.Errorf("%v: more than one line on stderr: %q", c.args, stderr)
		}
		_ = out
	}
	if srv.Received() != 0 {
		t.Errorf("server received %d bytes for bad input", srv.Received())
	}
	// Stopping pgpool without --force and without a terminal to confirm
	// on: refused before connecting.
	code, _, stderr := pcpctl(t, srv, "pgpool", "stop", "--mode", "immediate")
	if code != 2 || !strings.Contains(stderr, "refusing to stop pgpool at 127.0.0.1:") || srv.Received() != 0 {
		t.Errorf("stop without --force: %d %q, %d bytes sent", code, stderr, srv.Received())
	}
	// The primary is refused after reading the node list; no detach sent.
	code, _, stderr = pcpctl(t, srv, "node", "detach", "0")
	if code != 2 || !strings.Contains(stderr, "refusing to detach node 0") {
		t.Errorf("detach primary: %d %q", code, stderr)
	}
	if len(p.Log()) != 0 {
		t.Errorf("actions %v", p.Log())
	}
}

func TestCommands(t *testing.T) {
	srv, p := server(t)
	for _, c := range []struct {
		args         []string
		code         int
		out, errPart string
	}{
		{[]string{"node", "count"}, 0, "3\n", ""},
		{[]string{"node", "count", "-o", "json"}, 0, "{\n  \"node_count\": 3\n}\n", ""},
		{[]string{"node", "count", "-o", "csv"}, 0, "node_count\n3\n", ""},
		{[]string{"node", "info", "7"}, 2, "", "pcpctl: node 7 does not exist: pgpool has 3 nodes (0-2)\n"},
		{[]string{"watchdog", "status"}, 5, "", "pcpctl: PCP: informing watchdog info failed (watchdog is not enabled)\n"},
		{[]string{"node", "detach", "2", "--dry-run"}, 0, "would detach node 2 (127.0.0.1:15434, standby, up); dry run, nothing was sent\n", ""},
		{[]string{"node", "health", "7"}, 2, "", "pcpctl: node 7 does not exist: pgpool has 3 nodes (0-2)\n"},
		{[]string{"pool", "config", "-o", "json"}, 0, "[]\n", ""},
		{[]string{"process", "list", "-o", "csv"}, 0, "pid,process_start_time,status,client_connection_count,database,username,client_connection_time,client_idle_duration,backend_pids\n", ""},
	} {
		code, out, stderr := pcpctl(t, srv, c.args...)
		if code != c.code || out != c.out || stderr != c.errPart {
			t.Errorf("%v: exit %d stdout %q stderr %q; want %d %q %q", c.args, code, out, stderr, c.code, c.out, c.errPart)
		}
	}
	code, out, _ := pcpctl(t, srv, "node", "info", "1", "-o", "yaml")
	if code != 0 || !strings.HasPrefix(out, "node_id: 1\nhostname: 127.0.0.1\nport: 15433\nstatus: up\n") {
		t.Errorf("info yaml: %d %q", code, out)
	}
	if len(p.Log()) != 0 {
		t.Errorf("actions %v", p.Log())
	}
}

func TestAuthFailureExit4(t *testing.T) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "other", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
	srv := pcptest.NewServer(t, p.Serve)
	code, _, stderr := pcpctl(t, srv, "node", "list")
	if code != 4 || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "pw") {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
}

func TestHelpVersionCompletion(t *testing.T) {
	code, out, _ := pcpctl(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "Exit codes:\n   0  success\n") || !strings.Contains(out, "  25  cluster unhealthy") {
		t.Errorf("help: %d %q", code, out)
	}
	code, out, _ = pcpctl(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "pcpctl ") || !strings.Contains(out, "pgpool-II 4.3.5") {
		t.Errorf("version: %d %q", code, out)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, _ = pcpctl(t, nil, "completion", sh)
		if code != 0 || !strings.Contains(out, "pcpctl") || len(out) < 1000 {
			t.Errorf("completion %s: %d, %d bytes", sh, code, len(out))
		}
	}
	if code, _, _ := pcpctl(t, nil, "completion", "tcsh"); code != 2 {
		t.Errorf("completion tcsh: %d", code)
	}
}

func TestNodeIDCompletionFromServer(t *testing.T) {
	srv, _ := server(t)
	code, out, _ := pcpctl(t, srv, "__complete", "node", "detach", "")
	want := "0\t127.0.0.1:15432 up, primary\n1\t127.0.0.1:15433 up, standby\n2\t127.0.0.1:15434 up, standby\n:4\n"
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("complete: %d %q", code, out)
	}
	// Unreachable: no candidates, no error.
	code, out, _ = pcpctl(t, nil, "__complete", "-h", "127.0.0.1", "-p", "1", "node", "info", "")
	if code != 0 || !strings.HasPrefix(out, ":4\n") {
		t.Errorf("complete unreachable: %d %q", code, out)
	}
}

// A flag with an optional value takes it as the next word too, where that
// word could not be an argument; elsewhere nothing changes.
func TestJoinOptionalValues(t *testing.T) {
	f, _ := factorytest.New(t, nil, "", "", nil)
	root := NewCmdRootWith(f)
	for _, c := range []struct{ in, want string }{
		{"node list --sql 127.0.0.1:9999 -o plain", "node list --sql=127.0.0.1:9999 -o plain"},
		{"node list --sql 9999 --watch 5s", "node list --sql=9999 --watch=5s"},
		{"node list --watch --sql", "node list --watch --sql"},
		{"node list --sql --check-backends", "node list --sql --check-backends"},
		{"node list --check-backends x", "node list --check-backends x"},
		{"cluster status --watch 1s", "cluster status --watch=1s"},
		{"node list --sql=9999 x", "node list --sql=9999 x"},
		{"node list -- --sql 1", "node list -- --sql 1"},
		{"node info --sql 1", "node info --sql 1"},
		{"node detach 1 --force", "node detach 1 --force"},
	} {
		got := strings.Join(JoinOptionalValues(root, strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("%q -> %q, want %q", c.in, got, c.want)
		}
	}
}

// End to end: the host and port of --sql given as the next word reach
// pgpool's SQL port rather than being refused as a command.
func TestSQLValueAsNextWord(t *testing.T) {
	srv, _ := server(t)
	code, _, stderr := pcpctl(t, srv, "node", "list", "--sql", "127.0.0.1:1", "-o", "plain")
	if code != 0 || !strings.Contains(stderr, "127.0.0.1:1") || strings.Contains(stderr, "unknown command") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

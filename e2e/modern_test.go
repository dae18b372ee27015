package e2e

// End-to-end tests of the modern "pcpctl <noun> <verb>" interface against
// the live cluster (scripts/cluster.sh). They leave the cluster as found.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/e2e/testenv"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// modern runs pcpctl with the cluster's connection flags (-w: the password
// comes from PCPPASSFILE).
func modern(t *testing.T, args ...string) result {
	t.Helper()
	conn := []string{"-h", env(t, "PCP_HOST"), "-p", env(t, "PCP_PORT"), "-U", env(t, "PCP_USER"), "-w"}
	return run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append(conn, args...)})
}

type node struct {
	NodeID     int    `json:"node_id"`
	Hostname   string `json:"hostname"`
	Port       int    `json:"port"`
	Status     string `json:"status"`
	StatusCode int    `json:"status_code"`
	PgStatus   string `json:"pg_status"`
	Role       string `json:"role"`
	PgRole     string `json:"pg_role"`
	LastChange string `json:"last_status_change"`
	// ReplicationState is "streaming" for a healthy standby.
	ReplicationState string `json:"replication_state"`
	// --sql and --check-backends
	SelectCnt  *int64 `json:"select_cnt"`
	Reachable  *bool  `json:"backend_reachable"`
	InRecovery *bool  `json:"backend_in_recovery"`
	Lag        *int64 `json:"backend_replay_lag_bytes"`
}

func nodes(t *testing.T, extra ...string) []node {
	t.Helper()
	r := modern(t, append([]string{"node", "list", "-o", "json"}, extra...)...)
	if r.Code != 0 {
		t.Fatalf("node list: %s", r)
	}
	var ns []node
	if err := json.Unmarshal([]byte(r.Stdout), &ns); err != nil {
		t.Fatalf("node list json: %v\n%s", err, r)
	}
	return ns
}

// standby picks the highest-numbered up standby (node 2 on a fresh cluster).
func standby(t *testing.T) int {
	ns := nodes(t)
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Role == "standby" && (ns[i].Status == "up" || ns[i].Status == "waiting") {
			return ns[i].NodeID
		}
	}
	t.Fatalf("no up standby: %+v", ns)
	return -1
}

func TestModernNodeList(t *testing.T) {
	needCluster(t)
	ns := nodes(t)
	ports := strings.Fields(env(t, "PG_PORTS"))
	if len(ns) != len(ports) {
		t.Fatalf("%d nodes, want %d", len(ns), len(ports))
	}
	primaries := 0
	for i, n := range ns {
		if n.NodeID != i || fmt.Sprint(n.Port) != ports[i] || n.Hostname != env(t, "PCP_HOST") {
			t.Errorf("node %d: %+v", i, n)
		}
		if _, err := time.Parse(time.RFC3339, n.LastChange); err != nil {
			t.Errorf("last_status_change %q is not ISO-8601: %v", n.LastChange, err)
		}
		// main: the first node outside streaming replication.
		if n.Role == "primary" || n.Role == "main" {
			primaries++
		}
	}
	if primaries != 1 {
		t.Errorf("%d primaries: %+v", primaries, ns)
	}
	// Plain (the piped default): one tab-separated line per node.
	r := modern(t, "node", "list")
	if r.Code != 0 || strings.Count(r.Stdout, "\n") != len(ns) || !strings.HasPrefix(r.Stdout, "0\t"+env(t, "PCP_HOST")+"\t"+ports[0]+"\t") {
		t.Errorf("plain: %s", r)
	}
	for _, f := range []string{"csv", "tsv", "yaml", "table"} {
		r := modern(t, "node", "list", "-o", f)
		if r.Code != 0 || !strings.Contains(r.Stdout, ports[2]) {
			t.Errorf("-o %s: %s", f, r)
		}
	}
	if r := modern(t, "node", "list", "--check"); r.Code != 0 {
		t.Errorf("--check on a healthy cluster: %s", r)
	}
}

func TestModernNodeInfoCount(t *testing.T) {
	needCluster(t)
	if r := modern(t, "node", "count"); r.Code != 0 || r.Stdout != fmt.Sprintf("%d\n", len(strings.Fields(env(t, "PG_PORTS")))) {
		t.Errorf("count: %s", r)
	}
	r := modern(t, "node", "info", "1", "-o", "json")
	var n node
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &n) != nil || n.NodeID != 1 {
		t.Errorf("info 1: %s", r)
	}
	if r := modern(t, "node", "info", "9"); r.Code != 2 || !strings.Contains(r.Stderr, "node 9 does not exist") {
		t.Errorf("info 9: %s", r)
	}
}

func TestModernEnrichment(t *testing.T) {
	needCluster(t)
	ns := nodes(t, "--sql="+env(t, "PGPOOL_PORT"), "--sql-user=postgres", "--check-backends")
	for _, n := range ns {
		if n.SelectCnt == nil || n.Reachable == nil || !*n.Reachable || n.InRecovery == nil {
			t.Fatalf("node %d not enriched: %+v", n.NodeID, n)
		}
		if *n.InRecovery != (n.Role == "standby") {
			t.Errorf("node %d: role %s but in recovery %v", n.NodeID, n.Role, *n.InRecovery)
		}
		if n.Role == "standby" && n.Lag == nil {
			t.Errorf("node %d: no replay lag", n.NodeID)
		}
	}
	// A wrong SQL user makes every backend unreachable, not the table fail.
	r := modern(t, "node", "list", "-o", "json", "--check-backends", "--sql-user=no_such_role")
	if r.Code != 0 || strings.Count(r.Stderr, "backend unreachable") != len(ns) {
		t.Errorf("unreachable backends: %s", r)
	}
}

func TestModernWatchdogStatusCodesVersion(t *testing.T) {
	needCluster(t)
	// The single instance runs without watchdog: pgpool's error, exit 5.
	if r := modern(t, "watchdog", "status"); r.Code != 5 || r.Stderr != "pcpctl: PCP: informing watchdog info failed (watchdog is not enabled)\n" {
		t.Errorf("watchdog status: %s", r)
	}
	// The trio: watchdog_test.go.
	r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: []string{"status-codes"}})
	if r.Code != 0 || !strings.Contains(r.Stdout, "only 0-3 are ever sent by a real server") {
		t.Errorf("status-codes: %s", r)
	}
	r = run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: []string{"version"}})
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "pcpctl ") {
		t.Errorf("version: %s", r)
	}
	// Node ids completed from the server.
	r = modern(t, "__complete", "node", "detach", "")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "0\t"+env(t, "PCP_HOST")+":") || !strings.Contains(r.Stdout, "\n2\t") {
		t.Errorf("completion: %s", r)
	}
}

func TestModernDetachRefusedWithoutForce(t *testing.T) {
	needCluster(t)
	ns := nodes(t)
	primary := -1
	for _, n := range ns {
		if n.Role == "primary" {
			primary = n.NodeID
		}
	}
	r := modern(t, "node", "detach", fmt.Sprint(primary))
	if r.Code != 2 || !strings.Contains(r.Stderr, fmt.Sprintf("refusing to detach node %d", primary)) || r.Stdout != "" {
		t.Errorf("detach primary: %s", r)
	}
	if r := modern(t, "node", "detach", "1", "--dry-run"); r.Code != 0 || !strings.Contains(r.Stdout, "dry run, nothing was sent") {
		t.Errorf("dry run: %s", r)
	}
	// (attach takes --force: a node that may have missed writes, in
	// native replication and snapshot isolation mode.)
	if r := modern(t, "node", "recover", "1", "--force"); r.Code != 2 || !strings.Contains(r.Stderr, "--force is only for detach, promote and attach") {
		t.Errorf("recover --force: %s", r)
	}
	after := nodes(t)
	for i := range ns {
		if after[i].Status != ns[i].Status && !(ns[i].Status == "waiting" && after[i].Status == "up") {
			t.Errorf("node %d changed: %s → %s", i, ns[i].Status, after[i].Status)
		}
	}
}

func TestModernDetachAttachWait(t *testing.T) {
	needCluster(t)
	id := standby(t)
	t.Cleanup(func() {
		if ns := nodes(t); ns[id].Status == "down" {
			modern(t, "node", "attach", fmt.Sprint(id), "--wait", "--timeout", "60s")
		}
	})
	r := modern(t, "node", "detach", fmt.Sprint(id), "--wait", "--timeout", "60s")
	if r.Code != 0 || !strings.Contains(r.Stdout, fmt.Sprintf("node %d (", id)) || !strings.Contains(r.Stdout, "→ down, standby after ") {
		t.Fatalf("detach --wait: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "down" {
		t.Fatalf("after detach --wait node %d is %s", id, ns[id].Status)
	}
	if r := modern(t, "node", "list", "--check"); r.Code != 25 {
		t.Errorf("--check with a node down: %s", r)
	}
	r = modern(t, "node", "attach", fmt.Sprint(id), "--wait", "--timeout", "60s")
	if r.Code != 0 || !strings.Contains(r.Stdout, "down, standby → ") {
		t.Fatalf("attach --wait: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "up" && ns[id].Status != "waiting" {
		t.Fatalf("after attach --wait node %d is %s", id, ns[id].Status)
	}
}

// tmux runs command in a private tmux server (its own socket, killed at
// the end) on a 220x50 terminal and returns a function that captures the
// screen.
func tmux(t *testing.T, command string) (capture func() string, keys func(...string)) {
	t.Helper()
	testenv.NeedProgram(t, "tmux", "tmux")
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	tm := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := tm("new-session", "-d", "-x", "220", "-y", "50", command); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { tm("kill-server") })
	capture = func() string {
		out, _ := tm("capture-pane", "-p", "-J")
		pcptest.NoLeak(t, "terminal", cluster["PCP_USER"], clusterPassword, out)
		return out
	}
	keys = func(k ...string) { tm(append([]string{"send-keys"}, k...)...) }
	return capture, keys
}

func eventually(t *testing.T, what string, capture func() string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := capture()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: screen is\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func shellCommand(t *testing.T, args ...string) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	parts := []string{"PCPPASSFILE=" + q(env(t, "PCPPASSFILE")), q(pcpctlBin), "-h", q(env(t, "PCP_HOST")), "-p", q(env(t, "PCP_PORT")), "-U", q(env(t, "PCP_USER")), "-w"}
	for _, a := range args {
		parts = append(parts, q(a))
	}
	return strings.Join(parts, " ") + "; echo EXIT=$?; sleep 30"
}

func TestModernTTYTable(t *testing.T) {
	needCluster(t)
	capture, _ := tmux(t, shellCommand(t, "node", "list"))
	screen := eventually(t, "table", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	for _, want := range []string{"┌────┬", "│ ID │ HOST:PORT", "│ 0  │ " + env(t, "PCP_HOST") + ":", "nodes up, primary: node ", "EXIT=0"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no %q on the terminal:\n%s", want, screen)
		}
	}
}

func TestModernTTYWatch(t *testing.T) {
	needCluster(t)
	capture, keys := tmux(t, shellCommand(t, "node", "list", "--watch=300ms"))
	eventually(t, "watch header", capture, func(s string) bool {
		return strings.Contains(s, "Every 300ms: pcpctl node list, "+env(t, "PCP_HOST")+":"+env(t, "PCP_PORT")) && strings.Contains(s, "│ ID │")
	})
	// Redrawn in place: one header on the screen, the clock moving.
	first := capture()
	time.Sleep(1500 * time.Millisecond)
	if s := capture(); strings.Count(s, "Every 300ms") != 1 || strings.Count(first, "Every 300ms") != 1 {
		t.Errorf("not redrawn in place:\n%s", s)
	}
	keys("C-c")
	screen := eventually(t, "exit after Ctrl-C", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(screen, "EXIT=0") {
		t.Errorf("Ctrl-C did not exit cleanly:\n%s", screen)
	}
}

// TestModernDebugTrace: -d traces every packet with its decoded fields
// against the real pgpool, the MD5 response masked (run checks that no
// form of the password is in the output).
func TestModernDebugTrace(t *testing.T) {
	needCluster(t)
	r := modern(t, "-d", "node", "info", "0", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"node_id": 0`) {
		t.Fatalf("node info -d: %s", r)
	}
	for _, want := range []string{
		"pcpctl: trace: send SaltRequest len=4 {}\n",
		"pcpctl: trace: send Authenticate len=",
		" {user=" + env(t, "PCP_USER") + " response=********}\n",
		"pcpctl: trace: recv 'r' AuthenticationResult len=21 {Tag:AuthenticationOK Reason:}\n",
		"pcpctl: trace: send NodeInfoRequest len=6 {NodeID:0}\n",
		"pcpctl: trace: recv 'i' NodeInfoReply len=",
		" {Tag:NodeInfo Count:0 HasNode:true Node:{Hostname:" + env(t, "PCP_HOST") + " Port:",
		"pcpctl: trace: send Terminate len=4 {}\n",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("trace lacks %q:\n%s", want, r.Stderr)
		}
	}
}

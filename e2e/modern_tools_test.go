package e2e

// The modern commands over the seven tools of tools_test.go, against the
// live cluster; their answers are checked against the stock tools'.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func modernJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	r := modern(t, append(args, "-o", "json")...)
	if r.Code != 0 {
		t.Fatalf("%v: %s", args, r)
	}
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("%v json: %v\n%s", args, err, r)
	}
}

func TestModernProcess(t *testing.T) {
	needCluster(t)
	busy := holdClient(t)
	var procs []map[string]any
	modernJSON(t, &procs, "process", "list")
	pids := childPIDs(t)
	if len(procs) != len(pids) {
		t.Fatalf("%d processes, pcp_proc_count has %d: %v", len(procs), len(pids), procs)
	}
	found := false
	for i, p := range procs {
		if fmt.Sprint(p["pid"]) != pids[i] {
			t.Errorf("process %d is %v, pcp_proc_count says %s", i, p["pid"], pids[i])
		}
		if fmt.Sprint(p["pid"]) == busy {
			found = true
			if p["database"] != "postgres" || p["username"] != "postgres" || p["backend_pids"] == nil {
				t.Errorf("busy child %s: %v", busy, p)
			}
		}
	}
	if !found {
		t.Errorf("child %s serving the held client not listed", busy)
	}
	// process info: the same slots as pcp_proc_info -a -P.
	var info struct {
		PID   int              `json:"pid"`
		Slots []map[string]any `json:"slots"`
	}
	modernJSON(t, &info, "process", "info", busy)
	c := stock(t, invocation{Tool: "pcp_proc_info", Args: args(tcp(t), "-a", "-P", busy)})
	if strconv.Itoa(info.PID) != busy || len(info.Slots) != strings.Count(c.Stdout, "\n") {
		t.Errorf("process info %s: %+v\nstock:\n%s", busy, info, c.Stdout)
	}
	if r := modern(t, "process", "list", "--slots", "-o", "csv"); r.Code != 0 || strings.Count(r.Stdout, "\n") != 1+strings.Count(stock(t, invocation{Tool: "pcp_proc_info", Args: args(tcp(t), "-a")}).Stdout, "\n") {
		t.Errorf("--slots: %s", r)
	}
	if r := modern(t, "process", "list", "-o", "table"); r.Code != 0 || !strings.Contains(r.Stdout, fmt.Sprintf("%d child processes, ", len(pids))) {
		t.Errorf("table: %s", r)
	}
	if r := modern(t, "process", "info", "1"); r.Code != 5 || r.Stderr != "pcpctl: informing process info failed (invalid process ID : 1)\n" {
		t.Errorf("pid 1: %s", r)
	}
	if r := modern(t, "process", "info", "x"); r.Code != 2 || !strings.Contains(r.Stderr, `invalid process id "x"`) {
		t.Errorf("pid x: %s", r)
	}
}

func TestModernPoolConfig(t *testing.T) {
	needCluster(t)
	var rows []struct{ Name, Value, Description string }
	modernJSON(t, &rows, "pool", "config")
	c := stock(t, invocation{Tool: "pcp_pool_status", Args: tcp(t)})
	var b strings.Builder
	for _, r := range rows {
		v := r.Value
		// pcpctl names an enumeration pgpool sends as a number, with the
		// number in brackets.
		if name, num, ok := strings.Cut(v, " ["); ok && strings.HasSuffix(num, "]") {
			v = strings.TrimSuffix(num, "]")
			if r.Name == "backend_clustering_mode" && name != clusterMode() {
				t.Errorf("backend_clustering_mode %q, want %s [number]", r.Value, clusterMode())
			}
		} else if r.Name == "backend_clustering_mode" || r.Name == "log_standby_delay" {
			t.Errorf("%s %q: not a name with the number", r.Name, r.Value)
		}
		fmt.Fprintf(&b, "name : %s\nvalue: %s\ndesc : %s\n\n", r.Name, v, r.Description)
	}
	if len(rows) < 100 || b.String() != c.Stdout {
		t.Errorf("pool config (%d rows) is not pcp_pool_status", len(rows))
	}
	if r := modern(t, "pool", "config", "num_init_children", "max_pool"); r.Code != 0 || r.Stdout != "num_init_children\t4\t# of children initially pre-forked\nmax_pool\t2\tmax # of connection pool per child\n" {
		t.Errorf("selected: %s", r)
	}
	if r := modern(t, "pool", "config", "no_such_param"); r.Code != 2 || r.Stderr != "pcpctl: pgpool reports no parameter \"no_such_param\" (pcpctl pool config lists them)\n" {
		t.Errorf("unknown: %s", r)
	}
}

func TestModernNodeHealth(t *testing.T) {
	needCluster(t)
	var recs []map[string]any
	modernJSON(t, &recs, "node", "health")
	ports := strings.Fields(env(t, "PG_PORTS"))
	if len(recs) != len(ports) {
		t.Fatalf("%d records: %v", len(recs), recs)
	}
	for i, r := range recs {
		// Same node, same place: compare with the stock tool's fields
		// that do not move between two health checks.
		c := stock(t, invocation{Tool: "pcp_health_check_stats", Args: args(tcp(t), "-n", strconv.Itoa(i))})
		f := strings.Fields(c.Stdout)
		if len(f) < 5 || fmt.Sprint(r["node_id"]) != f[0] || r["hostname"] != f[1] || fmt.Sprint(r["port"]) != ports[i] || r["role"] != f[4] {
			t.Errorf("node %d: %v\nstock: %s", i, r, c.Stdout)
		}
		if n, ok := r["total_count"].(float64); !ok || n < 1 || r["success_count"] == nil || r["last_health_check"] == nil {
			t.Errorf("node %d counters: %v", i, r)
		}
	}
	var one map[string]any
	modernJSON(t, &one, "node", "health", "2")
	if one["node_id"] != 2.0 {
		t.Errorf("node health 2: %v", one)
	}
	if r := modern(t, "node", "health", "9"); r.Code != 2 || r.Stderr != "pcpctl: node 9 does not exist: pgpool has 3 nodes (0-2)\n" {
		t.Errorf("node 9: %s", r)
	}
	if r := modern(t, "node", "health", "-o", "table"); r.Code != 0 || !strings.Contains(r.Stdout, "│ ID │ HOST ") {
		t.Errorf("table: %s", r)
	}
}

func TestModernPgpoolReload(t *testing.T) {
	needCluster(t)
	set := confSetter(t)
	for i, scope := range [][]string{nil, {"--scope", "cluster"}, {"-s", "local"}} {
		want := strconv.Itoa(700 + i)
		set(want)
		r := modern(t, append([]string{"pgpool", "reload"}, scope...)...)
		if r.Code != 0 || !strings.Contains(r.Stdout, "is reloading its configuration (scope ") {
			t.Fatalf("reload %v: %s", scope, r)
		}
		waitFor(t, fmt.Sprintf("reload %v applies %s", scope, want), 20*time.Second, func() (bool, string) {
			var rows []map[string]string
			modernJSON(t, &rows, "pool", "config", reloadableParam)
			return len(rows) == 1 && rows[0]["value"] == want, fmt.Sprint(rows)
		})
	}
	// A dry run and a bad scope change nothing.
	set("799")
	before := poolValue(t, reloadableParam)
	if r := modern(t, "pgpool", "reload", "--dry-run"); r.Code != 0 || !strings.Contains(r.Stdout, "dry run, nothing was sent") {
		t.Errorf("dry run: %s", r)
	}
	if r := modern(t, "pgpool", "reload", "--scope", "everywhere"); r.Code != 2 {
		t.Errorf("bad scope: %s", r)
	}
	time.Sleep(time.Second)
	if v := poolValue(t, reloadableParam); v != before {
		t.Errorf("%s changed from %s to %s without a reload", reloadableParam, before, v)
	}
}

func TestModernPgpoolStop(t *testing.T) {
	needCluster(t)
	stopPgpoolAndRestore(t)
}

// stopPgpoolAndRestore: pgpool stop is refused without --force and sends
// nothing on a dry run; with --force --wait pgpool's main process ends and
// its PCP port refuses connections; scripts/cluster.sh start brings the
// cluster back.
func stopPgpoolAndRestore(t *testing.T) {
	t.Helper()
	restoreAtEnd(t)
	pid := pgpoolPID(t)
	// Not a terminal and no --force: refused; a dry run: nothing sent.
	if r := modern(t, "pgpool", "stop", "--mode", "fast"); r.Code != 2 || !strings.Contains(r.Stderr, "refusing to stop pgpool at ") || r.Stdout != "" {
		t.Errorf("without --force: %s", r)
	}
	if r := modern(t, "pgpool", "stop", "--dry-run", "--scope", "cluster"); r.Code != 0 || !strings.Contains(r.Stdout, "dry run, nothing was sent") {
		t.Errorf("dry run: %s", r)
	}
	if r := modern(t, "pgpool", "stop", "--mode", "slow", "--force"); r.Code != 2 {
		t.Errorf("bad mode: %s", r)
	}
	time.Sleep(500 * time.Millisecond)
	if processGone(pid) || pgpoolPID(t) != pid {
		t.Fatalf("pgpool %d stopped by a refused command", pid)
	}
	// --wait runs while the test watches pgpool's main process: should
	// pgpool's shutdown hang, the test ends it, and --wait must not have
	// called pgpool stopped before then.
	type ended struct {
		r  result
		at time.Time
	}
	done := make(chan ended, 1)
	go func() {
		r := modern(t, "pgpool", "stop", "--mode", "fast", "--force", "--wait", "--timeout", "60s")
		done <- ended{r, time.Now()}
	}()
	killed := waitPgpoolGone(t, "pgpool stop --wait", pid, syscall.SIGINT)
	var e ended
	select {
	case e = <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("pgpool stop --wait: no exit 90s after pgpool ended")
	}
	if e.r.Code != 0 || !strings.Contains(e.r.Stdout, "(fast shutdown): stopped after ") {
		t.Fatalf("stop --wait: %s", e.r)
	}
	if !killed.IsZero() && e.at.Before(killed) {
		t.Errorf("stop --wait said pgpool had stopped while its main process still ran: %s", e.r)
	}
	if r := modern(t, "node", "list"); r.Code != 3 || r.Stdout != "" {
		t.Errorf("node list of the stopped pgpool: want a connection failure (exit 3): %s", r)
	}
	restoreCluster(t)
}

// TestModernPgpoolStopHungShutdown: a pgpool whose shutdown hangs is not
// called stopped. One child is frozen, so pgpool's main process, once it
// has signalled its children, waits for that one with the PCP port still
// open: --wait must time out and say the port accepts but does not
// answer (exit 3). Killing the group, as an operator would, ends it, and
// only then is the port refused.
func TestModernPgpoolStopHungShutdown(t *testing.T) {
	needCluster(t)
	restoreAtEnd(t)
	pid := pgpoolPID(t)
	freeze(t, childByTitle(t, pid, "pgpool: health check process(1)"))
	r := modern(t, "pgpool", "stop", "--mode", "fast", "--force", "--wait", "--timeout", "5s")
	if r.Code != 3 || r.Stdout != "" || !strings.Contains(r.Stderr, "to stop (its PCP port still accepts connections but does not answer: pgpool's shutdown has not finished") {
		t.Errorf("stop --wait of a hung shutdown: %s", r)
	}
	if processGone(pid) {
		t.Fatalf("pgpool %d ended although one of its children was frozen", pid)
	}
	if !strings.Contains(pgpoolLog(t), fmt.Sprintf("main pid %d: LOG:  shutting down by signal %d", pid, syscall.SIGINT)) {
		t.Errorf("pgpool %d did not log a fast shutdown", pid)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	waitFor(t, "the killed pgpool group ends", 10*time.Second, func() (bool, string) { return processGone(pid), "running" })
	if r := modern(t, "node", "list"); r.Code != 3 || !strings.Contains(r.Stderr, "refused") {
		t.Errorf("node list once pgpool is gone: want connection refused (exit 3): %s", r)
	}
	restoreCluster(t)
}

// TestModernNodePromote: the safety rules (refused without --force while
// another primary is up, dry run, the primary itself, unknown ids never
// sent, not even gracefully; a switchover whose primary cannot be checked
// is refused). The real switchover, and the switch back, are
// TestSwitchoverFollowsThrough's.
func TestModernNodePromote(t *testing.T) {
	needCluster(t)
	if ok, state := healthy(t); !ok {
		t.Fatalf("cluster not in its initial state: %s", state)
	}
	restoreAtEnd(t)
	if r := modern(t, "node", "promote", "1"); r.Code != 2 || !strings.Contains(r.Stderr, "refusing to promote node 1") || !strings.Contains(r.Stderr, "is the primary and pgpool would stop treating it as primary; nothing was sent (use --force to override)") {
		t.Errorf("without --force: %s", r)
	}
	if r := modern(t, "node", "promote", "1", "--force", "--dry-run"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "would promote node 1 (") || !strings.HasSuffix(r.Stdout, "; dry run, nothing was sent\n") {
		t.Errorf("dry run: %s", r)
	}
	// The backends refuse this SQL user, so the primary cannot be checked.
	if r := modern(t, "node", "promote", "1", "--switchover", "--sql-user", "no_such_role"); r.Code != 2 || !strings.Contains(r.Stderr, "refusing to switch over to node 1") || !strings.Contains(r.Stderr, "cannot be checked") || !strings.HasSuffix(r.Stderr, "; nothing was sent\n") {
		t.Errorf("switchover, primary not checkable: %s", r)
	}
	if r := modern(t, "node", "promote", "0"); r.Code != 0 || !strings.Contains(r.Stdout, "already the primary; nothing was sent") {
		t.Errorf("primary: %s", r)
	}
	if r := modern(t, "node", "promote", "9", "--graceful", "--force"); r.Code != 2 || !strings.Contains(r.Stderr, "node 9 does not exist") {
		t.Errorf("node 9: %s", r)
	}
	if ok, state := healthy(t); !ok {
		t.Fatalf("a refused or dry-run promote changed the cluster: %s", state)
	}
}

// TestModernPgpoolStopConfirm answers the confirmation on a real terminal:
// "n" sends nothing, "y" stops pgpool (scripts/cluster.sh start brings it
// back).
func TestModernPgpoolStopConfirm(t *testing.T) {
	needCluster(t)
	restoreAtEnd(t)
	pid := pgpoolPID(t)
	prompt := "(fast shutdown)? Every client loses its connection. [y/N]"
	capture, keys := tmux(t, shellCommand(t, "pgpool", "stop", "--mode", "fast"))
	eventually(t, "prompt", capture, func(s string) bool { return strings.Contains(s, prompt) })
	keys("n", "Enter")
	screen := eventually(t, "exit after n", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(screen, "pcpctl: not confirmed; nothing was sent") || !strings.Contains(screen, "EXIT=1") {
		t.Errorf("declined:\n%s", screen)
	}
	if processGone(pid) {
		t.Fatalf("pgpool %d stopped although declined", pid)
	}
	capture, keys = tmux(t, shellCommand(t, "pgpool", "stop", "--mode", "fast", "--wait", "--timeout", "30s"))
	eventually(t, "prompt", capture, func(s string) bool { return strings.Contains(s, prompt) })
	keys("y", "Enter")
	waitPgpoolGone(t, "pgpool stop --wait, confirmed", pid, syscall.SIGINT)
	screen = eventually(t, "exit after y", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(screen, "(fast shutdown): stopped after ") || !strings.Contains(screen, "EXIT=0") {
		t.Errorf("confirmed:\n%s", screen)
	}
	restoreCluster(t)
}

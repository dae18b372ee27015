package e2e

// The modern CLI in pgpool's clustering modes other than streaming
// replication, against the mode clusters of scripts/cluster.sh
// (PCPCTL_CLUSTER_MODE=native_replication, or scripts/cluster-native.sh;
// make test runs these on one), and what it must not claim in streaming
// mode. Each test skips itself on a cluster of another mode.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// clusterMode is the backend_clustering_mode of the cluster under test.
func clusterMode() string {
	if m := cluster["PCPCTL_CLUSTER_MODE"]; m != "" {
		return m
	}
	return "streaming_replication"
}

func needMode(t *testing.T, modes ...string) {
	t.Helper()
	needCluster(t)
	for _, m := range modes {
		if clusterMode() == m {
			return
		}
	}
	t.Skipf("for a %s cluster; this one is %s (PCPCTL_CLUSTER_MODE)", strings.Join(modes, " or "), clusterMode())
}

// replicated are the modes in which pgpool sends every write to every node.
var replicated = []string{"native_replication", "snapshot_isolation"}

// psqlAt runs one statement on port (pgpool's or a backend's) as postgres.
func psqlAt(t *testing.T, port, sql string) (string, error) {
	t.Helper()
	out, err := exec.Command("/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-A", "-t", "-h", env(t, "PCP_HOST"),
		"-p", port, "-U", "postgres", "-d", "postgres", "-c", sql).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// psqlPgpool runs one statement through pgpool. Right after a failover or
// a failback pgpool restarts its children, and a session that lands on
// one being replaced is closed before the statement runs: that is retried
// (for a few seconds), any other outcome returned.
func psqlPgpool(t *testing.T, sql string) (string, error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := psqlAt(t, env(t, "PGPOOL_PORT"), sql)
		if err == nil || !strings.Contains(out, "server closed the connection unexpectedly") || time.Now().After(deadline) {
			return out, err
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func pgPort(t *testing.T, id int) string { return strings.Fields(env(t, "PG_PORTS"))[id] }

// recoverNode brings node id back as a copy of the others: detached,
// stopped, online recovery (both stages), up.
func recoverNode(t *testing.T, id string) {
	t.Helper()
	if r := modern(t, "node", "detach", id, "--wait"); r.Code != 0 {
		t.Errorf("detach %s: %s", id, r)
	}
	out, err := exec.Command("../scripts/cluster.sh", "pg-stop", id).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh pg-stop %s: %v\n%s", id, err, out)
	}
	if r := modern(t, "node", "recover", id, "--wait"); r.Code != 0 {
		t.Fatalf("recover %s: %s", id, r)
	}
}

func TestModeReplicatedViews(t *testing.T) {
	needMode(t, replicated...)
	mode := clusterMode()
	ns := nodes(t, "--check-backends", "--sql-user", "postgres")
	for i, n := range ns {
		want := "replica"
		if i == 0 {
			want = "main"
		}
		if n.Role != want || n.PgRole != want || n.Reachable == nil || !*n.Reachable || n.InRecovery == nil || *n.InRecovery {
			t.Errorf("node %d: %+v, want role %s, read-write", i, n, want)
		}
	}
	r := modern(t, "node", "list", "-o", "table", "--check", "--check-backends", "--sql-user", "postgres")
	sum := "3/3 nodes up (" + mode + "), main: node 0 (" + env(t, "PCP_HOST") + ":" + pgPort(t, 0) + ")\n"
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, sum) || strings.Contains(r.Stdout, "primary") || strings.Count(r.Stdout, "read-write") != 3 {
		t.Errorf("table: want it to end %q, no primary, every node read-write: %s", sum, r)
	}
	// One node says nothing about the cluster.
	r = modern(t, "node", "info", "1", "-o", "table")
	if r.Code != 0 || !strings.Contains(r.Stdout, "│ replica ") || strings.Contains(r.Stdout, "nodes up") || strings.Contains(r.Stdout, "primary") {
		t.Errorf("info 1: %s", r)
	}
	// pgpool would refuse ("not in streaming replication mode", exit 5);
	// pcpctl says why first and sends nothing, --force or not.
	for _, extra := range [][]string{{"--dry-run"}, {"--force"}} {
		r = modern(t, append([]string{"node", "promote", "1"}, extra...)...)
		if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "pgpool runs in "+mode+" mode, which has no primary to promote") || strings.Contains(r.Stderr, "--force") {
			t.Errorf("promote 1 %v: %s", extra, r)
		}
	}
	if ns := nodes(t); ns[1].Role != "replica" || ns[0].Role != "main" {
		t.Errorf("after the refused promotes: %+v", ns)
	}
}

// TestModeReplicatedRecovery: a node that was down missed writes, so
// attaching it is refused and recovery (both stages) brings it back with
// them.
func TestModeReplicatedRecovery(t *testing.T) {
	needMode(t, replicated...)
	t.Cleanup(func() {
		if ns := nodes(t); ns[2].Status == "down" {
			recoverNode(t, "2")
		}
	})
	if r := modern(t, "node", "detach", "2", "--wait"); r.Code != 0 {
		t.Fatalf("detach 2: %s", r)
	}
	if out, err := psqlPgpool(t, "CREATE TABLE IF NOT EXISTS e2e_modes(i int); INSERT INTO e2e_modes VALUES (1)"); err != nil {
		t.Fatalf("write through pgpool: %v %s", err, out)
	}
	stopPostgres(t, 2)
	r := modern(t, "node", "attach", "2")
	if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "refusing to attach node 2 (") ||
		!strings.Contains(r.Stderr, "so it may have missed writes") || !strings.Contains(r.Stderr, "pcpctl node recover 2;") {
		t.Errorf("attach of a node that missed writes: %s", r)
	}
	// reconcile knows the mode (pgpool sends it as 2 or 6) and refuses too.
	r = modern(t, "node", "reconcile", "--apply", "--sql-user", "postgres")
	if r.Code != 26 || !strings.Contains(r.Stdout, "node 2 (") || !strings.Contains(r.Stdout, "refused: pgpool runs in "+clusterMode()+" mode, where a node's data must be copied back by online recovery (pcpctl node recover 2), not attached") {
		t.Errorf("reconcile: %s", r)
	}
	if ns := nodes(t); ns[2].Status != "down" {
		t.Fatalf("the refused attach changed node 2: %+v", ns[2])
	}
	r = modern(t, "node", "recover", "2", "--wait")
	if r.Code != 0 || !strings.Contains(r.Stdout, "node 2 (") || !strings.Contains(r.Stdout, "down, replica → ") {
		t.Fatalf("recover 2: %s", r)
	}
	// The write made while node 2 was down is there, on a read-write server.
	want := pgPort(t, 0)
	got0, err0 := psqlAt(t, want, "SELECT count(*) FROM e2e_modes")
	got2, err2 := psqlAt(t, pgPort(t, 2), "SELECT count(*) || ' ' || pg_is_in_recovery() FROM e2e_modes")
	if err0 != nil || err2 != nil || got2 != got0+" false" {
		t.Errorf("node 2 after recovery: %q (%v), node 0 has %q (%v)", got2, err2, got0, err0)
	}
	if r := modern(t, "node", "list", "--check", "--check-backends", "--sql-user", "postgres"); r.Code != 0 {
		t.Errorf("--check after recovery: %s", r)
	}
}

// TestModeReplicatedReadOnlyReplica: a failed 2nd stage leaves the node
// running in recovery. Attached anyway (--force), pgpool calls it up and
// its writes fail; --check-backends finds it and --check fails.
func TestModeReplicatedReadOnlyReplica(t *testing.T) {
	needMode(t, replicated...)
	fault := filepath.Join(env(t, "PCPCTL_CLUSTER_DIR"), "recovery-2nd-fail-2")
	t.Cleanup(func() {
		os.Remove(fault)
		recoverNode(t, "2")
	})
	if r := modern(t, "node", "detach", "2", "--wait"); r.Code != 0 {
		t.Fatalf("detach 2: %s", r)
	}
	stopPostgres(t, 2)
	if err := os.WriteFile(fault, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := modern(t, "node", "recover", "2")
	if r.Code != 5 || !strings.Contains(r.Stderr, `"2nd stage"`) {
		t.Fatalf("recover with a failing 2nd stage: %s", r)
	}
	if r := modern(t, "node", "attach", "2", "--force", "--wait"); r.Code != 0 {
		t.Fatalf("attach --force: %s", r)
	}
	// pgpool alone sees nothing wrong.
	if r := modern(t, "node", "list", "--check"); r.Code != 0 {
		t.Errorf("--check without --check-backends: %s", r)
	}
	r = modern(t, "node", "list", "-o", "json", "--check", "--check-backends", "--sql-user", "postgres")
	finding := "node 2 (" + env(t, "PCP_HOST") + ":" + pgPort(t, 2) + ") is up but pg_is_in_recovery() is true: it cannot take the writes pgpool sends every node in " + clusterMode() + " mode"
	if r.Code != 25 || !strings.Contains(r.Stderr, "pcpctl: warning: "+finding) {
		t.Errorf("--check --check-backends: %s", r)
	}
	var ns []node
	if err := json.Unmarshal([]byte(r.Stdout), &ns); err != nil || len(ns) != 3 || ns[2].InRecovery == nil || !*ns[2].InRecovery || ns[2].Role != "replica" {
		t.Errorf("json: %v %s", err, r.Stdout)
	}
	r = modern(t, "node", "list", "-o", "table", "--check-backends", "--sql-user", "postgres")
	if !strings.Contains(r.Stdout, "│ in recovery ! │") || !strings.Contains(r.Stdout, "warning: "+finding) {
		t.Errorf("table: want the marker and the warning: %s", r)
	}
	// The monitoring check judges by the same rules.
	if r := modern(t, "check", "--backends", "--sql-user", "postgres"); r.Code != 2 || !strings.HasPrefix(r.Stdout, "PGPOOL CRITICAL - ") || !strings.Contains(r.Stdout, "pg_is_in_recovery() is true") {
		t.Errorf("check --backends: %s", r)
	}
	// What the finding warns of.
	if out, err := psqlPgpool(t, "CREATE TABLE IF NOT EXISTS e2e_modes(i int); INSERT INTO e2e_modes VALUES (2)"); err == nil || !strings.Contains(out, "kind mismatch among backends") {
		t.Errorf("a write through pgpool: %v %s", err, out)
	}
}

// TestModeStreamingOneNode: in streaming mode too, node info of a standby
// makes no claim about the cluster, and roles are primary and standby.
func TestModeStreamingOneNode(t *testing.T) {
	needMode(t, "streaming_replication")
	id := standby(t)
	r := modern(t, "node", "info", fmt.Sprint(id), "-o", "table")
	if r.Code != 0 || !strings.Contains(r.Stdout, "│ standby ") || strings.Contains(r.Stdout, "nodes up") || strings.Contains(r.Stdout, "no primary") {
		t.Errorf("info %d: %s", id, r)
	}
	r = modern(t, "node", "list", "-o", "table")
	if r.Code != 0 || !strings.Contains(r.Stdout, "3/3 nodes up, primary: node 0 (") || strings.Contains(r.Stdout, "replica") {
		t.Errorf("list: %s", r)
	}
}

// TestModeStreamingOrphanStandby: a standby that streams, but not from
// pgpool's primary (here from the other standby, as one left behind by a
// failover without follow_primary would stream from the old primary), is
// a finding of --check-backends; --max-lag limits the replay lag.
func TestModeStreamingOrphanStandby(t *testing.T) {
	needMode(t, "streaming_replication")
	port2, port1, port0 := pgPort(t, 2), pgPort(t, 1), pgPort(t, 0)
	conninfo := func(port string) string {
		return "ALTER SYSTEM SET primary_conninfo = 'host=" + env(t, "PCP_HOST") + " port=" + port + " user=postgres application_name=pg2'"
	}
	streamsFrom := func(port string) func() (bool, string) {
		return func() (bool, string) {
			out, err := psqlAt(t, port2, "SELECT status || ' ' || sender_port FROM pg_stat_wal_receiver")
			return err == nil && out == "streaming "+port, out
		}
	}
	repoint := func(port string) {
		if out, err := psqlAt(t, port2, conninfo(port)); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		if out, err := psqlAt(t, port2, "SELECT pg_reload_conf()"); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		waitFor(t, "node 2 streaming from port "+port, 30*time.Second, streamsFrom(port))
	}
	t.Cleanup(func() { repoint(port0) })
	check := []string{"node", "list", "--check", "--check-backends", "--sql-user", "postgres"}
	if r := modern(t, check...); r.Code != 0 {
		t.Fatalf("before: %s", r)
	}
	repoint(port1)
	finding := "node 2 (" + env(t, "PCP_HOST") + ":" + port2 + ") does not follow the primary: it streams from " + env(t, "PCP_HOST") + ":" + port1 + ", not from the primary node 0 (" + env(t, "PCP_HOST") + ":" + port0 + ")"
	r := modern(t, append(check, "-o", "table")...)
	if r.Code != 25 || !strings.Contains(r.Stdout, "warning: "+finding) || !strings.Contains(r.Stdout, " B ! │\n") {
		t.Errorf("orphan standby: want exit 25, the finding and the marker: %s", r)
	}
	// pgpool alone sees nothing wrong.
	if r := modern(t, "node", "list", "--check"); r.Code != 0 {
		t.Errorf("--check without --check-backends: %s", r)
	}
	if r := modern(t, "node", "list", "--max-lag", "1MB"); r.Code != 2 || !strings.Contains(r.Stderr, "--max-lag is for --check-backends only") {
		t.Errorf("--max-lag without --check-backends: %s", r)
	}
}

// TestModeReplicatedCommands: the other modern commands, in the mode's
// words.
func TestModeReplicatedCommands(t *testing.T) {
	needMode(t, replicated...)
	mode := clusterMode()
	num := map[string]string{"native_replication": "2", "snapshot_isolation": "6"}[mode]
	if r := modern(t, "pool", "config", "backend_clustering_mode"); r.Code != 0 || r.Stdout != "backend_clustering_mode\t"+mode+" ["+num+"]\tclustering mode\n" {
		t.Errorf("pool config: %s", r)
	}
	// What pgpool itself sends: the number.
	if r := stock(t, invocation{Tool: "pcp_pool_status", Args: tcp(t)}); r.Code != 0 || !strings.Contains(r.Stdout, "name : backend_clustering_mode\nvalue: "+num+"\n") {
		t.Errorf("pcp_pool_status: %s", r)
	}
	if r := modern(t, "node", "count"); r.Code != 0 || r.Stdout != "3\n" {
		t.Errorf("count: %s", r)
	}
	main := "main node 0 (" + env(t, "PCP_HOST") + ":" + pgPort(t, 0) + ")"
	if r := modern(t, "check"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 nodes up, "+main+" |") {
		t.Errorf("check: %s", r)
	}
	// --standbys counts the replicas here (it said "0 standbys up").
	if r := modern(t, "check", "--standbys", "2,1"); r.Code != 0 || !strings.Contains(r.Stdout, " replicas_up=2;2:;1:;0;2") || strings.Contains(r.Stdout, "standbys") {
		t.Errorf("check --standbys 2,1: %s", r)
	}
	if r := modern(t, "check", "--standbys", "3"); r.Code != 1 || !strings.HasPrefix(r.Stdout, "PGPOOL WARNING - 2 replicas up (warning 3) |") {
		t.Errorf("check --standbys 3: %s", r)
	}
	// --require-primary requires the main node here (it was CRITICAL: "no
	// primary node is up").
	if r := modern(t, "check", "--require-primary"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 nodes up, "+main+" |") || !strings.HasSuffix(r.Stdout, " main_up=1;;1:;0;1\n") {
		t.Errorf("check --require-primary: %s", r)
	}
	if r := modern(t, "status-codes"); r.Code != 0 || !strings.Contains(r.Stdout, "  "+num+"  "+mode+" ") {
		t.Errorf("status-codes: %s", r)
	}
	// Detaching a replica needs no --force; the main node does, in its word.
	r := modern(t, "node", "detach", "0", "--dry-run")
	if r.Code != 2 || !strings.Contains(r.Stderr, "refusing to detach node 0 (") || !strings.Contains(r.Stderr, "it is the main;") {
		t.Errorf("detach 0: %s", r)
	}
	if r := modern(t, "node", "detach", "2", "--dry-run"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "would detach node 2 (") {
		t.Errorf("detach 2 --dry-run: %s", r)
	}
	// An up node: attach has nothing to do, and says so rather than refuse.
	if r := modern(t, "node", "attach", "1"); r.Code != 0 || !strings.Contains(r.Stdout, "is already attached; nothing was sent") {
		t.Errorf("attach 1: %s", r)
	}
}

// TestModeReplicatedMonitoring: cluster status, events and serve speak of
// the main node and never of a primary where pgpool has none (a router
// asking /primary must not send writes to one node of a native cluster).
func TestModeReplicatedMonitoring(t *testing.T) {
	needMode(t, replicated...)
	var st struct {
		Healthy bool `json:"healthy"`
		Pgpools []struct {
			Nodes []struct {
				Role string `json:"role"`
			} `json:"nodes"`
		} `json:"pgpools"`
	}
	r := modern(t, "cluster", "status", "-o", "json")
	if err := json.Unmarshal([]byte(r.Stdout), &st); r.Code != 0 || err != nil || !st.Healthy || len(st.Pgpools) != 1 || len(st.Pgpools[0].Nodes) != 3 {
		t.Fatalf("cluster status (%v): %s", err, r)
	}
	for i, n := range st.Pgpools[0].Nodes {
		if want := map[bool]string{true: "main", false: "replica"}[i == 0]; n.Role != want {
			t.Errorf("cluster status: node %d is %q, want %q", i, n.Role, want)
		}
	}
	p, stop := startEvents(t, "--since-start")
	waitEvent(t, p, "main node", func(e eventLine) bool { return e.Kind == "main_node" && e.New == "node 0" })
	out, _ := stop()
	for _, e := range parseEvents(t, out) {
		if e.Kind == "primary" || e.Kind == "node_role" && e.New != "main" && e.New != "replica" {
			t.Errorf("events in %s mode: %+v", clusterMode(), e)
		}
	}
	s := startServe(t, "--pgpool", env(t, "PCP_HOST")+":"+env(t, "PCP_PORT"))
	for path, want := range map[string]int{"/primary?node=0": 503, "/primary?node=1": 503, "/standby?node=1": 503, "/healthz": 200} {
		if got := s.probe(t, path); got != want {
			t.Errorf("serve %s: %d, want %d", path, got, want)
		}
	}
}

// TestModeRawViews: raw mode has no replication: pgpool uses the first up
// node, roles are main and replica, and nothing about the others' roles or
// read-write state is a finding.
func TestModeRawViews(t *testing.T) {
	needMode(t, "raw")
	sum := "3/3 nodes up (raw), main: node 0 (" + env(t, "PCP_HOST") + ":" + pgPort(t, 0) + ")\n"
	r := modern(t, "node", "list", "-o", "table", "--check", "--check-backends", "--sql-user", "postgres")
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, sum) || strings.Contains(r.Stdout, "warning") || strings.Count(r.Stdout, "read-write") != 3 {
		t.Errorf("table: %s", r)
	}
	if r := modern(t, "node", "promote", "1", "--dry-run"); r.Code != 2 || !strings.Contains(r.Stderr, "pgpool runs in raw mode, which has no primary to promote") {
		t.Errorf("promote: %s", r)
	}
	if r := modern(t, "pool", "config", "backend_clustering_mode"); r.Code != 0 || r.Stdout != "backend_clustering_mode\traw [5]\tclustering mode\n" {
		t.Errorf("pool config: %s", r)
	}
	if r := modern(t, "check"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 nodes up, main node 0 (") {
		t.Errorf("check: %s", r)
	}
}

// TestModeReplicatedPgpoolStop: pgpool stop of a native-replication (or
// snapshot isolation) pgpool, and the cluster back in the mode's words.
func TestModeReplicatedPgpoolStop(t *testing.T) {
	needMode(t, replicated...)
	stopPgpoolAndRestore(t)
	ns := nodes(t)
	for i, n := range ns {
		if want := map[bool]string{true: "main", false: "replica"}[i == 0]; n.Role != want || (n.Status != "up" && n.Status != "waiting") {
			t.Errorf("after the restart, node %d: %+v, want up %s", i, n, want)
		}
	}
}

// TestModeReplicatedTTYWatchRecovery: node list --watch on a terminal
// shows the mode's roles and follows node 2 down and back; the online
// recovery that brings it back shows, on its terminal, a progress line
// that names both stages, and clears it when done.
func TestModeReplicatedTTYWatchRecovery(t *testing.T) {
	needMode(t, replicated...)
	t.Cleanup(func() {
		if ns := nodes(t); ns[2].Status == "down" {
			recoverNode(t, "2")
		}
	})
	host, mode := env(t, "PCP_HOST"), clusterMode()
	// A table row: id, address, status (number and word), pg_status, role.
	row := func(id int, status, role string) *regexp.Regexp {
		return regexp.MustCompile(fmt.Sprintf(`│ %d +│ %s +│ %s +│ \S+ +│ %s +│`, id, regexp.QuoteMeta(host+":"+pgPort(t, id)), status, role))
	}
	up := `[12] (?:up|waiting)`
	watch, keys := tmux(t, shellCommand(t, "node", "list", "--watch=500ms"))
	allUp := "3/3 nodes up (" + mode + "), main: node 0 (" + host + ":" + pgPort(t, 0) + ")"
	shows := func(what string, rows []*regexp.Regexp, summary string) {
		t.Helper()
		eventually(t, what, watch, func(s string) bool {
			for _, re := range rows {
				if !re.MatchString(s) {
					return false
				}
			}
			return strings.Count(s, "Every 500ms: pcpctl node list, "+host+":"+env(t, "PCP_PORT")) == 1 && strings.Contains(s, summary) && !strings.Contains(s, "primary")
		})
	}
	shows("every node up", []*regexp.Regexp{row(0, up, "main"), row(1, up, "replica"), row(2, up, "replica")}, allUp)

	if r := modern(t, "node", "detach", "2", "--wait"); r.Code != 0 {
		t.Fatalf("detach 2: %s", r)
	}
	// Its PostgreSQL still runs: pgpool's view and the backend's disagree.
	shows("node 2 down", []*regexp.Regexp{row(0, up, "main"), row(1, up, "replica"), row(2, "3 down !", "replica")},
		"2/3 nodes up ("+mode+"), main: node 0 ("+host+":"+pgPort(t, 0)+")\n! pgpool's view and the backend's disagree\nwarning: node 2 ("+host+":"+pgPort(t, 2)+") is down\n")
	stopPostgres(t, 2)

	capture, _ := tmux(t, shellCommand(t, "node", "recover", "2", "--wait"))
	progress := eventually(t, "recovery progress line", capture, func(s string) bool {
		return strings.Contains(s, "recovering node 2: ") || strings.Contains(s, "EXIT=")
	})
	if !strings.Contains(progress, "recovering node 2: ") || !strings.Contains(progress, "(pgpool runs the recovery stages: 1st stage (copy), 2nd stage (new connections held), remote start, attach)") {
		t.Errorf("no progress line naming both stages on the terminal:\n%s", progress)
	}
	screen := eventually(t, "recover exits", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(screen, "node 2 ("+host+":"+pgPort(t, 2)+"): down, replica → ") || !strings.Contains(screen, "EXIT=0") || strings.Contains(screen, "recovering node 2: ") {
		t.Errorf("recover on a terminal: want the change, exit 0 and the progress line gone:\n%s", screen)
	}
	shows("node 2 back", []*regexp.Regexp{row(0, up, "main"), row(1, up, "replica"), row(2, up, "replica")}, allUp)
	keys("C-c")
	if s := eventually(t, "watch exits after Ctrl-C", watch, func(s string) bool { return strings.Contains(s, "EXIT=") }); !strings.Contains(s, "EXIT=0") {
		t.Errorf("watch after Ctrl-C:\n%s", s)
	}
}

// TestModeReplicatedEveryCommand: the modern commands the other mode
// tests do not reach, each against the live cluster, in the mode's words.
func TestModeReplicatedEveryCommand(t *testing.T) {
	needMode(t, replicated...)
	role := func(id int) string { return map[bool]string{true: "main", false: "replica"}[id == 0] }
	var hc []struct {
		NodeID int    `json:"node_id"`
		Role   string `json:"role"`
		Total  int    `json:"total_count"`
	}
	modernJSON(t, &hc, "node", "health")
	if len(hc) != 3 {
		t.Fatalf("node health: %d nodes", len(hc))
	}
	for i, h := range hc {
		if h.NodeID != i || h.Role != role(i) || h.Total < 1 {
			t.Errorf("node health: %+v, want node %d, %s, checked", h, i, role(i))
		}
	}
	var info struct {
		Role   string `json:"role"`
		PgRole string `json:"pg_role"`
	}
	modernJSON(t, &info, "node", "info", "0")
	if info.Role != "main" || info.PgRole != "main" {
		t.Errorf("node info 0: %+v", info)
	}
	var procs []struct {
		PID int `json:"pid"`
	}
	modernJSON(t, &procs, "process", "list")
	if len(procs) == 0 || procs[0].PID <= 0 {
		t.Fatalf("process list: %+v", procs)
	}
	var proc struct {
		PID   int `json:"pid"`
		Slots []struct {
			PID int `json:"pid"`
		} `json:"slots"`
	}
	modernJSON(t, &proc, "process", "info", fmt.Sprint(procs[0].PID))
	if proc.PID != procs[0].PID || len(proc.Slots) == 0 || proc.Slots[0].PID != proc.PID {
		t.Errorf("process info %d: %+v", procs[0].PID, proc)
	}
	want := "pgpool at " + env(t, "PCP_HOST") + ":" + env(t, "PCP_PORT") + " is reloading its configuration (scope local)\n"
	if r := modern(t, "pgpool", "reload"); r.Code != 0 || r.Stdout != want {
		t.Errorf("pgpool reload: %s", r)
	}
	// The mode clusters run 4.3.5, which has neither request.
	if cluster["PGPOOL_RELEASE"] == "4.3" {
		for _, c := range [][]string{{"pgpool", "log-rotate"}, {"cache", "invalidate"}} {
			if r := modern(t, c...); r.Code != 5 || !strings.Contains(r.Stderr, "it needs pgpool-II 4.6 or later") {
				t.Errorf("%v on 4.3.5: %s", c, r)
			}
		}
	}
	// A context naming this cluster: the summary names the main node.
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	doc := fmt.Sprintf("current-context: %s\ncontexts:\n  - name: %[1]s\n    user: %s\n    pgpools:\n      - host: %s\n        pcp_port: %s\n",
		clusterMode(), env(t, "PCP_USER"), env(t, "PCP_HOST"), env(t, "PCP_PORT"))
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: []string{"-w", "node", "list", "--check", "-o", "table"},
		Env: map[string]string{"PCPCTL_CONFIG": cfg, "PCPHOST": "", "PCPPORT": "", "PCPUSER": ""}})
	if r.Code != 0 || !strings.Contains(r.Stdout, "3/3 nodes up ("+clusterMode()+"), main: node 0 (") || strings.Contains(r.Stdout, "primary") {
		t.Errorf("node list on context %s: %s", clusterMode(), r)
	}
	// The metrics: no backend is a primary here; node 0 has the main role.
	s := startServe(t, "--pgpool", env(t, "PCP_HOST")+":"+env(t, "PCP_PORT"))
	code, body := s.get(t, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for id := 0; id < 3; id++ {
		for metric, want := range map[string]string{"pgpool_backend_primary": "0", "pgpool_backend_role": map[bool]string{true: "0", false: "1"}[id == 0]} {
			re := regexp.MustCompile(metric + `\{[^}]*node="` + fmt.Sprint(id) + `"[^}]*\} (\S+)`)
			if m := re.FindStringSubmatch(body); m == nil || m[1] != want {
				t.Errorf("%s of node %d: %v, want %s", metric, id, m, want)
			}
		}
	}
}

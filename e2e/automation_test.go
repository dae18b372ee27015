package e2e

// End-to-end tests of the automation commands (node reconcile, promote
// --switchover's follow check, events) on the live cluster. Each leaves
// the cluster as it found it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// backendSQL runs statements on PostgreSQL node id, as postgres, and
// returns the value of the last SELECT.
func backendSQL(t *testing.T, id int, stmts ...string) string {
	t.Helper()
	port := strings.Fields(env(t, "PG_PORTS"))[id]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres", env(t, "PCP_HOST"), port))
	if err != nil {
		t.Fatalf("node %d: %v", id, err)
	}
	defer c.Close(context.Background())
	var last string
	for _, s := range stmts {
		if !strings.HasPrefix(s, "SELECT ") {
			if _, err := c.Exec(ctx, s); err != nil {
				t.Fatalf("node %d: %s: %v", id, s, err)
			}
			continue
		}
		var v *string
		if err := c.QueryRow(ctx, "SELECT ("+s+")::text").Scan(&v); err != nil {
			t.Fatalf("node %d: %s: %v", id, s, err)
		}
		last = ""
		if v != nil {
			last = *v
		}
	}
	return last
}

// receiverState is pg_stat_wal_receiver's status on node id ("" without
// a receiver) and the port it streams from.
func receiverState(t *testing.T, id int) (string, int) {
	s := backendSQL(t, id, "SELECT coalesce((SELECT status || ' ' || sender_port FROM pg_stat_wal_receiver), '')")
	st, p, _ := strings.Cut(s, " ")
	port, _ := strconv.Atoi(p)
	return st, port
}

// detached detaches node id with the stock tool and waits for it (and
// for pgpool's PCP restart); the cleanup attaches it again if still down.
func detached(t *testing.T, id int) {
	t.Helper()
	n := fmt.Sprint(id)
	t.Cleanup(func() {
		if f, _, ok := nodeFields(t, stock, id); ok && f[2] == "3" {
			act(t, stock, "pcp_attach_node", "-n", n)
			waitNodeStatus(t, id, statusUp...)
		}
	})
	if r := act(t, stock, "pcp_detach_node", "-n", n); r.Code != 0 {
		t.Fatalf("pcp_detach_node: %s", r)
	}
	waitNodeStatus(t, id, statusDown...)
}

func reconcile(t *testing.T, args ...string) result {
	return modern(t, append([]string{"node", "reconcile", "--sql-user", "postgres", "--timeout", "60s"}, args...)...)
}

func TestReconcileAttachesHealthyNode(t *testing.T) {
	needCluster(t)
	id := standby(t)
	if r := reconcile(t); r.Code != 0 || strings.Contains(r.Stdout, "attach") {
		t.Fatalf("nothing to do on a healthy cluster: %s", r)
	}
	detached(t, id)
	name := fmt.Sprintf("node %d (%s:%s, standby, down): ", id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])
	r := reconcile(t)
	if r.Code != 0 || !strings.Contains(r.Stdout, name+"would attach: streams from the primary node 0 (") ||
		!strings.Contains(r.Stdout, "dry run: 1 node(s) would be attached; nothing was sent") {
		t.Fatalf("dry run: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "down" {
		t.Fatalf("the dry run changed node %d: %s", id, ns[id].Status)
	}
	r = reconcile(t, "--apply")
	if r.Code != 0 || !strings.Contains(r.Stdout, name+"attaching: streams from the primary") ||
		!strings.Contains(r.Stdout, fmt.Sprintf("node %d (%s:%s): down, standby → ", id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])) {
		t.Fatalf("--apply: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "up" && ns[id].Status != "waiting" {
		t.Fatalf("after --apply node %d is %s", id, ns[id].Status)
	}
	time.Sleep(pcpRestart)
	if r := reconcile(t); r.Code != 0 || strings.Contains(r.Stdout, "attach") {
		t.Errorf("after --apply nothing is left to do: %s", r)
	}
}

// TestReconcileRefusesUnsafeNode re-points a standby to stream from a
// port where nothing listens, detaches it, and checks that reconcile
// refuses it with the reason, exit 26, and sends nothing (pgpool's last
// status change time is untouched).
func TestReconcileRefusesUnsafeNode(t *testing.T) {
	needCluster(t)
	id := standby(t)
	orig := backendSQL(t, id, "SELECT current_setting('primary_conninfo')")
	if !strings.Contains(orig, "port=") {
		t.Fatalf("node %d primary_conninfo %q", id, orig)
	}
	nowhere := strings.Replace(orig, "port="+strings.Fields(env(t, "PG_PORTS"))[0], "port=1", 1)
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	t.Cleanup(func() {
		backendSQL(t, id, "ALTER SYSTEM SET primary_conninfo = "+q(orig), "SELECT pg_reload_conf()")
		waitFor(t, "streaming again", 30*time.Second, func() (bool, string) {
			st, _ := receiverState(t, id)
			return st == "streaming", st
		})
	})
	backendSQL(t, id, "ALTER SYSTEM SET primary_conninfo = "+q(nowhere), "SELECT pg_reload_conf()")
	waitFor(t, "no WAL receiver", 30*time.Second, func() (bool, string) {
		st, _ := receiverState(t, id)
		return st == "", st
	})
	detached(t, id)
	before := nodes(t)[id]
	want := fmt.Sprintf("node %d (%s:%s, standby, down): refused: it is a standby with no WAL receiver: it streams from nowhere; nothing was sent\n",
		id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])
	for _, extra := range [][]string{nil, {"--apply"}} {
		r := reconcile(t, extra...)
		if r.Code != 26 || !strings.Contains(r.Stdout, want) || r.Stderr != "pcpctl: 1 node(s) refused; nothing was sent for them\n" || strings.Contains(r.Stdout, "attaching") {
			t.Errorf("reconcile %v: %s", extra, r)
		}
	}
	time.Sleep(pcpRestart)
	after := nodes(t)[id]
	if after.Status != "down" || after.LastChange != before.LastChange {
		t.Errorf("node %d changed: %+v -> %+v", id, before, after)
	}
}

// eventsProc is a running "pcpctl events".
type eventsProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	errs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startEvents runs pcpctl events in the background until the test ends
// (or stop is called): SIGINT, then a bounded wait.
func startEvents(t *testing.T, args ...string) (*eventsProc, func() (string, string)) {
	t.Helper()
	conn := []string{"-h", env(t, "PCP_HOST"), "-p", env(t, "PCP_PORT"), "-U", env(t, "PCP_USER"), "-w", "events", "--interval", "300ms"}
	p := &eventsProc{cmd: exec.Command(pcpctlBin, append(conn, args...)...), out: &syncBuffer{}, errs: &syncBuffer{}}
	p.cmd.Env = environ(map[string]string{"PGPASSWORD": "not-for-hooks"})
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errs
	p.cmd.WaitDelay = time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() (string, string) {
		once.Do(func() {
			p.cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("events exited: %v\n%s", err, p.errs.String())
				}
			case <-time.After(30 * time.Second):
				p.cmd.Process.Kill()
				<-done
				t.Errorf("events did not exit within 30s of SIGINT")
			}
		})
		out, errOut := p.out.String(), p.errs.String()
		pcptest.NoLeak(t, "events", cluster["PCP_USER"], clusterPassword, out, errOut)
		return out, errOut
	}
	t.Cleanup(func() { stop() })
	return p, stop
}

type eventLine struct {
	Time    string `json:"time"`
	Pgpool  string `json:"pgpool"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	NodeID  *int   `json:"node_id"`
	Old     string `json:"old"`
	New     string `json:"new"`
}

func parseEvents(t *testing.T, out string) []eventLine {
	t.Helper()
	var evs []eventLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var e eventLine
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, e.Time); err != nil || e.Pgpool != env(t, "PCP_HOST")+":"+env(t, "PCP_PORT") || e.Kind == "" || e.Subject == "" {
			t.Errorf("incomplete event %q", l)
		}
		evs = append(evs, e)
	}
	return evs
}

// waitEvent polls the stream until an event matching ok appears.
func waitEvent(t *testing.T, p *eventsProc, what string, ok func(eventLine) bool) {
	t.Helper()
	waitFor(t, what, 60*time.Second, func() (bool, string) {
		for _, e := range parseEvents(t, p.out.String()) {
			if ok(e) {
				return true, ""
			}
		}
		return false, p.out.String() + p.errs.String()
	})
}

func hasEvent(evs []eventLine, kind, subject, old, new string) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Subject == subject && e.Old == old && e.New == new {
			return true
		}
	}
	return false
}

// TestEventsCaptureDetachAttach: events sees a standby detached and
// attached again, and --exec runs the hook for each event, with the event
// on stdin and in PCPCTL_EVENT_*, and without the password variables.
func TestEventsCaptureDetachAttach(t *testing.T) {
	needCluster(t)
	id := standby(t)
	hookLog := filepath.Join(t.TempDir(), "hook.log")
	hook := `{ cat; echo; echo "env $PCPCTL_EVENT_KIND|$PCPCTL_EVENT_SUBJECT|$PCPCTL_EVENT_NODE_ID|$PCPCTL_EVENT_OLD|$PCPCTL_EVENT_NEW|$PCPCTL_EVENT_PGPOOL|${PGPASSWORD:-no password}"; } >>` + hookLog
	p, stop := startEvents(t, "--since-start", "--exec", hook)
	subject := fmt.Sprintf("node %d", id)
	waitEvent(t, p, "starting state", func(e eventLine) bool { return e.Kind == "primary" && e.Old == "" })
	detached(t, id)
	waitEvent(t, p, "detach", func(e eventLine) bool { return e.Kind == "node_status" && e.Subject == subject && e.New == "down" })
	act(t, stock, "pcp_attach_node", "-n", fmt.Sprint(id))
	waitNodeStatus(t, id, statusUp...)
	waitEvent(t, p, "attach", func(e eventLine) bool { return e.Kind == "node_status" && e.Subject == subject && e.Old == "down" })
	out, errOut := stop()
	evs := parseEvents(t, out)
	if !hasEvent(evs, "pgpool_reachable", "pgpool", "", "") || !hasEvent(evs, "primary", "primary", "", "node 0") {
		t.Errorf("no starting state:\n%s", out)
	}
	var down, up eventLine
	for _, e := range evs {
		if e.Kind == "node_status" && e.Subject == subject && e.New == "down" {
			down = e
		}
		if e.Kind == "node_status" && e.Subject == subject && e.Old == "down" {
			up = e
		}
	}
	if (down.Old != "up" && down.Old != "waiting") || down.NodeID == nil || *down.NodeID != id || (up.New != "up" && up.New != "waiting") {
		t.Errorf("transitions: down %+v up %+v\n%s", down, up, out)
	}
	if strings.Contains(out, "pgpool_unreachable") {
		t.Errorf("pgpool's PCP restart reported as an outage:\n%s", out)
	}
	b, err := os.ReadFile(hookLog)
	if err != nil {
		t.Fatalf("hook never ran: %v\nstderr: %s", err, errOut)
	}
	log := string(b)
	if n := strings.Count(log, "\nenv "); n != len(evs) || strings.Count(log, `{"time":`) != len(evs) {
		t.Errorf("%d events, hook log:\n%s", len(evs), log)
	}
	for _, want := range []string{
		fmt.Sprintf("env node_status|%s|%d|%s|down|%s:%s|no password", subject, id, down.Old, env(t, "PCP_HOST"), env(t, "PCP_PORT")),
		fmt.Sprintf(`"kind":"node_status","subject":"%s","node_id":%d,"old":"down"`, subject, id),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no %q in the hook log:\n%s", want, log)
		}
	}
}

func switchover(t *testing.T, id int, args ...string) result {
	t.Helper()
	return modern(t, append([]string{"node", "promote", strconv.Itoa(id), "--switchover", "--sql-user", "postgres", "--timeout", "60s"}, args...)...)
}

// switchedBack restores node 0 as the primary when the test ends:
// scripts/cluster.sh start rebuilds the other nodes as its standbys (the
// old primary, left detached and read-write, still holds the newest data
// of the two only if nothing was written since; the test writes nothing).
func switchedBack(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		start := time.Now()
		restoreCluster(t)
		if rec, err := inRecovery(t, 0); err != nil || rec {
			t.Fatalf("node 0 after the switch back: in recovery %v, %v", rec, err)
		}
		if rec, err := inRecovery(t, 1); err != nil || !rec {
			t.Fatalf("node 1 after the switch back: in recovery %v, %v", rec, err)
		}
		t.Logf("switched back after %s", time.Since(start))
	})
}

// TestSwitchoverFollowsThrough: a dry run sends nothing; --switchover to
// node 1 moves the primary, node 2 then streams from node 1 as its backend
// says, and events sees the primary change (and runs its hook for it).
// Node 0 is the primary again afterwards.
func TestSwitchoverFollowsThrough(t *testing.T) {
	needCluster(t)
	if ok, state := healthy(t); !ok {
		t.Fatalf("cluster not in its initial state: %s", state)
	}
	ports := strings.Fields(env(t, "PG_PORTS"))
	r := switchover(t, 1, "--dry-run")
	want := fmt.Sprintf("would switch over to node 1 (127.0.0.1:%s, standby, ", ports[1])
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, want) || !strings.HasSuffix(r.Stdout, "; dry run, nothing was sent\n") ||
		!strings.Contains(r.Stdout, fmt.Sprintf("node 2 (127.0.0.1:%s) must then stream from node 1; checked: streams from the primary node 0", ports[2])) {
		t.Fatalf("dry run: %s", r)
	}
	if ok, state := healthy(t); !ok {
		t.Fatalf("the dry run changed the cluster: %s", state)
	}
	hookLog := filepath.Join(t.TempDir(), "hook.log")
	p, stop := startEvents(t, "--since-start", "--exec", `echo "$PCPCTL_EVENT_KIND|$PCPCTL_EVENT_OLD|$PCPCTL_EVENT_NEW" >>`+hookLog)
	waitEvent(t, p, "starting state", func(e eventLine) bool { return e.Kind == "primary" && e.Old == "" })

	switchedBack(t)
	r = switchover(t, 1)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("switchover: %s", r)
	}
	for _, want := range []string{
		fmt.Sprintf("node 1 (127.0.0.1:%s, standby, ", ports[1]),
		fmt.Sprintf("\nnode 1 (127.0.0.1:%s): ", ports[1]),
		fmt.Sprintf("\nnode 0 (127.0.0.1:%s): ", ports[0]),
		"; it is left out until rebuilt as a standby (pcpctl node recover 0)\n",
		fmt.Sprintf("\nnode 2 (127.0.0.1:%s): follows: streams from node 1 (127.0.0.1:%s) on timeline ", ports[2], ports[1]),
		"\nswitchover to node 1 complete after ",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.Stdout)
		}
	}
	// What the command said, from the backends and pgpool themselves.
	if rec, err := inRecovery(t, 1); err != nil || rec {
		t.Errorf("node 1 after the switchover: in recovery %v, %v", rec, err)
	}
	if st, port := receiverState(t, 2); st != "streaming" || strconv.Itoa(port) != ports[1] {
		t.Errorf("node 2 after the switchover: receiver %q from port %d, want streaming from %s", st, port, ports[1])
	}
	ls, err := nodeLines(t)
	if err != nil || len(ls) != 3 || ls[0][2] != "3" || ls[1][7] != "primary" || ls[2][2] == "3" {
		t.Errorf("pgpool after the switchover: %v %v", ls, err)
	}
	// pgpool may pass through "no primary" between the two: node 0 is
	// detached before node 1 is promoted, and a poll can land in between.
	waitEvent(t, p, "primary change", func(e eventLine) bool { return e.Kind == "primary" && e.New == "node 1" })
	out, _ := stop()
	oldDown, oldLeft := false, false
	for _, e := range parseEvents(t, out) {
		oldDown = oldDown || (e.Kind == "node_status" && e.Subject == "node 0" && e.New == "down")
		oldLeft = oldLeft || (e.Kind == "primary" && e.Old == "node 0" && (e.New == "node 1" || e.New == "none"))
	}
	if !oldDown || !oldLeft {
		t.Errorf("the old primary's detach (%v) or its end as primary (%v) is not among the events:\n%s", oldDown, oldLeft, out)
	}
	b, err := os.ReadFile(hookLog)
	if err != nil || !(strings.Contains(string(b), "primary|node 0|node 1\n") ||
		strings.Contains(string(b), "primary|node 0|none\n") && strings.Contains(string(b), "primary|none|node 1\n")) {
		t.Errorf("hook log (%v):\n%s", err, b)
	}
}

// TestSwitchoverNamesFailedFollow: with follow_primary_command failing for
// node 2 (scripts/cluster.sh's follow-fail-2), pgpool still reports the
// switchover done; pcpctl names node 2, with what it shows, and exits 27.
func TestSwitchoverNamesFailedFollow(t *testing.T) {
	needCluster(t)
	if ok, state := healthy(t); !ok {
		t.Fatalf("cluster not in its initial state: %s", state)
	}
	ports := strings.Fields(env(t, "PG_PORTS"))
	fault := filepath.Join(env(t, "PCPCTL_CLUSTER_DIR"), "follow-fail-2")
	if err := os.WriteFile(fault, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	switchedBack(t)
	t.Cleanup(func() { os.Remove(fault) }) // runs before the switch back
	r := switchover(t, 1, "--follow-timeout", "10s")
	want := fmt.Sprintf("\nnode 2 (127.0.0.1:%s): did not follow node 1 within 10s: pgpool has it down, standby; on the backend it streams from 127.0.0.1:%s, not from the primary node 1 (127.0.0.1:%s)\n",
		ports[2], ports[0], ports[1])
	if r.Code != 27 || !strings.Contains(r.Stdout, want) || r.Stderr != "pcpctl: node 2 did not follow the new primary node 1\n" {
		t.Errorf("failed follow: %s\nwant exit 27 and %q", r, want)
	}
	if strings.Contains(r.Stdout, "complete") {
		t.Errorf("a switchover with a standby left behind called complete:\n%s", r.Stdout)
	}
}

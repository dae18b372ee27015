package e2e

// Load and faults against the real cluster: many clients at once, a long
// series of detach/attach cycles with readers racing them, and pgpool
// killed under a running --watch. Each test leaves the cluster as found.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// attached is the status of an attached node: pgpool reports a node it has
// not yet routed a session to as "waiting" (1) and flips it to "up" (2) on
// first use, so the two are the same state for these tests.
func attached(status string) bool { return status == "up" || status == "waiting" }

// statusCodes is pgpool's status name for each code.
var statusCodes = map[int]string{0: "unused", 1: "waiting", 2: "up", 3: "down"}

// clusterShape is what must be identical before and after a test.
type clusterShape struct {
	Nodes []string // "id host:port attached|down role pg_role replication_state"
	// Replication is pg_stat_replication on the primary: "port state".
	Replication []string
}

func shape(t *testing.T) clusterShape {
	t.Helper()
	var s clusterShape
	primaryPort := 0
	for _, n := range nodes(t) {
		st := n.Status
		if attached(st) {
			st = "attached"
		}
		s.Nodes = append(s.Nodes, fmt.Sprintf("%d %s:%d %s %s %s %s", n.NodeID, n.Hostname, n.Port, st, n.Role, n.PgRole, n.ReplicationState))
		if n.Role == "primary" {
			primaryPort = n.Port
		}
	}
	if primaryPort == 0 {
		t.Fatalf("no primary: %v", s.Nodes)
	}
	s.Replication = replication(t, primaryPort)
	return s
}

// replication reads pg_stat_replication from the primary itself, not
// through pgpool: each standby's application_name and state, sorted.
func replication(t *testing.T, port int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres connect_timeout=5", env(t, "PG_SOCKET_DIR"), port))
	if err != nil {
		t.Fatalf("connect to the primary: %v", err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, "SELECT coalesce(application_name, ''), coalesce(state, '') FROM pg_stat_replication ORDER BY 1")
	if err != nil {
		t.Fatalf("pg_stat_replication: %v", err)
	}
	var out []string
	for rows.Next() {
		var app, state string
		if err := rows.Scan(&app, &state); err != nil {
			t.Fatal(err)
		}
		out = append(out, app+" "+state)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (a clusterShape) String() string {
	return strings.Join(a.Nodes, "\n") + "\nreplication: " + strings.Join(a.Replication, ", ")
}

func TestLoadConcurrentNodeInfo(t *testing.T) {
	needCluster(t)
	want := nodes(t)
	const clients = 50
	results := make([]result, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = modern(t, "node", "info", strconv.Itoa(i%len(want)), "-o", "json")
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, r := range results {
		id := i % len(want)
		var n node
		// A healthy cluster gives no warnings, also for one node alone.
		if r.Code != 0 || r.Stderr != "" || json.Unmarshal([]byte(r.Stdout), &n) != nil {
			t.Errorf("client %d: %s", i, r)
			continue
		}
		w := want[id]
		if n.NodeID != id || n.Hostname != w.Hostname || n.Port != w.Port || n.Role != w.Role || attached(n.Status) != attached(w.Status) || statusCodes[n.StatusCode] != n.Status {
			t.Errorf("client %d: got %+v, want %+v", i, n, w)
		}
	}
	t.Logf("%d concurrent node info clients answered in %s", clients, elapsed.Round(time.Millisecond))
}

// recordProblems checks one node list read taken while nodes change:
// every record parses and is consistent in itself.
func recordProblems(r result, ports []string) string {
	if r.Code != 0 {
		return "exit " + strconv.Itoa(r.Code) + ": " + r.Stderr
	}
	var ns []node
	if err := json.Unmarshal([]byte(r.Stdout), &ns); err != nil {
		return "does not parse: " + err.Error()
	}
	if len(ns) != len(ports) {
		return fmt.Sprintf("%d records, want %d", len(ns), len(ports))
	}
	for i, n := range ns {
		if n.NodeID != i || strconv.Itoa(n.Port) != ports[i] {
			return fmt.Sprintf("record %d is node %d port %d", i, n.NodeID, n.Port)
		}
		if name, ok := statusCodes[n.StatusCode]; !ok || name != n.Status {
			return fmt.Sprintf("node %d: status %q with code %d", i, n.Status, n.StatusCode)
		}
		if n.Role != "primary" && n.Role != "standby" {
			return fmt.Sprintf("node %d: role %q", i, n.Role)
		}
		if _, err := time.Parse(time.RFC3339, n.LastChange); err != nil {
			return fmt.Sprintf("node %d: last_status_change %q", i, n.LastChange)
		}
	}
	return ""
}

// compatRecordProblems checks pcp_node_info -a (all nodes, stock layout:
// host port status weight status_name pg_status role pg_role delay
// repl_state sync_state date time).
func compatRecordProblems(r result, ports []string) string {
	if r.Code != 0 || r.Stderr != "" {
		return fmt.Sprintf("exit %d: %q", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != len(ports) {
		return fmt.Sprintf("%d lines, want %d: %q", len(lines), len(ports), r.Stdout)
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 13 {
			return fmt.Sprintf("line %d has %d fields: %q", i, len(f), l)
		}
		code, err := strconv.Atoi(f[2])
		if f[1] != ports[i] || err != nil || statusCodes[code] != f[4] {
			return fmt.Sprintf("line %d inconsistent: %q", i, l)
		}
	}
	return ""
}

// setState detaches or attaches a node without --wait and polls until
// pgpool reports the new state: the request is asynchronous.
func setState(t *testing.T, id int, action string) time.Duration {
	t.Helper()
	start := time.Now()
	if r := modern(t, "node", action, strconv.Itoa(id)); r.Code != 0 {
		t.Fatalf("%s %d: %s", action, id, r)
	}
	deadline := start.Add(30 * time.Second)
	for {
		r := modern(t, "node", "info", strconv.Itoa(id), "-o", "json")
		var n node
		if r.Code == 0 && json.Unmarshal([]byte(r.Stdout), &n) == nil {
			if (action == "detach" && n.Status == "down") || (action == "attach" && attached(n.Status)) {
				return time.Since(start)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d not %sed after 30s: %s", id, action, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLoadDetachAttachCycles(t *testing.T) {
	needCluster(t)
	before := shape(t)
	id := standby(t)
	t.Cleanup(func() {
		if ns := nodes(t); ns[id].Status == "down" {
			modern(t, "node", "attach", strconv.Itoa(id), "--wait", "--timeout", "60s")
		}
	})
	ports := strings.Fields(env(t, "PG_PORTS"))

	// Readers race the first cycles: the modern list and the stock-format
	// pcp_node_info -a. pgpool restarts its PCP process on every failover
	// and failback, cutting the sessions in flight: such a read must fail
	// cleanly (connection exit code, one error line, nothing on stdout),
	// and every read that succeeds must hold whole, consistent records.
	// Readers also slow each change down to about a second (pgpool waits
	// for the PCP process), so the remaining cycles run without them.
	const cycles, racedCycles = 100, 15
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	reads, cut := 0, 0
	var torn []string
	reader := func(read func() result, failCode int, problems func(result, []string) string) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := read()
			mu.Lock()
			reads++
			switch {
			case r.Code == failCode && r.Stdout == "" && strings.Count(r.Stderr, "\n") == 1:
				cut++
			default:
				if p := problems(r, ports); p != "" && len(torn) < 10 {
					torn = append(torn, p)
				}
			}
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	}
	wg.Add(2)
	go reader(func() result { return modern(t, "node", "list", "-o", "json") }, 3, recordProblems)
	go reader(func() result {
		return ours(t, invocation{Tool: "pcp_node_info", Args: args(tcp(t), "-a")})
	}, 1, compatRecordProblems)

	var detachTotal, attachTotal, detachMax, attachMax, racedTime time.Duration
	start := time.Now()
	for i := 0; i < cycles && !t.Failed(); i++ {
		if i == racedCycles {
			close(stop)
			wg.Wait()
			racedTime = time.Since(start)
		}
		d := setState(t, id, "detach")
		a := setState(t, id, "attach")
		detachTotal, attachTotal = detachTotal+d, attachTotal+a
		detachMax, attachMax = max(detachMax, d), max(attachMax, a)
	}
	elapsed := time.Since(start)
	select {
	case <-stop:
	default:
		close(stop)
		wg.Wait()
	}
	for _, p := range torn {
		t.Errorf("torn or inconsistent record while node %d changed: %s", id, p)
	}
	if reads-cut == 0 {
		t.Errorf("no racing read succeeded (%d cut by pgpool)", cut)
	}
	t.Logf("%d detach/attach cycles of node %d in %s (the first %d with racing readers: %s): detach mean %s max %s, attach mean %s max %s",
		cycles, id, elapsed.Round(time.Millisecond), racedCycles, racedTime.Round(time.Millisecond), (detachTotal / cycles).Round(time.Millisecond), detachMax.Round(time.Millisecond),
		(attachTotal / cycles).Round(time.Millisecond), attachMax.Round(time.Millisecond))
	t.Logf("racing reads: %d, %d whole and consistent, %d cut cleanly by pgpool's PCP restart, %d torn", reads, reads-cut-len(torn), cut, len(torn))

	// Streaming resumes on its own; give the state a moment to settle.
	deadline := time.Now().Add(20 * time.Second)
	after := shape(t)
	for after.String() != before.String() && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		after = shape(t)
	}
	if after.String() != before.String() {
		t.Errorf("cluster changed over the cycles:\n=== before\n%s\n=== after\n%s", before, after)
	}
}

// pgpoolPid reads the main pgpool's pid from the cluster's pid file.
func pgpoolPid(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env(t, "PCP_SOCKET_DIR"), "pgpool.pid"))
	if err != nil {
		t.Fatal(err)
	}
	// pgpool writes its pid followed by a NUL.
	pid, err := strconv.Atoi(strings.TrimSpace(strings.Trim(string(b), "\x00")))
	if err != nil || pid <= 1 {
		t.Fatalf("pgpool.pid holds %q", b)
	}
	return pid
}

func clusterStart(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "../scripts/cluster.sh", "start").CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/cluster.sh start: %v\n%s", err, out)
	}
}

func TestFaultPgpoolKilledDuringWatch(t *testing.T) {
	needCluster(t)
	// Whatever happens below, the cluster is brought back.
	t.Cleanup(func() { clusterStart(t) })

	conn := []string{"-h", env(t, "PCP_HOST"), "-p", env(t, "PCP_PORT"), "-U", env(t, "PCP_USER"), "-w"}
	cmd := exec.Command(pcpctlBin, append(conn, "node", "list", "--watch=200ms", "-o", "json")...)
	cmd.Env = environ(nil)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	var errMu sync.Mutex
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		errMu.Lock()
		defer errMu.Unlock()
		return stderr.Write(p)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Kill()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	})

	type line struct {
		at   time.Time
		text string
	}
	lines := make(chan line, 1000)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- line{time.Now(), sc.Text()}
		}
		close(lines)
		done <- cmd.Wait()
	}()
	var all []string
	tail := func() string { return strings.Join(all[max(len(all)-4, 0):], "\n") }
	// next waits for a line of the wanted kind.
	next := func(what string, within time.Duration, ok func(map[string]any) bool) time.Time {
		t.Helper()
		timer := time.After(within)
		for {
			select {
			case l, open := <-lines:
				if !open {
					t.Fatalf("watch ended while waiting for %s; last output:\n%s", what, tail())
				}
				all = append(all, l.text)
				var m map[string]any
				if err := json.Unmarshal([]byte(l.text), &m); err != nil {
					t.Fatalf("watch line is not JSON: %q", l.text)
				}
				if ok(m) {
					return l.at
				}
			case <-timer:
				t.Fatalf("no %s within %s; last output:\n%s", what, within, tail())
			}
		}
	}
	isNodes := func(m map[string]any) bool { ns, ok := m["nodes"].([]any); return ok && len(ns) > 0 }
	isDown := func(m map[string]any) bool { _, ok := m["error"]; return ok }

	next("first node list", 10*time.Second, isNodes)
	// The main process alone is not enough: its PCP child keeps answering
	// until it notices the parent is gone. Kill the whole pgpool (its
	// process group, led by the pid in the pid file) as a crash would.
	pid := pgpoolPid(t)
	killed := time.Now()
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill pgpool %d: %v", pid, err)
	}
	seenDown := next("an unreachable report", 15*time.Second, isDown)
	t.Logf("pgpool %d killed; the watch reported it unreachable after %s", pid, seenDown.Sub(killed).Round(time.Millisecond))

	clusterStart(t)
	restarted := time.Now()
	back := next("a node list after the restart", 45*time.Second, isNodes)
	t.Logf("cluster.sh start took %s; the watch showed nodes again %s later", restarted.Sub(seenDown).Round(time.Millisecond), back.Sub(restarted).Round(time.Millisecond))

	cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch did not exit cleanly on SIGINT: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch did not end within 5s of SIGINT")
	}
	errMu.Lock()
	errText := stderr.String()
	errMu.Unlock()
	pcptest.NoLeak(t, "watch output", env(t, "PCP_USER"), clusterPassword, strings.Join(all, "\n"), errText)
	if !strings.Contains(errText, "pgpool is reachable again after ") {
		t.Errorf("no recovery note on stderr: %q", errText)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

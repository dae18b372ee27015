package events

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
)

func snap(statuses []int, roles []int, wd *pcp.WatchdogCluster) *Snapshot {
	s := &Snapshot{Watchdog: wd}
	for i := range statuses {
		s.Nodes = append(s.Nodes, pcp.NodeInfo{Hostname: "h", Port: 5432 + i, Status: statuses[i], Role: roles[i], Layout: pcp.Layout43Q})
	}
	return s
}

func lines(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s %s %d %q→%q", e.Kind, e.Subject, e.NodeID, e.Old, e.New))
	}
	return out
}

func trio(leader string, quorum int, states ...string) *pcp.WatchdogCluster {
	w := &pcp.WatchdogCluster{LeaderNodeName: leader, QuorumStatus: quorum}
	for i, s := range states {
		w.Nodes = append(w.Nodes, pcp.WatchdogNode{ID: i, NodeName: fmt.Sprintf("wd%d", i), StateName: s})
	}
	return w
}

func TestDiff(t *testing.T) {
	healthy := snap([]int{2, 2, 1}, []int{2, 3, 3}, nil)
	for _, c := range []struct {
		name      string
		prev, cur *Snapshot
		want      []string
	}{
		{"no change", healthy, snap([]int{2, 2, 1}, []int{2, 3, 3}, nil), nil},
		{"waiting and up are both attached", healthy, snap([]int{1, 2, 2}, []int{2, 3, 3}, nil), nil},
		{"standby detached", healthy, snap([]int{2, 2, 3}, []int{2, 3, 3}, nil), []string{`node_status node 2 2 "waiting"→"down"`}},
		{"switchover", healthy, snap([]int{3, 2, 2}, []int{3, 2, 3}, nil), []string{
			`node_status node 0 0 "up"→"down"`, `node_role node 0 0 "primary"→"standby"`, `node_role node 1 1 "standby"→"primary"`,
			`primary primary -1 "node 0"→"node 1"`, `main_node main node -1 "node 0"→"node 1"`}},
		{"no primary left", healthy, snap([]int{3, 3, 3}, []int{3, 3, 3}, nil), []string{
			`node_status node 0 0 "up"→"down"`, `node_role node 0 0 "primary"→"standby"`, `node_status node 1 1 "up"→"down"`, `node_status node 2 2 "waiting"→"down"`,
			`primary primary -1 "node 0"→"none"`, `main_node main node -1 "node 0"→"none"`}},
		{"starting state", nil, snap([]int{2}, []int{2}, nil), []string{
			`node_status node 0 0 ""→"up"`, `node_role node 0 0 ""→"primary"`, `primary primary -1 ""→"node 0"`, `main_node main node -1 ""→"node 0"`}},
		// Native replication and snapshot isolation: main and replica, a
		// main node, never a primary.
		{"starting state, main and replica", nil, snap([]int{2, 2}, []int{0, 1}, nil), []string{
			`node_status node 0 0 ""→"up"`, `node_role node 0 0 ""→"main"`, `node_status node 1 1 ""→"up"`, `node_role node 1 1 ""→"replica"`,
			`main_node main node -1 ""→"node 0"`}},
		{"main node down", snap([]int{2, 2}, []int{0, 1}, nil), snap([]int{3, 2}, []int{1, 0}, nil), []string{
			`node_status node 0 0 "up"→"down"`, `node_role node 0 0 "main"→"replica"`, `node_role node 1 1 "replica"→"main"`,
			`main_node main node -1 "node 0"→"node 1"`}},
		{"member lost, quorum lost, leader moves",
			snap([]int{2}, []int{2}, trio("wd0", 1, "LEADER", "STANDBY", "STANDBY")),
			snap([]int{2}, []int{2}, trio("wd1", -1, "LOST", "LEADER", "STANDBY")), []string{
				`watchdog_leader watchdog leader -1 "wd0"→"wd1"`, `watchdog_quorum quorum -1 "exists"→"absent"`,
				`watchdog_member wd0 -1 "LEADER"→"LOST"`, `watchdog_member wd1 -1 "STANDBY"→"LEADER"`}},
		{"member back, quorum regained",
			snap([]int{2}, []int{2}, trio("wd1", -1, "LOST", "LEADER", "STANDBY")),
			snap([]int{2}, []int{2}, trio("wd1", 1, "STANDBY", "LEADER", "STANDBY")), []string{
				`watchdog_quorum quorum -1 "absent"→"exists"`, `watchdog_member wd0 -1 "LOST"→"STANDBY"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := lines(Diff(c.prev, c.cur)); !slices.Equal(got, c.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestRecord(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var b bytes.Buffer
	e := Event{Time: at, Pgpool: "db:9898", Kind: KindReachable, Subject: "pgpool", NodeID: -1, Since: at.Add(-90 * time.Second), Gap: 90 * time.Second}
	writeLine(t, &b, &e)
	e2 := Event{Time: at, Pgpool: "db:9898", Kind: KindNodeStatus, Subject: "node 2", NodeID: 2, Old: "up", New: "down"}
	writeLine(t, &b, &e2)
	want := `{"time":"2026-01-02T03:04:05Z","pgpool":"db:9898","kind":"pgpool_reachable","subject":"pgpool","since":"2026-01-02T03:02:35Z","gap_seconds":90}
{"time":"2026-01-02T03:04:05Z","pgpool":"db:9898","kind":"node_status","subject":"node 2","node_id":2,"old":"up","new":"down"}
`
	if b.String() != want {
		t.Errorf("got\n%swant\n%s", b.String(), want)
	}
}

func TestHookEnv(t *testing.T) {
	e := Event{Time: time.Unix(0, 0), Pgpool: "db:9898", Kind: KindNodeStatus, Subject: "node 1", NodeID: 1, Old: "up", New: "down"}
	env := HookEnv([]string{"PATH=/bin", "PGPASSWORD=s3cret", "PCPPASSWORD=s3cret", "PCPCTL_EVENT_KIND=forged"}, &e)
	joined := strings.Join(env, "\n")
	if strings.Contains(joined, "s3cret") || strings.Contains(joined, "forged") {
		t.Errorf("leaked: %s", joined)
	}
	for _, want := range []string{"PATH=/bin", "PCPCTL_EVENT_KIND=node_status", "PCPCTL_EVENT_NODE_ID=1", "PCPCTL_EVENT_OLD=up", "PCPCTL_EVENT_NEW=down", "PCPCTL_EVENT_PGPOOL=db:9898", "PCPCTL_EVENT_SUBJECT=node 1", "PCPCTL_EVENT_TIME=1970-01-01T00:00:00Z"} {
		if !slices.Contains(env, want) {
			t.Errorf("no %s in %s", want, joined)
		}
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestHookDeadlineAndDrops: a hook that hangs is killed at its deadline
// (its child too), and while it runs, events beyond the queue are dropped
// at once rather than waited for.
func TestHookDeadlineAndDrops(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	var errOut syncBuf
	h := startHooks("cat >>"+marker+"; sleep 30", 200*time.Millisecond, &errOut)
	start := time.Now()
	accepted, dropped := 0, 0
	for i := 0; i < HookQueue+10; i++ {
		if h.offer(Event{Kind: KindNodeStatus, Subject: fmt.Sprintf("node %d", i), NodeID: i}) {
			accepted++
		} else {
			dropped++
		}
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("offering blocked for %s", took)
	}
	// The first event may already be running, so one more fits.
	if dropped < 9 || dropped > 10 || h.droppedCount() != dropped {
		t.Errorf("accepted %d dropped %d (count %d)", accepted, dropped, h.droppedCount())
	}
	close(h.queue)
	// Wait for the first two runs only: each is killed at 200ms.
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(errOut.String(), "killed after 200ms") < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Count(errOut.String(), "killed after 200ms (--exec-timeout)") < 2 {
		t.Fatalf("stderr: %s", errOut.String())
	}
	b, _ := os.ReadFile(marker)
	if !strings.Contains(string(b), `"subject":"node 0","node_id":0`) || !strings.Contains(string(b), `"subject":"node 1"`) {
		t.Errorf("hook stdin: %s", b)
	}
}

func writeLine(t *testing.T, b *bytes.Buffer, e *Event) {
	t.Helper()
	if err := writeRecord(b, e); err != nil {
		t.Fatal(err)
	}
}

package events

import (
	"fmt"
	"time"

	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// Kinds of event, the "kind" of every line.
const (
	KindNodeStatus     = "node_status"
	KindNodeRole       = "node_role"
	KindPrimary        = "primary"
	KindMainNode       = "main_node"
	KindLeader         = "watchdog_leader"
	KindQuorum         = "watchdog_quorum"
	KindMember         = "watchdog_member"
	KindUnreachable    = "pgpool_unreachable"
	KindReachable      = "pgpool_reachable"
	KindHookDropped    = "hook_dropped"
	subjectPgpool      = "pgpool"
	subjectPrimary     = "primary"
	subjectMainNode    = "main node"
	subjectLeader      = "watchdog leader"
	subjectQuorum      = "quorum"
	noneValue          = "none"
	unreachableTimeFmt = time.RFC3339Nano
)

// Event is one transition.
type Event struct {
	Time    time.Time
	Pgpool  string
	Kind    string
	Subject string
	NodeID  int // -1 when the subject is not a backend node
	Old     string
	New     string
	// Since and Gap: for pgpool_reachable, when it became unreachable and
	// for how long; for pgpool_unreachable, Since is the first failure.
	Since time.Time
	Gap   time.Duration
	Error string
	// Dropped counts the events a busy hook missed so far (hook_dropped).
	Dropped int
}

// Record is the event's JSON line, keys in a fixed order.
func (e *Event) Record() output.Record {
	r := output.Record{
		{Key: "time", Value: e.Time.UTC().Format(time.RFC3339Nano)},
		{Key: "pgpool", Value: e.Pgpool},
		{Key: "kind", Value: e.Kind},
		{Key: "subject", Value: e.Subject},
	}
	if e.NodeID >= 0 {
		r = append(r, output.Field{Key: "node_id", Value: e.NodeID})
	}
	if e.Old != "" || e.New != "" {
		r = append(r, output.Field{Key: "old", Value: e.Old}, output.Field{Key: "new", Value: e.New})
	}
	if !e.Since.IsZero() {
		r = append(r, output.Field{Key: "since", Value: e.Since.UTC().Format(unreachableTimeFmt)})
	}
	if e.Gap > 0 {
		r = append(r, output.Field{Key: "gap_seconds", Value: e.Gap.Round(time.Millisecond).Seconds()})
	}
	if e.Error != "" {
		r = append(r, output.Field{Key: "error", Value: e.Error})
	}
	if e.Dropped > 0 {
		r = append(r, output.Field{Key: "dropped", Value: e.Dropped})
	}
	return r
}

// Snapshot is what one poll of a pgpool saw.
type Snapshot struct {
	Nodes []pcp.NodeInfo
	// Watchdog is nil when the watchdog is off or could not be read.
	Watchdog *pcp.WatchdogCluster
}

func nodeStatus(n *pcp.NodeInfo) string { return output.StatusName(n.Status, n.Quarantine) }

func attached(status string) bool { return status == "waiting" || status == "up" }

func nodeRole(n *pcp.NodeInfo) string {
	if !n.Layout.Has(pcp.FieldRole) {
		return ""
	}
	return output.RoleName(n.Role)
}

func primaryOf(s *Snapshot) string {
	if s == nil {
		return ""
	}
	l := output.NewNodeList(s.Nodes, nil)
	// pgpool names roles primary and standby in streaming replication
	// only; elsewhere its first node is the main node (main_node events),
	// and there is no primary to report.
	if !l.Health().Streaming() {
		return ""
	}
	if p := l.Primary(); p != nil {
		return fmt.Sprintf("node %d", p.ID)
	}
	return noneValue
}

// mainOf is pgpool's main node: the lowest-numbered node that is up.
func mainOf(s *Snapshot) string {
	if s == nil {
		return ""
	}
	for i := range s.Nodes {
		if st := s.Nodes[i].Status; st == 1 || st == 2 {
			return fmt.Sprintf("node %d", i)
		}
	}
	return noneValue
}

func quorumWord(q int) string {
	switch q {
	case 1:
		return "exists"
	case 0:
		return "on the edge"
	case -1:
		return "absent"
	case -2:
		return "no leader"
	}
	return fmt.Sprintf("unknown (%d)", q)
}

// Diff lists the transitions from prev to cur (prev nil: the starting
// state, every value new), in a fixed order: nodes by id, then the
// primary and main node, then the watchdog.
func Diff(prev, cur *Snapshot) []Event {
	var out []Event
	add := func(kind, subject string, id int, old, new string) {
		if old != new {
			out = append(out, Event{Kind: kind, Subject: subject, NodeID: id, Old: old, New: new})
		}
	}
	for i := range cur.Nodes {
		var po *pcp.NodeInfo
		if prev != nil && i < len(prev.Nodes) {
			po = &prev.Nodes[i]
		}
		n := &cur.Nodes[i]
		subject := fmt.Sprintf("node %d", i)
		oldStatus, oldRole := "", ""
		if po != nil {
			oldStatus, oldRole = nodeStatus(po), nodeRole(po)
		}
		// waiting and up are both attached (up: a client has connected
		// since); flipping between them is no transition.
		if !(attached(oldStatus) && attached(nodeStatus(n))) {
			add(KindNodeStatus, subject, i, oldStatus, nodeStatus(n))
		}
		add(KindNodeRole, subject, i, oldRole, nodeRole(n))
	}
	add(KindPrimary, subjectPrimary, -1, primaryOf(prev), primaryOf(cur))
	add(KindMainNode, subjectMainNode, -1, mainOf(prev), mainOf(cur))
	if w := cur.Watchdog; w != nil {
		var pw *pcp.WatchdogCluster
		if prev != nil {
			pw = prev.Watchdog
		}
		oldLeader, oldQuorum := "", ""
		old := map[string]string{}
		if pw != nil {
			oldLeader, oldQuorum = leaderName(pw), quorumWord(pw.QuorumStatus)
			for _, m := range pw.Nodes {
				old[m.NodeName] = m.StateName
			}
		}
		add(KindLeader, subjectLeader, -1, oldLeader, leaderName(w))
		add(KindQuorum, subjectQuorum, -1, oldQuorum, quorumWord(w.QuorumStatus))
		for _, m := range w.Nodes {
			add(KindMember, m.NodeName, -1, old[m.NodeName], m.StateName)
		}
	}
	return out
}

func leaderName(w *pcp.WatchdogCluster) string {
	if w.LeaderNodeName == "" {
		return noneValue
	}
	return w.LeaderNodeName
}

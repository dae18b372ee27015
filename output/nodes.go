package output

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

// Node is one backend: pgpool's record plus what --sql and
// --check-backends found out.
type Node struct {
	ID   int
	Info pcp.NodeInfo
	// SQL is SHOW pool_nodes' extra columns (nil when not asked or failed).
	SQL *SQLNode
	// Backend is the direct check of the PostgreSQL server (nil when not asked).
	Backend *BackendCheck
}

// SQLNode holds the SHOW pool_nodes columns PCP does not carry.
type SQLNode struct {
	SelectCnt       int64
	LoadBalanceNode bool
}

// BackendCheck is what the backend itself said.
type BackendCheck struct {
	Reachable  bool
	Error      string // why it was unreachable
	InRecovery bool
	// ReplayLag is the standby's distance behind the primary's current WAL
	// position, in bytes; nil on the primary or when unknown.
	ReplayLag *int64
	// NotFollowing is why a streaming standby does not follow pgpool's
	// primary ("" when it does, or it was not judged).
	NotFollowing string
}

// NodeList is the value every node printer prints.
type NodeList struct {
	Nodes []Node
	// Loc is the zone for last_status_change (time.Local unless a test
	// pins it).
	Loc *time.Location
	// SQL and Backends say whether the enrichment columns were asked for,
	// so they appear (possibly empty) exactly when requested.
	SQL      bool
	Backends bool
	// SQLError is why SHOW pool_nodes failed, when it did.
	SQLError string
	// Partial says the list holds only some nodes of the cluster (node
	// info): checks that need every node, such as "no primary", would be
	// false alarms.
	Partial bool
	// Mode is pgpool's backend_clustering_mode, when it was read.
	Mode health.Mode
}

// NewNodeList numbers nodes by position, as pgpool does.
func NewNodeList(infos []pcp.NodeInfo, loc *time.Location) *NodeList {
	l := &NodeList{Loc: loc}
	for i, n := range infos {
		l.Nodes = append(l.Nodes, Node{ID: i, Info: n})
	}
	return l
}

func (l *NodeList) loc() *time.Location {
	if l.Loc == nil {
		return time.Local
	}
	return l.Loc
}

// Health is the node as the health rules see it.
func (n *Node) Health() health.Node {
	h := health.Node{ID: n.ID, Info: n.Info}
	if b := n.Backend; b != nil {
		h.Backend = &health.Backend{Reachable: b.Reachable, Error: b.Error, InRecovery: b.InRecovery, NotFollowing: b.NotFollowing}
	}
	return h
}

// IsUp is pgpool's view: waiting (up, no connection yet) or up.
func (n *Node) IsUp() bool { h := n.Health(); return h.IsUp() }

// IsDown is a detached or quarantined node.
func (n *Node) IsDown() bool { h := n.Health(); return h.IsDown() }

// StatusName is the status word, quarantine included.
func (n *Node) StatusName() string { return StatusName(n.Info.Status, n.Info.Quarantine) }

func (n *Node) has(f pcp.Field) bool { return n.Info.Layout.Has(f) }

// RoleName is pgpool's role word, "" when the server does not send roles.
func (n *Node) RoleName() string { h := n.Health(); return h.RoleName() }

// StatusDisagrees reports pgpool's status contradicting the backend's
// pg_status (one up, the other down).
func (n *Node) StatusDisagrees() bool { h := n.Health(); return h.StatusDisagrees() }

// RoleDisagrees reports pgpool's role contradicting the backend's pg_role.
func (n *Node) RoleDisagrees() bool { h := n.Health(); return h.RoleDisagrees() }

// Delay renders the replication delay with its unit.
func (n *Node) Delay() string {
	if !n.has(pcp.FieldDelay) {
		return ""
	}
	if n.Info.DelayByTime {
		return CFloat(float64(n.Info.Delay)/1e6) + " s"
	}
	return strconv.FormatUint(n.Info.Delay, 10) + " B"
}

// delayUnit names the unit of delayValue, so that a reader of JSON, YAML or
// CSV can tell seconds (delay_threshold_by_time, 4.4+) from bytes.
func (n *Node) delayUnit() any {
	if !n.has(pcp.FieldDelay) {
		return nil
	}
	if n.Info.DelayByTime {
		return "seconds"
	}
	return "bytes"
}

func (n *Node) delayValue() any {
	if !n.has(pcp.FieldDelay) {
		return nil
	}
	if n.Info.DelayByTime {
		return float64(n.Info.Delay) / 1e6
	}
	return n.Info.Delay
}

// LastChange is last_status_change as ISO-8601 with the zone offset.
func (l *NodeList) LastChange(n *Node) string {
	if !n.has(pcp.FieldStatusChanged) {
		return ""
	}
	return time.Unix(n.Info.StatusChanged, 0).In(l.loc()).Format(time.RFC3339)
}

func opt(ok bool, v any) any {
	if !ok {
		return nil
	}
	return v
}

// Record is the node as SHOW pool_nodes names its columns, plus
// status_code and the delay's unit; fields the server's release does not
// send are null.
func (l *NodeList) Record(n *Node) Record {
	i := &n.Info
	r := Record{
		{"node_id", n.ID},
		{"hostname", i.Hostname},
		{"port", i.Port},
		{"status", n.StatusName()},
		{"pg_status", opt(n.has(pcp.FieldPgStatus), i.PgStatus)},
		{"lb_weight", Weight(i.Weight / pcp.RandMax)},
		{"role", opt(n.has(pcp.FieldRole), n.RoleName())},
		{"pg_role", opt(n.has(pcp.FieldPgStatus), i.PgRole)},
		{"replication_delay", n.delayValue()},
		{"replication_state", opt(n.has(pcp.FieldReplication), i.ReplicationState)},
		{"replication_sync_state", opt(n.has(pcp.FieldReplication), i.ReplicationSyncState)},
		{"last_status_change", opt(n.has(pcp.FieldStatusChanged), l.LastChange(n))},
		{"status_code", i.Status},
	}
	if l.SQL {
		var sel, lb any
		if n.SQL != nil {
			sel, lb = n.SQL.SelectCnt, n.SQL.LoadBalanceNode
		}
		r = append(r, Field{"select_cnt", sel}, Field{"load_balance_node", lb})
	}
	if l.Backends {
		var reach, rec, lag, errText any
		if b := n.Backend; b != nil {
			reach = b.Reachable
			if b.Reachable {
				rec = b.InRecovery
				if b.ReplayLag != nil {
					lag = *b.ReplayLag
				}
			} else {
				errText = b.Error
			}
		}
		r = append(r, Field{"backend_reachable", reach}, Field{"backend_in_recovery", rec},
			Field{"backend_replay_lag_bytes", lag}, Field{"backend_error", errText})
	}
	// Last, so that every column a script reads by position stays where
	// it was before the unit was added.
	return append(r, Field{"replication_delay_unit", n.delayUnit()})
}

// Records is every node's record.
func (l *NodeList) Records() []Record {
	recs := make([]Record, len(l.Nodes))
	for i := range l.Nodes {
		recs[i] = l.Record(&l.Nodes[i])
	}
	return recs
}

// Keys is the column order of the records.
func (l *NodeList) Keys() []string {
	return l.Record(&Node{Info: pcp.NodeInfo{Layout: pcp.Layout44}}).Keys()
}

// Health is the list as the health rules see it.
func (l *NodeList) Health() *health.Nodes {
	h := &health.Nodes{Nodes: make([]health.Node, len(l.Nodes)), Partial: l.Partial, SQLError: l.SQLError, Mode: l.Mode}
	for i := range l.Nodes {
		h.Nodes[i] = l.Nodes[i].Health()
	}
	return h
}

// Primary is the primary, if any (streaming and logical replication).
func (l *NodeList) Primary() *Node { return l.find((*health.Node).IsPrimary) }

// Lead is the primary, or the main node in a mode without one.
func (l *NodeList) Lead() *Node { return l.find((*health.Node).Leads) }

func (l *NodeList) find(rule func(*health.Node) bool) *Node {
	for i := range l.Nodes {
		if h := l.Nodes[i].Health(); rule(&h) {
			return &l.Nodes[i]
		}
	}
	return nil
}

// Up counts the nodes pgpool sends queries to (waiting or up).
func (l *NodeList) Up() int { return l.Health().Up() }

func addr(i *pcp.NodeInfo) string { return health.Addr(i.Hostname, i.Port) }

// Addr is host:port of a node.
func (n *Node) Addr() string { return addr(&n.Info) }

// Summary is the one-line state of the cluster, in the words of its
// clustering mode; "" for a partial list (node info), which cannot speak
// for the cluster.
func (l *NodeList) Summary() string {
	if l.Partial {
		return ""
	}
	s := fmt.Sprintf("%d/%d nodes up", l.Up(), len(l.Nodes))
	mode := l.Health().EffectiveMode()
	// Streaming replication is what the words primary and standby already
	// say; other modes are named, so that main and replica read right.
	if l.Mode.Known() && l.Mode != health.ModeStreaming {
		s += " (" + string(l.Mode) + ")"
	}
	if len(l.Nodes) == 0 || !l.Nodes[0].has(pcp.FieldRole) {
		return s
	}
	if p := l.Lead(); p != nil {
		return s + fmt.Sprintf(", %s: node %d (%s)", p.RoleName(), p.ID, p.Addr())
	}
	return s + ", no " + mode.MainWord()
}

// Warnings lists everything an operator should look at (the health
// rules' findings); an empty list is a healthy cluster (what --check tests).
func (l *NodeList) Warnings() []string { return health.Texts(l.Findings()) }

// Healthy is what --check reports: no node down, nothing disagreeing.
func (l *NodeList) Healthy() bool { return len(l.Warnings()) == 0 }

// Marker flags a cell where pgpool and the backend disagree.
const Marker = "!"

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Findings are the health rules' findings on the list.
func (l *NodeList) Findings() []health.Finding { return health.NodeFindings(l.Health()) }

// Document is the list of records; warnings go to stderr, so that a
// script reads the same array whether or not the cluster is healthy.
func (l *NodeList) Document([]health.Finding) any { return l.Records() }

// Frame is one watch refresh of the list.
func (l *NodeList) Frame([]health.Finding) Record { return Record{{"nodes", l.Records()}} }

// tableRow is the node as the table shows it.
func (l *NodeList) tableRow(n *Node, findings []health.Finding) []string {
	status := strconv.Itoa(n.Info.Status) + " " + n.StatusName()
	if n.StatusDisagrees() {
		status += " " + Marker
	}
	role := n.RoleName()
	if n.RoleDisagrees() {
		role += " " + Marker
	}
	pgStatus, pgRole := "", ""
	if n.has(pcp.FieldPgStatus) {
		pgStatus, pgRole = n.Info.PgStatus, n.Info.PgRole
	}
	row := []string{
		strconv.Itoa(n.ID), n.Addr(), status, dash(pgStatus), dash(role), dash(pgRole),
		CFloat(n.Info.Weight / pcp.RandMax)[:5], dash(n.Delay()),
		dash(n.Info.ReplicationState), dash(n.Info.ReplicationSyncState), dash(l.LastChange(n)),
	}
	if l.SQL {
		sel, lb := "-", "-"
		if n.SQL != nil {
			sel = strconv.FormatInt(n.SQL.SelectCnt, 10)
			lb = strconv.FormatBool(n.SQL.LoadBalanceNode)
		}
		row = append(row, sel, lb)
	}
	if l.Backends {
		cell := backendCell(n)
		if backendMarked(n.ID, findings) {
			cell += " " + Marker
		}
		row = append(row, cell)
	}
	return row
}

func backendMarked(id int, findings []health.Finding) bool {
	subj := "node " + strconv.Itoa(id)
	for _, f := range findings {
		if f.Subject == subj && health.BackendMarked(f) {
			return true
		}
	}
	return false
}

func backendCell(n *Node) string {
	b := n.Backend
	switch {
	case b == nil:
		return "-"
	case !b.Reachable:
		return "unreachable"
	case b.InRecovery && b.ReplayLag != nil:
		return "in recovery, lag " + strconv.FormatInt(*b.ReplayLag, 10) + " B"
	case b.InRecovery:
		return "in recovery"
	}
	return "read-write"
}

// TableHeader names the table's columns.
func (l *NodeList) TableHeader() []string {
	h := []string{"ID", "HOST:PORT", "STATUS", "PG_STATUS", "ROLE", "PG_ROLE", "WEIGHT", "DELAY", "REPLICATION", "SYNC", "LAST CHANGE"}
	if l.SQL {
		h = append(h, "SELECTS", "LB NODE")
	}
	if l.Backends {
		h = append(h, "BACKEND")
	}
	return h
}

// Table is the node table with the summary, the disagreement legend and
// the warnings below it.
func (l *NodeList) Table(findings []health.Finding) Table {
	t := Table{Header: l.TableHeader(), Rows: make([][]string, len(l.Nodes)), IDs: make([]int, len(l.Nodes))}
	marked := false
	for i := range l.Nodes {
		n := &l.Nodes[i]
		t.Rows[i], t.IDs[i] = l.tableRow(n, findings), n.ID
		if n.StatusDisagrees() || n.RoleDisagrees() || (l.Backends && backendMarked(n.ID, findings)) {
			marked = true
		}
	}
	if sum := l.Summary(); sum != "" {
		t.Notes = append(t.Notes, sum)
	}
	if marked {
		t.Notes = append(t.Notes, Marker+" pgpool's view and the backend's disagree")
	}
	t.Notes = append(t.Notes, warningLines(findings)...)
	return t
}

package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

// PgpoolView is what one pgpool of a cluster said, or why it said nothing.
type PgpoolView struct {
	// Endpoint names the pgpool as the user did (host:port).
	Endpoint string
	// Error is why the pgpool could not be read ("" when it was).
	Error string
	// Nodes is its node list (nil when unreachable).
	Nodes *NodeList
	// Watchdog is its view of the watchdog cluster (nil when disabled or
	// failed); WatchdogError says which.
	Watchdog      *pcp.WatchdogCluster
	WatchdogError string
	// WatchdogOff is true when pgpool runs without watchdog.
	WatchdogOff bool
}

// Reachable reports a pgpool that answered the node list.
func (p *PgpoolView) Reachable() bool { return p.Error == "" && p.Nodes != nil }

// LocalState is the watchdog state this pgpool reports for itself (the
// local node comes first in its reply), "" when unknown.
func (p *PgpoolView) LocalState() string {
	if p.Watchdog == nil || len(p.Watchdog.Nodes) == 0 {
		return ""
	}
	return p.Watchdog.Nodes[0].StateName
}

// Cluster is the value the cluster printers print: every pgpool of a
// context side by side.
type Cluster struct {
	Context string
	Pgpools []PgpoolView
}

// nodeCount is the largest node list any pgpool sent.
func (c *Cluster) nodeCount() int {
	n := 0
	for i := range c.Pgpools {
		if p := &c.Pgpools[i]; p.Reachable() {
			n = max(n, len(p.Nodes.Nodes))
		}
	}
	return n
}

// node returns pgpool i's node id, nil when it has none.
func (c *Cluster) node(i, id int) *Node {
	p := &c.Pgpools[i]
	if !p.Reachable() || id >= len(p.Nodes.Nodes) {
		return nil
	}
	return &p.Nodes.Nodes[id]
}

// ref is the first pgpool's record of node id: the address and the
// backend's own pg_status/pg_role (the backend says the same to everyone).
func (c *Cluster) ref(id int) *Node {
	for i := range c.Pgpools {
		if n := c.node(i, id); n != nil {
			return n
		}
	}
	return nil
}

// Health is the cluster as the health rules see it.
func (c *Cluster) Health() *health.Cluster {
	h := &health.Cluster{Pgpools: make([]health.Pgpool, len(c.Pgpools))}
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		h.Pgpools[i] = health.Pgpool{Endpoint: p.Endpoint, Error: p.Error, Watchdog: p.Watchdog,
			WatchdogError: p.WatchdogError, WatchdogOff: p.WatchdogOff}
		if p.Nodes != nil {
			h.Pgpools[i].Nodes = p.Nodes.Health()
		}
	}
	return h
}

// Reached counts the pgpools that answered.
func (c *Cluster) Reached() int {
	n := 0
	for i := range c.Pgpools {
		if c.Pgpools[i].Reachable() {
			n++
		}
	}
	return n
}

// Findings are every disagreement and fault, each naming the pgpools and
// the node.
func (c *Cluster) Findings() []health.Finding { return c.Health().Findings() }

// Warnings lists the findings' texts; an empty list is a healthy cluster.
func (c *Cluster) Warnings() []string { return health.Texts(c.Findings()) }

func (c *Cluster) summary(h *health.Cluster, findings []health.Finding) string {
	s := fmt.Sprintf("%d/%d pgpools reachable", c.Reached(), len(c.Pgpools))
	if l := h.Leaders(); len(l) == 1 {
		s += ", watchdog leader " + l[0]
	}
	if len(findings) == 0 {
		return s + ", all agree"
	}
	return s + ", UNHEALTHY"
}

// ClusterMarker flags a cell where pgpools disagree with each other or
// with the backend.
const ClusterMarker = "!"

// TableHeader names the columns: one per pgpool.
func (c *Cluster) TableHeader() []string {
	h := []string{"NODE", "HOST:PORT", "BACKEND"}
	for i := range c.Pgpools {
		h = append(h, c.Pgpools[i].Endpoint)
	}
	return h
}

// tableRows are the node rows, then the watchdog rows (state, leader,
// quorum), each with one cell per pgpool.
func (c *Cluster) tableRows(h *health.Cluster) [][]string {
	var rows [][]string
	primaryDiffer := h.PrimaryDisagrees()
	for id := 0; id < c.nodeCount(); id++ {
		ref := c.ref(id)
		backend := "-"
		if ref.has(pcp.FieldPgStatus) {
			backend = dash(strings.TrimSpace(ref.Info.PgStatus + " " + ref.Info.PgRole))
		}
		row := []string{strconv.Itoa(id), ref.Addr(), backend}
		statusDiffer := h.StatusDisagrees(id)
		for i := range c.Pgpools {
			p := &c.Pgpools[i]
			n := c.node(i, id)
			switch {
			case !p.Reachable():
				row = append(row, "unreachable")
				continue
			case n == nil:
				row = append(row, "absent "+ClusterMarker)
				continue
			}
			cell := n.StatusName()
			if r := n.RoleName(); r != "" {
				cell += " " + r
			}
			isPrimary := false
			if pn := p.Nodes.Lead(); pn != nil && pn.ID == id {
				isPrimary = true
			}
			if statusDiffer || (primaryDiffer && isPrimary) || n.StatusDisagrees() || n.RoleDisagrees() {
				cell += " " + ClusterMarker
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	if !c.anyWatchdog() {
		return rows
	}
	state := []string{"watchdog", "", "state"}
	leader := []string{"", "", "leader"}
	quorum := []string{"", "", "quorum"}
	leaders := h.Leaders()
	leaderDiffer := h.LeaderDisagrees()
	leaderVals := h.LeaderVals()
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		w := p.Watchdog
		switch {
		case !p.Reachable():
			state, leader, quorum = append(state, "unreachable"), append(leader, "-"), append(quorum, "-")
			continue
		case w == nil && p.WatchdogOff:
			state, leader, quorum = append(state, "off"), append(leader, "-"), append(quorum, "-")
			continue
		case w == nil:
			state, leader, quorum = append(state, "failed "+ClusterMarker), append(leader, "-"), append(quorum, "-")
			continue
		}
		st := dash(p.LocalState())
		if len(leaders) > 1 && (st == "LEADER" || st == "MASTER") {
			st += " " + ClusterMarker
		}
		ld := leaderVals[i]
		if leaderDiffer {
			ld += " " + ClusterMarker
		}
		q := QuorumName(w.QuorumStatus)
		if w.QuorumStatus != 1 {
			q += " " + ClusterMarker
		}
		state, leader, quorum = append(state, st), append(leader, ld), append(quorum, q)
	}
	return append(rows, state, leader, quorum)
}

func (c *Cluster) anyWatchdog() bool {
	for i := range c.Pgpools {
		if c.Pgpools[i].Watchdog != nil || (c.Pgpools[i].WatchdogError != "" && !c.Pgpools[i].WatchdogOff) {
			return true
		}
	}
	return false
}

// Table is the side-by-side table with the summary, the legend and the
// warnings below it. The health view is built once for every cell.
func (c *Cluster) Table(findings []health.Finding) Table {
	h := c.Health()
	sum := c.summary(h, findings)
	if c.Context != "" {
		sum = "context " + c.Context + ": " + sum
	}
	t := Table{Header: c.TableHeader(), Rows: c.tableRows(h), Notes: []string{sum}}
	if len(findings) > 0 {
		t.Notes = append(t.Notes, ClusterMarker+" marks a disagreement or fault; see the warnings")
	}
	t.Notes = append(t.Notes, warningLines(findings)...)
	return t
}

// watchdogRecord is one pgpool's view of the watchdog, null when off.
func (p *PgpoolView) watchdogRecord() any {
	w := p.Watchdog
	if w == nil {
		return nil
	}
	return Record{
		{"state", p.LocalState()},
		{"leader_node_name", w.LeaderNodeName},
		{"leader_host_name", w.LeaderHostName},
		{"quorum_status", w.QuorumStatus},
		{"quorum", QuorumName(w.QuorumStatus)},
		{"escalated", w.Escalated},
		{"nodes", (&Watchdog{Cluster: w}).NodeRecords()},
	}
}

// Document is the whole cluster as one document: each pgpool with its own
// records, then per node the view of every pgpool, then the warnings.
func (c *Cluster) Document(findings []health.Finding) any {
	return append(c.Frame(findings), Field{"warnings", warningRecords(findings)})
}

// Frame is the document before its warnings, which a watch stream adds.
func (c *Cluster) Frame(findings []health.Finding) Record {
	h := c.Health()
	pgpools := make([]Record, len(c.Pgpools))
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		var nodes any
		if p.Reachable() {
			nodes = p.Nodes.Records()
		}
		pgpools[i] = Record{
			{"endpoint", p.Endpoint},
			{"reachable", p.Reachable()},
			{"error", opt(p.Error != "", p.Error)},
			{"watchdog", p.watchdogRecord()},
			{"watchdog_error", opt(p.WatchdogError != "", p.WatchdogError)},
			{"nodes", nodes},
		}
	}
	nodes := make([]Record, c.nodeCount())
	for id := range nodes {
		ref := c.ref(id)
		views := []Record{}
		for i := range c.Pgpools {
			n := c.node(i, id)
			if n == nil {
				continue
			}
			views = append(views, Record{
				{"pgpool", c.Pgpools[i].Endpoint},
				{"status", n.StatusName()},
				{"role", opt(n.has(pcp.FieldRole), n.RoleName())},
			})
		}
		nodes[id] = Record{
			{"node_id", id},
			{"hostname", ref.Info.Hostname},
			{"port", ref.Info.Port},
			{"pg_status", opt(ref.has(pcp.FieldPgStatus), ref.Info.PgStatus)},
			{"pg_role", opt(ref.has(pcp.FieldPgStatus), ref.Info.PgRole)},
			{"pgpools_agree", !h.StatusDisagrees(id)},
			{"views", views},
		}
	}
	return Record{
		{"context", opt(c.Context != "", c.Context)},
		{"healthy", len(findings) == 0},
		{"pgpools", pgpools},
		{"nodes", nodes},
		{"leaders", stringRecords(h.Leaders())},
	}
}

func stringRecords(s []string) []Record {
	r := make([]Record, len(s))
	for i, v := range s {
		r[i] = Record{{"pgpool", v}}
	}
	return r
}

// Records is the long form for plain, CSV and TSV: one record per pgpool
// and node, unreachable pgpools as one record with the error.
func (c *Cluster) Records() []Record {
	var recs []Record
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		if !p.Reachable() {
			recs = append(recs, Record{{"pgpool", p.Endpoint}, {"error", p.Error}})
			continue
		}
		for id := range p.Nodes.Nodes {
			n := &p.Nodes.Nodes[id]
			recs = append(recs, Record{
				{"pgpool", p.Endpoint},
				{"watchdog_state", opt(p.LocalState() != "", p.LocalState())},
				{"node_id", id},
				{"hostname", n.Info.Hostname},
				{"port", n.Info.Port},
				{"status", n.StatusName()},
				{"role", opt(n.has(pcp.FieldRole), n.RoleName())},
				{"pg_status", opt(n.has(pcp.FieldPgStatus), n.Info.PgStatus)},
				{"pg_role", opt(n.has(pcp.FieldPgStatus), n.Info.PgRole)},
				{"error", nil},
			})
		}
	}
	return recs
}

// ClusterRowKeys is the column order of Records.
var ClusterRowKeys = []string{"pgpool", "watchdog_state", "node_id", "hostname", "port", "status", "role", "pg_status", "pg_role", "error"}

// Keys is the column order of Records.
func (c *Cluster) Keys() []string { return ClusterRowKeys }

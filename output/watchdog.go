package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

// Watchdog is the value the watchdog printers print.
type Watchdog struct {
	Cluster *pcp.WatchdogCluster
}

func optInt(v int) any {
	if v < 0 {
		return nil
	}
	return v
}

// NodeRecords are the watchdog members, local node first.
func (w *Watchdog) NodeRecords() []Record {
	recs := make([]Record, 0, len(w.Cluster.Nodes))
	for _, n := range w.Cluster.Nodes {
		var mem, memName any
		if n.MembershipString != "NOT-Available" {
			mem, memName = n.Membership, n.MembershipString
		}
		recs = append(recs, Record{
			{"id", n.ID},
			{"node_name", n.NodeName},
			{"host_name", n.HostName},
			{"pgpool_port", n.PgpoolPort},
			{"wd_port", n.WdPort},
			{"delegate_ip", n.DelegateIP},
			{"priority", n.Priority},
			{"state", n.State},
			{"state_name", n.StateName},
			{"membership", mem},
			{"membership_status", memName},
		})
	}
	return recs
}

var watchdogNodeKeys = []string{"id", "node_name", "host_name", "pgpool_port", "wd_port", "delegate_ip", "priority", "state", "state_name", "membership", "membership_status"}

// Record is the whole cluster with its nodes.
func (w *Watchdog) Record() Record {
	c := w.Cluster
	var member any
	if c.MemberRemoteNodeCount >= 0 {
		member = c.MemberRemoteNodeCount + 1
	}
	return Record{
		{"total_nodes", c.RemoteNodeCount + 1},
		{"remote_nodes", c.RemoteNodeCount},
		{"member_nodes", member},
		{"member_remote_nodes", optInt(c.MemberRemoteNodeCount)},
		{"alive_remote_nodes", c.AliveNodeCount},
		{"nodes_required_for_quorum", optInt(c.NodesRequireForQuorum)},
		{"quorum_status", c.QuorumStatus},
		{"quorum", QuorumName(c.QuorumStatus)},
		{"escalated", c.Escalated},
		{"leader_node_name", c.LeaderNodeName},
		{"leader_host_name", c.LeaderHostName},
		{"nodes", w.NodeRecords()},
	}
}

// Findings are what --check counts as unhealthy.
func (w *Watchdog) Findings() []health.Finding { return health.WatchdogFindings(w.Cluster) }

// Warnings lists the findings' texts.
func (w *Watchdog) Warnings() []string { return health.Texts(w.Findings()) }

// Records are the members, one row each (plain, csv, tsv).
func (w *Watchdog) Records() []Record { return w.NodeRecords() }

// Keys is the column order of Records.
func (w *Watchdog) Keys() []string { return watchdogNodeKeys }

// Document is Record; --check's warnings go to stderr.
func (w *Watchdog) Document([]health.Finding) any { return w.Record() }

// Summary is the one-line state of the watchdog cluster.
func (w *Watchdog) Summary() string {
	c := w.Cluster
	alive := 0
	for _, n := range c.Nodes {
		if health.Alive(n.StateName) {
			alive++
		}
	}
	s := fmt.Sprintf("%d/%d pgpools alive, %s, leader %s", alive, c.RemoteNodeCount+1, strings.ToLower(QuorumName(c.QuorumStatus)), c.LeaderNodeName)
	if c.Escalated {
		s += ", local node escalated"
	}
	return s
}

// Table is the member table with the summary, the quorum requirement and
// the warnings below it.
func (w *Watchdog) Table(findings []health.Finding) Table {
	t := Table{Header: []string{"ID", "NODE NAME", "HOST", "PGPOOL PORT", "WD PORT", "STATE", "MEMBERSHIP", "PRIORITY", "DELEGATE IP"}, Rows: [][]string{}}
	for _, r := range w.NodeRecords() {
		mem := scalar(r.Get("membership_status"))
		t.Rows = append(t.Rows, []string{
			scalar(r.Get("id")), scalar(r.Get("node_name")), scalar(r.Get("host_name")),
			scalar(r.Get("pgpool_port")), scalar(r.Get("wd_port")),
			scalar(r.Get("state")) + " " + scalar(r.Get("state_name")), dash(mem),
			scalar(r.Get("priority")), scalar(r.Get("delegate_ip")),
		})
	}
	t.Notes = []string{w.Summary()}
	if c := w.Cluster; c.NodesRequireForQuorum >= 0 {
		t.Notes = append(t.Notes, "nodes required for quorum: "+strconv.Itoa(c.NodesRequireForQuorum))
	}
	t.Notes = append(t.Notes, warningLines(findings)...)
	return t
}

package health

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/pcp"
)

// Pgpool is what one pgpool of a cluster said, or why it said nothing.
type Pgpool struct {
	Endpoint string
	Error    string
	Nodes    *Nodes // nil when unreachable
	// Watchdog is nil when disabled (WatchdogOff) or failed (WatchdogError).
	Watchdog      *pcp.WatchdogCluster
	WatchdogError string
	WatchdogOff   bool
}

// Reachable reports a pgpool that answered the node list.
func (p *Pgpool) Reachable() bool { return p.Error == "" && p.Nodes != nil }

// LocalState is the watchdog state the pgpool reports for itself (its
// reply lists the local node first).
func (p *Pgpool) LocalState() string {
	if p.Watchdog == nil || len(p.Watchdog.Nodes) == 0 {
		return ""
	}
	return p.Watchdog.Nodes[0].StateName
}

// Cluster is several pgpools' views side by side.
type Cluster struct {
	Pgpools []Pgpool
}

func (c *Cluster) node(i, id int) *Node {
	p := &c.Pgpools[i]
	if !p.Reachable() || id >= len(p.Nodes.Nodes) {
		return nil
	}
	return &p.Nodes.Nodes[id]
}

// NodeCount is the largest node list any pgpool sent.
func (c *Cluster) NodeCount() int {
	n := 0
	for i := range c.Pgpools {
		if p := &c.Pgpools[i]; p.Reachable() {
			n = max(n, len(p.Nodes.Nodes))
		}
	}
	return n
}

// Ref is the first pgpool's record of node id (the backend says the same
// to everyone), nil when no pgpool has it.
func (c *Cluster) Ref(id int) *Node {
	for i := range c.Pgpools {
		if n := c.node(i, id); n != nil {
			return n
		}
	}
	return nil
}

// groups renders "a on h1, h2; b on h3" from pgpool index → value, in the
// order values first appear; differ is false when all values are equal.
func (c *Cluster) groups(vals map[int]string) (text string, differ bool) {
	var order []string
	hosts := map[string][]string{}
	for i := range c.Pgpools {
		v, ok := vals[i]
		if !ok {
			continue
		}
		if _, seen := hosts[v]; !seen {
			order = append(order, v)
		}
		hosts[v] = append(hosts[v], c.Pgpools[i].Endpoint)
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = v + " on " + strings.Join(hosts[v], ", ")
	}
	return strings.Join(parts, "; "), len(order) > 1
}

func (c *Cluster) statusVals(id int) map[int]string {
	m := map[int]string{}
	for i := range c.Pgpools {
		if !c.Pgpools[i].Reachable() {
			continue
		}
		if n := c.node(i, id); n != nil {
			// waiting is up without a connection yet: not a disagreement.
			m[i] = n.StatusName()
			if n.Info.Status == 1 {
				m[i] = "up"
			}
		} else {
			m[i] = "absent"
		}
	}
	return m
}

func (c *Cluster) primaryVals() map[int]string {
	m := map[int]string{}
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		if !p.Reachable() || len(p.Nodes.Nodes) == 0 || !p.Nodes.Nodes[0].has(pcp.FieldRole) {
			continue
		}
		if n := p.Nodes.Lead(); n != nil {
			m[i] = "node " + strconv.Itoa(n.ID)
		} else {
			m[i] = "none"
		}
	}
	return m
}

// LeaderName is the leader a pgpool reports, "no leader" when none.
func LeaderName(w *pcp.WatchdogCluster) string {
	name := w.LeaderNodeName
	if name == "" || name == "Not_Set" {
		return "no leader"
	}
	return name
}

// LeaderVals maps pgpool index to the leader it reports (pgpools without
// a watchdog view are absent).
func (c *Cluster) LeaderVals() map[int]string {
	m := map[int]string{}
	for i := range c.Pgpools {
		if w := c.Pgpools[i].Watchdog; w != nil {
			m[i] = LeaderName(w)
		}
	}
	return m
}

// StatusDisagrees reports pgpools that disagree on node id's status.
func (c *Cluster) StatusDisagrees(id int) bool {
	_, differ := c.groups(c.statusVals(id))
	return differ
}

// PrimaryDisagrees reports pgpools that disagree on the primary.
func (c *Cluster) PrimaryDisagrees() bool {
	_, differ := c.groups(c.primaryVals())
	return differ
}

// LeaderDisagrees reports pgpools that disagree on the watchdog leader.
func (c *Cluster) LeaderDisagrees() bool {
	_, differ := c.groups(c.LeaderVals())
	return differ
}

// Leaders lists the pgpools that claim to be the watchdog leader.
func (c *Cluster) Leaders() []string {
	var l []string
	for i := range c.Pgpools {
		if IsLeaderState(c.Pgpools[i].LocalState()) {
			l = append(l, c.Pgpools[i].Endpoint)
		}
	}
	return l
}

// Findings lists every disagreement and fault, each naming the pgpools and
// the node; none is a healthy cluster.
func (c *Cluster) Findings() []Finding {
	var fs []Finding
	add := func(sev Severity, subj, code, text string) {
		fs = append(fs, Finding{sev, subj, code, text})
	}
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		switch {
		case !p.Reachable():
			add(Critical, "pgpool "+p.Endpoint, CodeUnreachable, fmt.Sprintf("pgpool %s is unreachable: %s", p.Endpoint, p.Error))
		case p.WatchdogError != "" && !p.WatchdogOff:
			add(Unknown, "pgpool "+p.Endpoint, CodeWatchdogFailed, fmt.Sprintf("pgpool %s: watchdog status failed: %s", p.Endpoint, p.WatchdogError))
		}
	}
	counts := map[int]string{}
	for i := range c.Pgpools {
		if p := &c.Pgpools[i]; p.Reachable() {
			counts[i] = strconv.Itoa(len(p.Nodes.Nodes)) + " nodes"
		}
	}
	if g, differ := c.groups(counts); differ {
		add(Critical, "cluster", CodeBackendsDisagree, "pgpools disagree on the backends: "+g)
	}
	for id := 0; id < c.NodeCount(); id++ {
		if g, differ := c.groups(c.statusVals(id)); differ {
			add(Warning, "node "+strconv.Itoa(id), CodeNodeDisagree, fmt.Sprintf("node %d (%s): pgpools disagree on its status: %s", id, c.Ref(id).Addr(), g))
		}
	}
	if g, differ := c.groups(c.primaryVals()); differ {
		add(Critical, "cluster", CodePrimaryDisagree, "pgpools disagree on the primary: "+g)
	}
	if l := c.Leaders(); len(l) > 1 {
		add(Critical, "watchdog", CodeLeaders, fmt.Sprintf("%d pgpools claim to be the watchdog leader: %s", len(l), strings.Join(l, ", ")))
	}
	if g, differ := c.groups(c.LeaderVals()); differ {
		add(Critical, "watchdog", CodeLeaderDisagree, "pgpools disagree on the watchdog leader: "+g)
	}
	// Each pgpool's own findings: the same one from several pgpools is
	// one finding naming them all, at its worst severity.
	type seenBy struct {
		f     Finding
		hosts []string
	}
	var order []*seenBy
	seen := map[string]*seenBy{}
	note := func(f Finding, host string) {
		s := seen[f.Text]
		if s == nil {
			s = &seenBy{f: f}
			seen[f.Text] = s
			order = append(order, s)
		}
		if f.Severity.Worse(s.f.Severity) {
			s.f.Severity = f.Severity
		}
		s.hosts = append(s.hosts, host)
	}
	for i := range c.Pgpools {
		p := &c.Pgpools[i]
		if !p.Reachable() {
			continue
		}
		for _, f := range NodeFindings(p.Nodes) {
			note(f, p.Endpoint)
		}
		if p.Watchdog != nil {
			for _, f := range WatchdogFindings(p.Watchdog) {
				note(f, p.Endpoint)
			}
		}
	}
	for _, s := range order {
		f := s.f
		f.Text += " (seen by " + strings.Join(s.hosts, ", ") + ")"
		fs = append(fs, f)
	}
	return fs
}

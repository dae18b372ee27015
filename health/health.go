// Package health is the one place that decides whether a pgpool cluster is
// healthy. It turns what pgpool said over PCP (node records, the watchdog
// status, several pgpools' views side by side) into typed findings.
// node list --check, watchdog status --check, cluster status, check and
// serve all judge through it, so they cannot disagree; printers only word
// and place the findings.
//
// It imports nothing but pcp, so output (the printers) can delegate to it.
package health

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/pcp"
)

// Severity orders findings as the monitoring plugin conventions number
// their states.
type Severity int

const (
	OK Severity = iota
	Warning
	Critical
	Unknown
)

func (s Severity) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// Worse reports whether s outranks t: CRITICAL, then WARNING, then
// UNKNOWN, then OK, the precedence monitoring plugins use when they merge
// states (a definite problem outranks an answer that could not be judged).
func (s Severity) Worse(t Severity) bool { return rank(s) > rank(t) }

func rank(s Severity) int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Unknown:
		return 1
	}
	return 0
}

// Finding is one thing an operator should look at.
type Finding struct {
	Severity Severity
	// Subject names what the finding is about: "node 1", "watchdog node 2",
	// "pgpool 127.0.0.1:9898", "cluster".
	Subject string
	// Code is a stable identifier for machines (node_down, quorum_absent).
	Code string
	// Text is the sentence the commands print.
	Text string
}

// Texts is the findings' sentences, in order.
func Texts(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Text
	}
	return out
}

// Worst is the highest severity among fs (OK for none).
func Worst(fs []Finding) Severity {
	s := OK
	for _, f := range fs {
		if f.Severity.Worse(s) {
			s = f.Severity
		}
	}
	return s
}

// The words for backend statuses and roles, shared by every printer and by
// the status-codes legend. Constants, not a table, so that no package init
// builds them on the pcp_* path.
const (
	StatusUnused     = "unused"
	StatusWaiting    = "waiting"
	StatusUp         = "up"
	StatusDown       = "down"
	StatusQuarantine = "quarantine"

	RoleMain    = "main"
	RoleReplica = "replica"
	RolePrimary = "primary"
	RoleStandby = "standby"

	UnknownWord = "unknown"
)

// StatusName is pgpool's word for a backend status, quarantine included.
func StatusName(status int, quarantine bool) string {
	switch status {
	case 0:
		return StatusUnused
	case 1:
		return StatusWaiting
	case 2:
		return StatusUp
	case 3:
		if quarantine {
			return StatusQuarantine
		}
		return StatusDown
	}
	return UnknownWord
}

// RoleName is the 4.2+ word for a server role.
func RoleName(role int) string {
	switch role {
	case 0:
		return RoleMain
	case 1:
		return RoleReplica
	case 2:
		return RolePrimary
	case 3:
		return RoleStandby
	}
	return UnknownWord
}

// Backend is what a direct connection to the PostgreSQL server found.
type Backend struct {
	Reachable  bool
	Error      string
	InRecovery bool
	// NotFollowing is why a streaming standby does not follow the
	// primary, as the replication rules judged it ("" when it does).
	NotFollowing string
}

// Node is one backend as pgpool reported it, numbered by position.
type Node struct {
	ID      int
	Info    pcp.NodeInfo
	Backend *Backend // nil when the backend was not asked
}

func (n *Node) has(f pcp.Field) bool { return n.Info.Layout.Has(f) }

// IsUp is pgpool's view: waiting (up, no connection yet) or up.
func (n *Node) IsUp() bool { return n.Info.Status == 1 || n.Info.Status == 2 }

// IsDown is a detached or quarantined node.
func (n *Node) IsDown() bool { return n.Info.Status == 3 }

// StatusName is the node's status word.
func (n *Node) StatusName() string { return StatusName(n.Info.Status, n.Info.Quarantine) }

// RoleName is pgpool's role word, "" when the server does not send roles.
func (n *Node) RoleName() string {
	if !n.has(pcp.FieldRole) {
		return ""
	}
	return RoleName(n.Info.Role)
}

// IsPrimary is the primary of streaming (or logical) replication, not
// down: the one node that takes writes. pgpool's main node in the other
// modes is not one: there every node takes every write.
func (n *Node) IsPrimary() bool {
	return n.has(pcp.FieldRole) && n.Info.Role == 2 && !n.IsDown()
}

// Leads is a node pgpool puts first, not down: the primary, or the main
// node where the mode has no primary (native replication, snapshot
// isolation, raw). Losing it is what an operator must not do lightly.
func (n *Node) Leads() bool {
	return n.has(pcp.FieldRole) && (n.Info.Role == 2 || n.Info.Role == 0) && !n.IsDown()
}

// IsUpStandby is a standby pgpool balances reads to.
func (n *Node) IsUpStandby() bool {
	return n.has(pcp.FieldRole) && n.Info.Role == 3 && n.IsUp()
}

// StatusDisagrees reports pgpool's status contradicting the backend's
// pg_status (one up, the other down).
func (n *Node) StatusDisagrees() bool {
	if !n.has(pcp.FieldPgStatus) {
		return false
	}
	switch n.Info.PgStatus {
	case "up":
		return n.IsDown()
	case "down":
		return n.IsUp()
	}
	return false
}

// RoleDisagrees reports pgpool's role contradicting the backend's pg_role.
func (n *Node) RoleDisagrees() bool {
	if !n.has(pcp.FieldPgStatus) || !n.has(pcp.FieldRole) {
		return false
	}
	switch n.Info.PgRole {
	case "", "unknown":
		return false
	}
	return n.Info.PgRole != n.RoleName()
}

// Addr is host:port of a node.
func (n *Node) Addr() string { return Addr(n.Info.Hostname, n.Info.Port) }

// Addr joins host and port, bracketing an IPv6 address.
func Addr(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// Nodes is one pgpool's node list.
type Nodes struct {
	Nodes []Node
	// Partial: only some nodes of the cluster (node info), so checks that
	// need every node, such as "no primary", would be false alarms.
	Partial bool
	// SQLError is why SHOW pool_nodes failed, when it was asked and did.
	SQLError string
	// Mode is pgpool's backend_clustering_mode ("" when not known: the
	// roles decide, see EffectiveMode).
	Mode Mode
}

// Primary is the primary, if any: only streaming and logical replication
// have one.
func (l *Nodes) Primary() *Node {
	for i := range l.Nodes {
		if l.Nodes[i].IsPrimary() {
			return &l.Nodes[i]
		}
	}
	return nil
}

// Lead is the primary, or the main node in a mode without one.
func (l *Nodes) Lead() *Node {
	for i := range l.Nodes {
		if l.Nodes[i].Leads() {
			return &l.Nodes[i]
		}
	}
	return nil
}

// Up counts the nodes pgpool sends queries to (waiting or up).
func (l *Nodes) Up() int { return l.count((*Node).IsUp) }

// UpStandbys counts the standbys that are up.
func (l *Nodes) UpStandbys() int { return l.count((*Node).IsUpStandby) }

// Secondaries counts the nodes that are neither the primary nor the main
// node: standbys in streaming replication, replicas in the other modes.
func (l *Nodes) Secondaries() int { return l.count((*Node).isSecondary) }

// UpSecondaries counts the Secondaries that are up.
func (l *Nodes) UpSecondaries() int {
	return l.count(func(n *Node) bool { return n.isSecondary() && n.IsUp() })
}

func (l *Nodes) count(rule func(*Node) bool) int {
	c := 0
	for i := range l.Nodes {
		if rule(&l.Nodes[i]) {
			c++
		}
	}
	return c
}

// SecondaryWord is what Secondaries are called: standbys, or replicas
// where the roles are main and replica.
func (l *Nodes) SecondaryWord() string {
	if l.MainAndReplicas() {
		return "replicas"
	}
	return "standbys"
}

// LeadWord is what the node Lead finds is called: primary, or main where
// the roles are main and replica. (Unlike Mode.MainWord, a server that
// sends no roles, 3.x, keeps the word primary.)
func (l *Nodes) LeadWord() string {
	if l.MainAndReplicas() {
		return "main"
	}
	return "primary"
}

// MainAndReplicas reports a cluster whose roles are main and replica, not
// primary and standby: a mode other than streaming replication (told, or
// implied by roles that are neither primary nor standby). False when
// nothing tells (no roles: 3.x).
func (l *Nodes) MainAndReplicas() bool {
	switch m := l.EffectiveMode(); {
	case m == ModeStreaming:
		return false
	case m.Known():
		return true
	}
	for i := range l.Nodes {
		if l.Nodes[i].has(pcp.FieldRole) {
			return true
		}
	}
	return false
}

func (n *Node) isSecondary() bool {
	return n.has(pcp.FieldRole) && (n.Info.Role == 1 || n.Info.Role == 3)
}

// Streaming reports a streaming-replication cluster (roles primary and
// standby), where having no primary is a fault.
func (l *Nodes) Streaming() bool {
	for i := range l.Nodes {
		if r := l.Nodes[i].Info.Role; r == 2 || r == 3 {
			return true
		}
	}
	return false
}

// Finding codes of the node rules.
const (
	CodeNodeQuarantined   = "node_quarantined"
	CodeNodeDown          = "node_down"
	CodeStatusDisagrees   = "status_disagrees"
	CodeRoleDisagrees     = "role_disagrees"
	CodeBackendUnreach    = "backend_unreachable"
	CodeBackendRole       = "backend_role"
	CodeNoPrimary         = "no_primary"
	CodeSplitBrain        = "split_brain"
	CodeSQLFailed         = "sql_failed"
	CodeQuorumEdge        = "quorum_edge"
	CodeNoLeader          = "no_leader"
	CodeQuorumAbsent      = "quorum_absent"
	CodeMemberState       = "watchdog_member_state"
	CodeMemberNotMember   = "watchdog_not_member"
	CodeUnreachable       = "pgpool_unreachable"
	CodeWatchdogFailed    = "watchdog_failed"
	CodeBackendsDisagree  = "backends_disagree"
	CodeNodeDisagree      = "node_status_disagree"
	CodePrimaryDisagree   = "primary_disagree"
	CodeLeaders           = "several_leaders"
	CodeLeaderDisagree    = "leader_disagree"
	CodeWatchdogOff       = "watchdog_off"
	CodeThreshold         = "threshold"
	CodeCannotJudge       = "cannot_judge"
	CodeNoPrimaryRequired = "primary_required"
	CodeReadOnly          = "node_read_only"
	CodeNotFollowing      = "standby_not_following"
)

// BackendMarked reports a finding about what the backend itself said
// contradicting what pgpool does with it: the table marks that node's
// backend cell.
func BackendMarked(f Finding) bool {
	return f.Code == CodeBackendRole || f.Code == CodeReadOnly || f.Code == CodeNotFollowing
}

// NodeFindings judges one pgpool's node list.
func NodeFindings(l *Nodes) []Finding {
	var fs []Finding
	add := func(sev Severity, subj, code, text string) {
		fs = append(fs, Finding{sev, subj, code, text})
	}
	mode := l.EffectiveMode()
	pgPrimaries := 0
	for i := range l.Nodes {
		n := &l.Nodes[i]
		subj := "node " + strconv.Itoa(n.ID)
		if n.has(pcp.FieldPgStatus) && n.Info.PgRole == "primary" {
			pgPrimaries++
		}
		switch {
		case n.Info.Status == 3 && n.Info.Quarantine:
			add(Warning, subj, CodeNodeQuarantined, fmt.Sprintf("node %d (%s) is quarantined: detached until the watchdog reaches consensus", n.ID, n.Addr()))
		case n.IsDown():
			add(Warning, subj, CodeNodeDown, fmt.Sprintf("node %d (%s) is down", n.ID, n.Addr()))
		}
		if n.StatusDisagrees() {
			add(Warning, subj, CodeStatusDisagrees, fmt.Sprintf("node %d: pgpool says %s but the backend is %s", n.ID, n.StatusName(), n.Info.PgStatus))
		}
		if n.RoleDisagrees() {
			add(Warning, subj, CodeRoleDisagrees, fmt.Sprintf("node %d: pgpool says %s but the backend is %s", n.ID, n.RoleName(), n.Info.PgRole))
		}
		if b := n.Backend; b != nil {
			switch {
			case !b.Reachable:
				add(Warning, subj, CodeBackendUnreach, fmt.Sprintf("node %d: backend unreachable: %s", n.ID, b.Error))
			case mode.WritesEverywhere() && n.IsUp() && b.InRecovery:
				add(Critical, subj, CodeReadOnly, fmt.Sprintf("node %d (%s) is up but pg_is_in_recovery() is true: it cannot take the writes pgpool sends every node in %s mode (detach it, then pcpctl node recover %d)", n.ID, n.Addr(), mode, n.ID))
			case mode == ModeRaw || mode.WritesEverywhere():
				// No primary and standbys to check roles against.
			case n.has(pcp.FieldRole) && n.Info.Role == 2 && b.InRecovery:
				add(Critical, subj, CodeBackendRole, fmt.Sprintf("node %d: pgpool says primary but pg_is_in_recovery() is true", n.ID))
			case n.has(pcp.FieldRole) && n.Info.Role == 3 && !b.InRecovery:
				add(Critical, subj, CodeBackendRole, fmt.Sprintf("node %d: pgpool says standby but pg_is_in_recovery() is false", n.ID))
			case mode == ModeStreaming && b.NotFollowing != "":
				add(Critical, subj, CodeNotFollowing, fmt.Sprintf("node %d (%s) does not follow the primary: %s", n.ID, n.Addr(), b.NotFollowing))
			}
		}
	}
	// Lead, not Primary: in logical replication pgpool reports the roles
	// main and replica over PCP (only streaming replication has primary
	// and standby there), and the node it relies on is the main one.
	if !l.Partial && mode.HasPrimary() && l.Lead() == nil {
		add(Critical, "cluster", CodeNoPrimary, "no "+mode.MainWord()+" node is up")
	}
	if pgPrimaries > 1 {
		add(Critical, "cluster", CodeSplitBrain, fmt.Sprintf("%d backends report themselves primary (split brain?)", pgPrimaries))
	}
	if l.SQLError != "" {
		add(Unknown, "cluster", CodeSQLFailed, "SHOW pool_nodes failed: "+l.SQLError)
	}
	return fs
}

// QuorumName is pcp_watchdog_info's wording of a quorum status.
func QuorumName(q int) string {
	switch q {
	case 0:
		return "QUORUM IS ON THE EDGE"
	case 1:
		return "QUORUM EXIST"
	case -1:
		return "QUORUM ABSENT"
	case -2:
		return "NO LEADER NODE"
	}
	return "UNKNOWN"
}

// Alive is a watchdog member taking part: LEADER (MASTER before 4.2) or
// STANDBY.
func Alive(state string) bool {
	return state == "LEADER" || state == "MASTER" || state == "STANDBY"
}

// IsLeaderState is a member's state naming it the leader.
func IsLeaderState(state string) bool { return state == "LEADER" || state == "MASTER" }

// WatchdogFindings judges one pgpool's view of the watchdog cluster.
func WatchdogFindings(c *pcp.WatchdogCluster) []Finding {
	var fs []Finding
	switch c.QuorumStatus {
	case 1:
	case 0:
		fs = append(fs, Finding{Warning, "watchdog", CodeQuorumEdge, "quorum is on the edge: one more lost node loses it"})
	case -2:
		fs = append(fs, Finding{Critical, "watchdog", CodeNoLeader, "the watchdog cluster has no leader"})
	default:
		fs = append(fs, Finding{Critical, "watchdog", CodeQuorumAbsent, "quorum is absent: failover is blocked"})
	}
	for _, n := range c.Nodes {
		subj := "watchdog node " + strconv.Itoa(n.ID)
		if !Alive(n.StateName) {
			fs = append(fs, Finding{Warning, subj, CodeMemberState, fmt.Sprintf("watchdog node %d (%s) is %s", n.ID, n.NodeName, n.StateName)})
		}
		if n.MembershipString != "NOT-Available" && n.Membership != 0 {
			fs = append(fs, Finding{Warning, subj, CodeMemberNotMember, fmt.Sprintf("watchdog node %d (%s) is not a member: %s", n.ID, n.NodeName, n.MembershipString)})
		}
	}
	return fs
}

package e2e

// Tests against the watchdog trio (scripts/cluster.sh wd-start): three
// pgpool instances with use_watchdog = on over the cluster's backends.
// pcp_watchdog_info and the read-only tools are compared with the stock C
// tools through every member, also while members are stopped or lost, and
// `pcpctl watchdog status` is checked against what the C tool reports at the
// same moment. The trio is left as found: one LEADER, two STANDBY.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// wdMember is one trio instance; its index is also its pgpool_node_id.
type wdMember struct {
	id                  int
	pcpPort, pgpoolPort string
	socketDir           string
}

// wdScript runs scripts/cluster.sh with the environment the tests were
// given (the cluster directory and ports).
func wdScript(args ...string) error {
	cmd := exec.Command("../scripts/cluster.sh", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("scripts/cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// wdTrio makes sure the trio runs (wd-start is idempotent and returns in
// a second when it is healthy; make test has started it already) and
// describes it.
func wdTrio(t *testing.T) []wdMember {
	t.Helper()
	needCluster(t)
	if err := wdScript("wd-start"); err != nil {
		t.Fatal(err)
	}
	pcp := strings.Fields(env(t, "WD_PCP_PORTS"))
	pool := strings.Fields(env(t, "WD_PGPOOL_PORTS"))
	socks := strings.Fields(env(t, "WD_SOCKET_DIRS"))
	if len(pcp) != 3 || len(pool) != 3 || len(socks) != 3 {
		t.Fatalf("want 3 trio members: WD_PCP_PORTS=%q WD_PGPOOL_PORTS=%q WD_SOCKET_DIRS=%q", pcp, pool, socks)
	}
	ms := make([]wdMember, 3)
	for i := range ms {
		ms[i] = wdMember{i, pcp[i], pool[i], socks[i]}
	}
	return ms
}

func (m wdMember) tcp(t *testing.T) []string {
	return []string{"-h", env(t, "PCP_HOST"), "-p", m.pcpPort, "-U", env(t, "PCP_USER"), "-w"}
}

func (m wdMember) socket(t *testing.T) []string {
	return []string{"-h", m.socketDir, "-p", m.pcpPort, "-U", env(t, "PCP_USER"), "-w"}
}

// wdStatus is `pcpctl watchdog status -o json|yaml`.
type wdStatus struct {
	TotalNodes        int      `json:"total_nodes" yaml:"total_nodes"`
	RemoteNodes       int      `json:"remote_nodes" yaml:"remote_nodes"`
	MemberNodes       *int     `json:"member_nodes" yaml:"member_nodes"`
	MemberRemoteNodes *int     `json:"member_remote_nodes" yaml:"member_remote_nodes"`
	AliveRemoteNodes  int      `json:"alive_remote_nodes" yaml:"alive_remote_nodes"`
	Required          *int     `json:"nodes_required_for_quorum" yaml:"nodes_required_for_quorum"`
	QuorumStatus      int      `json:"quorum_status" yaml:"quorum_status"`
	Quorum            string   `json:"quorum" yaml:"quorum"`
	Escalated         bool     `json:"escalated" yaml:"escalated"`
	LeaderNodeName    string   `json:"leader_node_name" yaml:"leader_node_name"`
	LeaderHostName    string   `json:"leader_host_name" yaml:"leader_host_name"`
	Nodes             []wdNode `json:"nodes" yaml:"nodes"`
}

type wdNode struct {
	ID               int     `json:"id" yaml:"id"`
	NodeName         string  `json:"node_name" yaml:"node_name"`
	HostName         string  `json:"host_name" yaml:"host_name"`
	PgpoolPort       int     `json:"pgpool_port" yaml:"pgpool_port"`
	WdPort           int     `json:"wd_port" yaml:"wd_port"`
	DelegateIP       string  `json:"delegate_ip" yaml:"delegate_ip"`
	Priority         int     `json:"priority" yaml:"priority"`
	State            int     `json:"state" yaml:"state"`
	StateName        string  `json:"state_name" yaml:"state_name"`
	Membership       *int    `json:"membership" yaml:"membership"`
	MembershipStatus *string `json:"membership_status" yaml:"membership_status"`
}

func (s wdStatus) node(id int) *wdNode {
	for i := range s.Nodes {
		if s.Nodes[i].ID == id {
			return &s.Nodes[i]
		}
	}
	return nil
}

func wdModern(t *testing.T, m wdMember, args ...string) result {
	t.Helper()
	return run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append(append(m.tcp(t), "watchdog", "status"), args...)})
}

// status reads member m's view through pcpctl in format f (json or yaml).
func status(t *testing.T, m wdMember, f string) wdStatus {
	t.Helper()
	r := wdModern(t, m, "-o", f)
	if r.Code != 0 {
		t.Fatalf("watchdog status -o %s through member %d: %s", f, m.id, r)
	}
	var s wdStatus
	var err error
	if f == "yaml" {
		err = yaml.Unmarshal([]byte(r.Stdout), &s)
	} else {
		err = json.Unmarshal([]byte(r.Stdout), &s)
	}
	if err != nil {
		t.Fatalf("watchdog status -o %s: %v\n%s", f, err, r)
	}
	return s
}

// stockView is what `pcp_watchdog_info -v` (the C tool) reports: the cluster
// fields by label, and one label map per node, local node first.
type stockView struct {
	cluster map[string]string
	nodes   []map[string]string
}

func stockVerbose(t *testing.T, m wdMember) stockView {
	t.Helper()
	r := stock(t, invocation{Tool: "pcp_watchdog_info", Args: append(m.tcp(t), "-v")})
	if r.Code != 0 {
		t.Fatalf("stock pcp_watchdog_info -v through member %d: %s", m.id, r)
	}
	v := stockView{cluster: map[string]string{}}
	var cur map[string]string
	sc := bufio.NewScanner(strings.NewReader(r.Stdout))
	for sc.Scan() {
		k, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			cur = nil
			continue
		}
		k, val = strings.TrimSpace(k), strings.TrimPrefix(val, " ")
		if len(v.nodes) == 0 && cur == nil && k != "Node Name" {
			v.cluster[k] = val
			continue
		}
		if k == "Node Name" {
			cur = map[string]string{}
			v.nodes = append(v.nodes, cur)
		}
		if cur != nil {
			cur[k] = val
		}
	}
	return v
}

// agree checks pcpctl's view against the C tool's, field by field.
func agree(t *testing.T, m wdMember, s wdStatus, c stockView) {
	t.Helper()
	want := map[string]string{
		"Total Nodes":               strconv.Itoa(s.TotalNodes),
		"Remote Nodes":              strconv.Itoa(s.RemoteNodes),
		"Alive Remote Nodes":        strconv.Itoa(s.AliveRemoteNodes),
		"Quorum state":              s.Quorum,
		"Local node escalation":     map[bool]string{true: "YES", false: "NO"}[s.Escalated],
		"Leader Node Name":          s.LeaderNodeName,
		"Leader Host Name":          s.LeaderHostName,
		"Member Remote Nodes":       fmt.Sprint(deref(s.MemberRemoteNodes)),
		"Nodes required for quorum": fmt.Sprint(deref(s.Required)),
	}
	for k, v := range want {
		if c.cluster[k] != v {
			t.Errorf("member %d: %s: pcpctl says %q, pcp_watchdog_info %q", m.id, k, v, c.cluster[k])
		}
	}
	if len(c.nodes) != len(s.Nodes) {
		t.Fatalf("member %d: pcpctl lists %d nodes, pcp_watchdog_info %d", m.id, len(s.Nodes), len(c.nodes))
	}
	for i, n := range s.Nodes {
		cn := c.nodes[i]
		got := map[string]string{
			"Node Name": n.NodeName, "Host Name": n.HostName, "Delegate IP": n.DelegateIP,
			"Pgpool port": strconv.Itoa(n.PgpoolPort), "Watchdog port": strconv.Itoa(n.WdPort),
			"Node priority": strconv.Itoa(n.Priority), "Status": strconv.Itoa(n.State),
			"Status Name": n.StateName, "Membership Status": deref(n.MembershipStatus),
		}
		for k, v := range got {
			if cn[k] != v {
				t.Errorf("member %d, node %d: %s: pcpctl says %q, pcp_watchdog_info %q", m.id, i, k, v, cn[k])
			}
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestWatchdogCompat compares the stock tools with pcpctl through every member in
// the trio's steady state.
func TestWatchdogCompat(t *testing.T) {
	ms := wdTrio(t)
	wrong := passFile(t, "*:*:"+env(t, "PCP_USER")+":not-the-password\n", 0o600)
	var cs []diffCase
	add := func(name, tool string, a []string, e map[string]string) {
		cs = append(cs, diffCase{name, invocation{Tool: tool, Args: a, Env: e}})
	}
	for _, m := range ms {
		p := fmt.Sprintf("member%d-", m.id)
		base := m.tcp(t)
		add(p+"plain", "pcp_watchdog_info", base, nil)
		add(p+"verbose", "pcp_watchdog_info", args(base, "-v"), nil)
		for _, id := range []string{"0", "1", "2", "3", "99"} {
			add(p+"node-"+id, "pcp_watchdog_info", args(base, "-n", id), nil)
		}
		add(p+"verbose-node-0", "pcp_watchdog_info", args(base, "-v", "-n", "0"), nil)
		add(p+"verbose-node-2", "pcp_watchdog_info", args(base, "-v", "-n", "2"), nil)
		add(p+"verbose-node-7", "pcp_watchdog_info", args(base, "-v", "-n", "7"), nil)
		add(p+"socket", "pcp_watchdog_info", m.socket(t), nil)
		add(p+"socket-verbose", "pcp_watchdog_info", args(m.socket(t), "-v"), nil)
		add(p+"wrong-password", "pcp_watchdog_info", base, map[string]string{"PCPPASSFILE": wrong})
		add(p+"node-info", "pcp_node_info", base, nil)
		add(p+"node-info-verbose-1", "pcp_node_info", args(base, "-v", "-n", "1"), nil)
		add(p+"node-info-9", "pcp_node_info", args(base, "-n", "9"), nil)
		add(p+"node-count", "pcp_node_count", base, nil)
		add(p+"node-count-socket", "pcp_node_count", m.socket(t), nil)
		add(p+"proc-count", "pcp_proc_count", base, nil)
		add(p+"pool-status", "pcp_pool_status", base, nil)
		add(p+"health-check-stats-0", "pcp_health_check_stats", args(base, "-n", "0"), nil)
	}
	for _, c := range cs {
		t.Run(c.inv.Tool+"/"+c.name, func(t *testing.T) { compare(t, c.inv) })
	}
	t.Logf("%d side-by-side cases", len(cs))
}

// TestWatchdogStatus checks `pcpctl watchdog status` through every member in
// all its formats against the trio's known layout and the C tool's view.
func TestWatchdogStatus(t *testing.T) {
	checkTrioStatus(t, wdTrio(t))
}

// checkTrioStatus: every member's view in json, yaml and the table with
// --check is the trio's steady state (one LEADER, two STANDBY members,
// quorum), the same as pcp_watchdog_info's, and the members agree on the
// leader.
func checkTrioStatus(t *testing.T, ms []wdMember) {
	t.Helper()
	host := env(t, "PCP_HOST")
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	byPool := map[int]wdMember{}
	for _, m := range ms {
		p, _ := strconv.Atoi(m.pgpoolPort)
		byPool[p] = m
	}
	var leaders []string
	for _, m := range ms {
		// Right after a (re)start a standby learns of the other standby a
		// moment after it joins the leader.
		s := eventuallyView(t, m, "both remote members alive", func(s wdStatus) bool { return s.AliveRemoteNodes == 2 })
		if y := status(t, m, "yaml"); !reflect.DeepEqual(y, s) {
			t.Errorf("member %d: yaml %+v differs from json %+v", m.id, y, s)
		}
		agree(t, m, s, stockVerbose(t, m))
		if s.TotalNodes != 3 || s.RemoteNodes != 2 || deref(s.MemberNodes) != 3 || s.AliveRemoteNodes != 2 ||
			deref(s.Required) != 2 || s.QuorumStatus != 1 || s.Quorum != "QUORUM EXIST" || len(s.Nodes) != 3 {
			t.Errorf("member %d: cluster fields %+v", m.id, s)
		}
		if len(s.Nodes) == 0 || strconv.Itoa(s.Nodes[0].PgpoolPort) != m.pgpoolPort || s.Nodes[0].ID != m.id {
			t.Fatalf("member %d: the local node is not listed first: %+v", m.id, s.Nodes)
		}
		nLeader := 0
		for _, n := range s.Nodes {
			pm, ok := byPool[n.PgpoolPort]
			wantName := fmt.Sprintf("%s:%d Linux %s", host, n.PgpoolPort, hostname)
			wantWd, _ := strconv.Atoi(pm.pcpPort)
			wantWd += 10 // watchdog ports are the PCP ports + 10 (WD_PORT_BASE+20..22)
			if !ok || n.ID != pm.id || n.NodeName != wantName || n.HostName != host || n.WdPort != wantWd ||
				n.DelegateIP != "Not_Set" || n.Priority != 1 || deref(n.Membership) != 0 || deref(n.MembershipStatus) != "MEMBER" {
				t.Errorf("member %d: node %+v (want name %q, wd port %d)", m.id, n, wantName, wantWd)
			}
			switch {
			case n.State == 4 && n.StateName == "LEADER":
				nLeader++
				if s.LeaderNodeName != n.NodeName || s.LeaderHostName != n.HostName {
					t.Errorf("member %d: leader %q/%q but LEADER node is %q", m.id, s.LeaderNodeName, s.LeaderHostName, n.NodeName)
				}
			case n.State == 7 && n.StateName == "STANDBY":
			default:
				t.Errorf("member %d: node %d in state %d %s", m.id, n.ID, n.State, n.StateName)
			}
		}
		if nLeader != 1 {
			t.Errorf("member %d: %d LEADER nodes", m.id, nLeader)
		}
		// Only the leader holds the escalation.
		if local := s.Nodes[0]; s.Escalated != (local.StateName == "LEADER") {
			t.Errorf("member %d: escalated %v but the local node is %s", m.id, s.Escalated, local.StateName)
		}
		leaders = append(leaders, s.LeaderNodeName)

		r := wdModern(t, m, "-o", "table", "--check")
		summary := fmt.Sprintf("3/3 pgpools alive, quorum exist, leader %s", s.LeaderNodeName)
		if s.Escalated {
			summary += ", local node escalated"
		}
		if r.Code != 0 || r.Stderr != "" || !strings.Contains(r.Stdout, "│ NODE NAME ") ||
			!strings.Contains(r.Stdout, "│ 4 LEADER ") || strings.Count(r.Stdout, "│ 7 STANDBY ") != 2 ||
			!strings.Contains(r.Stdout, "\n"+summary+"\nnodes required for quorum: 2\n") || strings.Contains(r.Stdout, "warning") {
			t.Errorf("member %d: table --check (want summary %q): %s", m.id, summary, r)
		}
	}
	if len(leaders) == 3 && (leaders[0] != leaders[1] || leaders[1] != leaders[2]) {
		t.Errorf("members disagree on the leader: %q", leaders)
	}
}

// eventuallyView polls member m's view until ok accepts it (pgpool needs a
// moment to notice a member going away).
func eventuallyView(t *testing.T, m wdMember, what string, ok func(wdStatus) bool) wdStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := status(t, m, "json")
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("member %d never showed %s; last view %+v", m.id, what, s)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func stateOf(s wdStatus, id int) string {
	if n := s.node(id); n != nil {
		return fmt.Sprintf("%d %s", n.State, n.StateName)
	}
	return "missing"
}

// TestWatchdogMemberStopped stops one standby (SHUTDOWN), then kills the
// other (LOST, quorum absent), and restarts them one at a time (the first
// back has never met the other: DEAD), comparing the tools at each step
// through the members running.
func TestWatchdogMemberStopped(t *testing.T) {
	ms := wdTrio(t)
	leader, standbys := trioRoles(t, ms)
	a, b := standbys[0], standbys[1]
	t.Cleanup(func() {
		// Normally a no-op; after a failure midway it restores the trio.
		if err := wdScript("wd-start"); err != nil {
			t.Errorf("restoring the trio: %v", err)
		}
	})
	cmp := func(step string, m wdMember, more ...string) {
		t.Run(fmt.Sprintf("%s/member%d/%s", step, m.id, strings.Join(more, "")), func(t *testing.T) {
			compare(t, invocation{Tool: "pcp_watchdog_info", Args: args(m.tcp(t), more...)})
		})
	}

	// A standby shut down: the others see SHUTDOWN, quorum still holds.
	stopStandbyMember(t, leader, a)
	for _, m := range []wdMember{leader, b} {
		cmp("shutdown", m)
		cmp("shutdown", m, "-v")
		cmp("shutdown", m, "-n", strconv.Itoa(a.id))
	}
	cmp("shutdown", a) // its PCP port is closed: the connection error

	// The other standby killed: LOST, and the leader alone has no quorum.
	if err := wdScript("wd-stop-one", strconv.Itoa(b.id), "kill"); err != nil {
		t.Fatal(err)
	}
	s := eventuallyView(t, leader, "a LOST member and no quorum", func(s wdStatus) bool {
		return stateOf(s, b.id) == "8 LOST" && s.QuorumStatus == -1
	})
	if s.Quorum != "QUORUM ABSENT" || s.AliveRemoteNodes != 0 || stateOf(s, a.id) != "10 SHUTDOWN" {
		t.Errorf("both standbys down, leader's view: %+v", s)
	}
	agree(t, leader, s, stockVerbose(t, leader))
	cmp("lost", leader)
	cmp("lost", leader, "-v")
	cmp("lost", leader, "-n", strconv.Itoa(b.id))
	cmp("lost", b)
	r := wdModern(t, leader, "-o", "table", "--check")
	if r.Code != 25 || !strings.Contains(r.Stdout, "1/3 pgpools alive, quorum absent") ||
		!strings.Contains(r.Stdout, "warning: quorum is absent") || !strings.Contains(r.Stdout, fmt.Sprintf("warning: watchdog node %d (%s) is LOST\n", b.id, s.node(b.id).NodeName)) {
		t.Errorf("--check without quorum: %s", r)
	}

	// The killed one back first: it has never met the member that is still
	// shut down, so it lists it as "Not_Set ... 0 DEAD".
	if err := wdScript("wd-start-one", strconv.Itoa(b.id)); err != nil {
		t.Fatal(err)
	}
	s = eventuallyView(t, b, "the member it never met as DEAD", func(s wdStatus) bool { return s.QuorumStatus == 1 })
	if n := s.node(a.id); n == nil || n.State != 0 || n.StateName != "DEAD" || n.NodeName != "Not_Set" {
		t.Errorf("member %d's view of member %d, which it never met: %+v", b.id, a.id, n)
	}
	agree(t, b, s, stockVerbose(t, b))
	cmp("never-met", b)
	cmp("never-met", b, "-v")
	cmp("never-met", b, "-n", strconv.Itoa(a.id))
	cmp("never-met", leader)

	// Both back: the script waits until all three agree on the leader and
	// on each other's state. The alive count (on 4.3, the leader's count of
	// its standbys, passed on to the others) can follow a moment later.
	if err := wdScript("wd-start-one", strconv.Itoa(a.id)); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		eventuallyView(t, m, "quorum and both remote members alive", func(s wdStatus) bool {
			return s.QuorumStatus == 1 && s.AliveRemoteNodes == 2
		})
		cmp("restarted", m)
		cmp("restarted", m, "-v")
	}
	if r := wdModern(t, leader, "--check", "-o", "json"); r.Code != 0 {
		t.Errorf("--check after the restart: %s", r)
	}
}

// stopStandbyMember shuts standby member a down (fast): the leader sees it
// SHUTDOWN and keeps the quorum, pcpctl agrees with pcp_watchdog_info, and
// watchdog status --check fails (25) naming it.
func stopStandbyMember(t *testing.T, leader, a wdMember) {
	t.Helper()
	if err := wdScript("wd-stop-one", strconv.Itoa(a.id)); err != nil {
		t.Fatal(err)
	}
	s := eventuallyView(t, leader, "a SHUTDOWN member", func(s wdStatus) bool { return stateOf(s, a.id) == "10 SHUTDOWN" })
	if s.QuorumStatus != 1 || s.Quorum != "QUORUM EXIST" || s.AliveRemoteNodes != 1 || !s.Escalated {
		t.Errorf("one standby down, leader's view: %+v", s)
	}
	agree(t, leader, s, stockVerbose(t, leader))
	r := wdModern(t, leader, "-o", "table", "--check")
	if r.Code != 25 || !strings.Contains(r.Stdout, "2/3 pgpools alive, quorum exist") ||
		!strings.Contains(r.Stdout, fmt.Sprintf("warning: watchdog node %d (%s) is SHUTDOWN\n", a.id, s.node(a.id).NodeName)) {
		t.Errorf("--check with a member shut down: %s", r)
	}
}

// trioRoles is the leader and the two standbys, as member 0 sees them.
func trioRoles(t *testing.T, ms []wdMember) (leader wdMember, standbys []wdMember) {
	t.Helper()
	s := status(t, ms[0], "json")
	for _, n := range s.Nodes {
		if n.ID < 0 || n.ID >= len(ms) {
			t.Fatalf("node id %d is not a trio member", n.ID)
		}
		if n.StateName == "LEADER" {
			leader = ms[n.ID]
		} else {
			standbys = append(standbys, ms[n.ID])
		}
	}
	if len(standbys) != 2 {
		t.Fatalf("want a leader and two standbys: %+v", s)
	}
	return leader, standbys
}

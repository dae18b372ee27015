package e2e

// The watchdog trio over the nodes of a native-replication (or snapshot
// isolation) cluster (scripts/cluster-native.sh wd-start): watchdog status
// reads as in streaming mode, while every view of the nodes, through any
// member, is in the mode's words.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestModeReplicatedWatchdog: watchdog status (json, yaml, the table with
// --check, against pcp_watchdog_info) through every member, node list
// through every member and cluster status over the trio, all with one
// leader, two standbys, quorum, and nodes main and replica; then a standby
// member shut down fails watchdog status --check and cluster status. The
// trio is left as found: stopped again if it did not run (the rest of the
// mode's suite stops nodes, which the trio would fail over and wd-start
// then restart).
func TestModeReplicatedWatchdog(t *testing.T) {
	needMode(t, replicated...)
	wasRunning := trioRunning(t)
	t.Cleanup(func() {
		verb := "wd-start"
		if !wasRunning {
			verb = "wd-stop"
		}
		if err := wdScript(verb); err != nil {
			t.Errorf("leaving the trio as found: %v", err)
		}
	})
	ms := wdTrio(t)
	checkTrioStatus(t, ms)

	host, mode := env(t, "PCP_HOST"), clusterMode()
	sum := "3/3 nodes up (" + mode + "), main: node 0 (" + host + ":" + pgPort(t, 0) + ")\n"
	for _, m := range ms {
		r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append(m.tcp(t), "node", "list", "-o", "table", "--check")})
		if r.Code != 0 || !strings.HasSuffix(r.Stdout, sum) || strings.Count(r.Stdout, "│ main    │ main    │") != 1 ||
			strings.Count(r.Stdout, "│ replica │ replica │") != 2 || strings.Contains(r.Stdout, "primary") {
			t.Errorf("node list through member %d: want node 0 main, two replicas, ending %q: %s", m.id, sum, r)
		}
	}

	eps := trio(t)
	r, _ := clusterStatus(t, eps, "-o", "json")
	d := parseCluster(t, r)
	if r.Code != 0 || !d.Healthy || len(d.Pgpools) != 3 || len(d.Leaders) != 1 || len(d.Warnings) != 0 {
		t.Fatalf("cluster status: %s", r)
	}
	leader := -1
	for i, p := range d.Pgpools {
		if p.Watchdog == nil || len(p.Nodes) != 3 {
			t.Fatalf("cluster status, pgpool %d: %+v", i, p)
		}
		switch p.Watchdog.State {
		case "LEADER":
			leader = i
		case "STANDBY":
		default:
			t.Errorf("cluster status, pgpool %d: watchdog state %q", i, p.Watchdog.State)
		}
		for j, n := range p.Nodes {
			if want := map[bool]string{true: "main", false: "replica"}[j == 0]; n.Role != want || (n.Status != "up" && n.Status != "waiting") {
				t.Errorf("cluster status, pgpool %d node %d: %+v, want up %s", i, j, n, want)
			}
		}
	}
	if leader < 0 || d.Leaders[0].Pgpool != eps[leader] {
		t.Fatalf("cluster status: leader %d, leaders %+v", leader, d.Leaders)
	}
	r, _ = clusterStatus(t, eps, "-o", "table")
	if r.Code != 0 {
		t.Fatalf("cluster status table: %s", r)
	}
	goldenTrioLedBy(t, "cluster_trio_replicated.table", leader, normalise(t, r.Stdout))

	// A standby member shut down.
	lm, standbys := trioRoles(t, ms)
	if lm.id != leader {
		t.Fatalf("member 0 sees member %d as the leader, cluster status member %d", lm.id, leader)
	}
	a := standbys[len(standbys)-1]
	stopStandbyMember(t, lm, a)
	sn := status(t, lm, "json").node(a.id)
	if sn == nil {
		t.Fatalf("the leader no longer lists member %d", a.id)
	}
	wants := []string{
		"│ 0 │ " + host + ":" + pgPort(t, 0) + " │ up main │ ",
		"│ 2 │ " + host + ":" + pgPort(t, 2) + " │ up replica │ ",
		"\n2/3 pgpools reachable, watchdog leader " + eps[leader] + ", UNHEALTHY\n",
		"warning: pgpool " + eps[a.id] + " is unreachable: ",
		fmt.Sprintf("warning: watchdog node %d (%s) is SHUTDOWN (seen by ", a.id, sn.NodeName),
	}
	// The other standby hears of the shutdown a moment later, maybe.
	waitFor(t, fmt.Sprintf("cluster status with member %d shut down: exit 25 and %q", a.id, wants), 20*time.Second, func() (bool, string) {
		r, _ := clusterStatus(t, eps, "-o", "table")
		for _, want := range wants {
			if r.Code != 25 || !strings.Contains(squeeze(r.Stdout), want) {
				return false, r.String()
			}
		}
		return true, ""
	})
	if err := wdScript("wd-start-one", fmt.Sprint(a.id)); err != nil {
		t.Fatal(err)
	}
	eventuallyView(t, lm, "both remote members alive again", func(s wdStatus) bool { return s.QuorumStatus == 1 && s.AliveRemoteNodes == 2 })
	if r := wdModern(t, lm, "--check", "-o", "table"); r.Code != 0 || !strings.Contains(r.Stdout, "3/3 pgpools alive, quorum exist") {
		t.Errorf("watchdog status --check with every member back: %s", r)
	}
}

package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/pcp"
)

func trio() *pcp.WatchdogCluster {
	c := &pcp.WatchdogCluster{RemoteNodeCount: 2, MemberRemoteNodeCount: 2, NodesRequireForQuorum: 2, QuorumStatus: 1,
		AliveNodeCount: 2, Escalated: true, LeaderNodeName: "127.0.0.1:29999 Linux vm", LeaderHostName: "127.0.0.1"}
	for i, st := range []struct {
		state int
		name  string
	}{{4, "LEADER"}, {7, "STANDBY"}, {7, "STANDBY"}} {
		p := 29999 + 10000*i
		c.Nodes = append(c.Nodes, pcp.WatchdogNode{ID: i, State: st.state, StateName: st.name,
			NodeName: "127.0.0.1:" + itoa(p) + " Linux vm", HostName: "127.0.0.1", DelegateIP: "Not_Set",
			WdPort: p - 999, PgpoolPort: p, Priority: 1, MembershipString: "MEMBER"})
	}
	return c
}

func itoa(i int) string { return scalar(i) }

func TestWatchdogPrinters(t *testing.T) {
	lost := trio()
	lost.Nodes[2].State, lost.Nodes[2].StateName = 8, "LOST"
	lost.Nodes[2].Membership, lost.Nodes[2].MembershipString = 3, "REVOKED-LOST"
	lost.QuorumStatus = 0
	for _, f := range Formats {
		for name, c := range map[string]*pcp.WatchdogCluster{"healthy": trio(), "lost": lost} {
			var b bytes.Buffer
			if err := Print(&b, Format(f), &Watchdog{Cluster: c}); err != nil {
				t.Fatal(err)
			}
			golden(t, "watchdog_"+name+"."+f, b.Bytes())
		}
	}
	if w := (&Watchdog{Cluster: trio()}).Warnings(); len(w) != 0 {
		t.Errorf("healthy watchdog warns %q", w)
	}
	w := (&Watchdog{Cluster: lost}).Warnings()
	if len(w) != 3 || !strings.Contains(w[0], "on the edge") || !strings.Contains(w[1], "LOST") || !strings.Contains(w[2], "REVOKED-LOST") {
		t.Errorf("warnings %q", w)
	}
}

package pcptest

import (
	"strconv"

	"github.com/pcpctl/pcpctl/pcp"
)

// TrioView is a healthy 4.3.5 watchdog trio (member 0 the leader, pgpool
// ports 29999, 39999, 49999 as in the reference recording) as member local
// reports it: its own record first, escalated only on the leader.
func TrioView(local int) *pcp.WatchdogCluster {
	c := &pcp.WatchdogCluster{RemoteNodeCount: 2, MemberRemoteNodeCount: 2, NodesRequireForQuorum: 2, QuorumStatus: 1,
		AliveNodeCount: 2, Escalated: local == 0, LeaderNodeName: TrioName(0), LeaderHostName: "127.0.0.1"}
	order := []int{local}
	for i := 0; i < 3; i++ {
		if i != local {
			order = append(order, i)
		}
	}
	for id, m := range order {
		state, name := 7, "STANDBY"
		if m == 0 {
			state, name = 4, "LEADER"
		}
		p := 29999 + 10000*m
		c.Nodes = append(c.Nodes, pcp.WatchdogNode{ID: id, State: state, StateName: name,
			NodeName: TrioName(m), HostName: "127.0.0.1", DelegateIP: "Not_Set",
			WdPort: p - 999, PgpoolPort: p, Priority: 1, MembershipString: "MEMBER"})
	}
	return c
}

// TrioName is the watchdog node name of trio member m.
func TrioName(m int) string { return "127.0.0.1:" + strconv.Itoa(29999+10000*m) + " Linux vm" }

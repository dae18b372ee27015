package pcp

import "strconv"

// 3.3–3.4 watchdog status values (the fourth fixed field).
const (
	LegacyWdEnd     = 0
	LegacyWdInit    = 1
	LegacyWdStandby = 2
	LegacyWdActive  = 3 // the master, holding the VIP
	LegacyWdDown    = 4
)

// QuorumNotSent fills QuorumStatus for a 3.3–3.4 server, which has no quorum
// concept; the 4.3.5 tool prints any value it does not know as "UNKNOWN".
const QuorumNotSent = -100

// LegacyState maps a 3.5+ watchdog state to the 3.3–3.4 status a 3.x tool
// would have printed for that pgpool: the leader was "active", a follower
// "standby", anything gone "down", anything still settling "init".
func LegacyState(state int) int {
	switch state {
	case 4: // MASTER/LEADER
		return LegacyWdActive
	case 7: // STANDBY
		return LegacyWdStandby
	case 0, 8, 9, 10, 12: // DEAD, LOST, IN NETWORK TROUBLE, SHUTDOWN, NETWORK ISOLATION
		return LegacyWdDown
	}
	return LegacyWdInit
}

// modernState is the inverse of LegacyState, to the closest 3.5+ state.
func modernState(status int) (int, string) {
	switch status {
	case LegacyWdEnd:
		return 10, "SHUTDOWN"
	case LegacyWdInit:
		return 3, "INITIALIZING"
	case LegacyWdStandby:
		return 7, "STANDBY"
	case LegacyWdActive:
		return 4, "LEADER"
	case LegacyWdDown:
		return 8, "LOST"
	}
	return -1, "UNKNOWN"
}

// Legacy describes a 3.5+ watchdog node with the four 3.3–3.4 fields.
func (n *WatchdogNode) Legacy() LegacyWatchdog {
	return LegacyWatchdog{Hostname: n.HostName, PgpoolPort: n.PgpoolPort, WdPort: n.WdPort, Status: LegacyState(n.State)}
}

// ClusterFromLegacy assembles the 3.5+ view of a 3.3–3.4 watchdog from its
// per-index answers (index 0, the local pgpool, first). What the old server
// never knew is filled as a 4.3.5 client fills missing keys: member counts
// and quorum votes -1, membership "NOT-Available", and "Not_Set" strings.
func ClusterFromLegacy(wds []LegacyWatchdog) *WatchdogCluster {
	c := &WatchdogCluster{
		RemoteNodeCount:       max(len(wds)-1, 0),
		MemberRemoteNodeCount: -1,
		NodesRequireForQuorum: -1,
		QuorumStatus:          QuorumNotSent,
		LeaderNodeName:        "Not Set",
		LeaderHostName:        "Not Set",
		LeaderKeysAreMaster:   true,
	}
	for i, w := range wds {
		state, name := modernState(w.Status)
		n := WatchdogNode{
			ID: i, State: state, StateName: name,
			NodeName:   w.Hostname + ":" + strconv.Itoa(w.PgpoolPort),
			HostName:   w.Hostname,
			DelegateIP: "Not_Set", WdPort: w.WdPort, PgpoolPort: w.PgpoolPort,
			MembershipString: "NOT-Available",
		}
		if i > 0 && (w.Status == LegacyWdStandby || w.Status == LegacyWdActive) {
			c.AliveNodeCount++
		}
		if w.Status == LegacyWdActive {
			if i == 0 {
				c.Escalated = true
			}
			c.LeaderNodeName, c.LeaderHostName = n.NodeName, n.HostName
		}
		c.Nodes = append(c.Nodes, n)
	}
	return c
}

package serve

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pcpctl/pcpctl/cmd/internal/monitor"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("pgpool_"+name, help, labels, nil)
}

// The metric descriptions are built on first use, not at package init:
// every pcp_* call runs this package's init too.
var (
	backendLabels = []string{"pgpool", "node", "host"}
	memberLabels  = []string{"pgpool", "member", "host"}

	dUp, dDuration, dStatus, dBUp, dRole, dPrimary, dWeight, dDelayB, dDelayS, dChange, dHCTotal, dHCSuccess, dHCFail, dHCSkip, dHCRetry, dHCMaxDur, dHCAvgDur, dChildren, dBusy, dMember, dMemberUp, dMemberLead, dQuorum, dHasQuorum, dLeader, dEscalated, dFindings *prometheus.Desc
	allDescs                                                                                                                                                                                                                                                           []*prometheus.Desc
	descsOnce                                                                                                                                                                                                                                                          sync.Once
)

func initDescs() {
	descsOnce.Do(func() {
		dUp = desc("up", "1 when pgpool answered the node list over PCP in this reading, else 0.", "pgpool")
		dDuration = desc("scrape_duration_seconds", "Time taken to read this pgpool over PCP, connecting included.", "pgpool")
		dStatus = desc("backend_status", "Backend status as pgpool numbers it (pcp_node_info field 3): 0 unused, 1 waiting, 2 up, 3 down.", backendLabels...)
		dBUp = desc("backend_up", "1 when pgpool sends queries to the backend (status waiting or up).", backendLabels...)
		dRole = desc("backend_role", "Backend role as pgpool numbers it: 0 main, 1 replica, 2 primary, 3 standby.", backendLabels...)
		dPrimary = desc("backend_primary", "1 when the backend is pgpool's primary (streaming or logical replication) and not down; the main node of the other modes, where every node takes writes, is 0 (see backend_role).", backendLabels...)
		dWeight = desc("backend_weight", "Load-balance weight of the backend (0 to 1).", backendLabels...)
		dDelayB = desc("backend_replication_delay_bytes", "Replication delay of the standby in bytes, as pgpool measures it.", backendLabels...)
		dDelayS = desc("backend_replication_delay_seconds", "Replication delay of the standby in seconds (delay_threshold_by_time).", backendLabels...)
		dChange = desc("backend_last_status_change_timestamp_seconds", "Unix time of the backend's last status change.", backendLabels...)
		dHCTotal = desc("backend_health_checks_total", "Health checks pgpool has run on the backend.", backendLabels...)
		dHCSuccess = desc("backend_health_check_successes_total", "Health checks that succeeded.", backendLabels...)
		dHCFail = desc("backend_health_check_failures_total", "Health checks that failed.", backendLabels...)
		dHCSkip = desc("backend_health_check_skips_total", "Health checks skipped (backend down).", backendLabels...)
		dHCRetry = desc("backend_health_check_retries_total", "Health check retries.", backendLabels...)
		dHCMaxDur = desc("backend_health_check_max_duration_seconds", "Longest health check.", backendLabels...)
		dHCAvgDur = desc("backend_health_check_average_duration_seconds", "Average health check duration.", backendLabels...)
		dChildren = desc("children", "pgpool child processes.", "pgpool")
		dBusy = desc("children_busy", "pgpool child processes serving a client.", "pgpool")
		dMember = desc("watchdog_member_state", "Watchdog member state as pgpool numbers it (4 LEADER, 7 STANDBY, 8 LOST, 10 SHUTDOWN, ...).", memberLabels...)
		dMemberUp = desc("watchdog_member_alive", "1 when the watchdog member is LEADER or STANDBY.", memberLabels...)
		dMemberLead = desc("watchdog_member_leader", "1 for the member this pgpool reports as the watchdog leader.", memberLabels...)
		dQuorum = desc("watchdog_quorum_status", "Quorum status: 1 exists, 0 on the edge, -1 absent, -2 no leader.", "pgpool")
		dHasQuorum = desc("watchdog_quorum", "1 when the watchdog has quorum (exists or on the edge).", "pgpool")
		dLeader = desc("watchdog_leader", "1 when this pgpool is the watchdog leader.", "pgpool")
		dEscalated = desc("watchdog_escalated", "1 when this pgpool holds the escalation (delegate IP).", "pgpool")
		dFindings = desc("health_findings", "Findings of pcpctl's health rules over every pgpool served (those of check and cluster status), by severity.", "severity")
		allDescs = []*prometheus.Desc{dUp, dDuration, dStatus, dBUp, dRole, dPrimary, dWeight, dDelayB, dDelayS, dChange,
			dHCTotal, dHCSuccess, dHCFail, dHCSkip, dHCRetry, dHCMaxDur, dHCAvgDur, dChildren, dBusy,
			dMember, dMemberUp, dMemberLead, dQuorum, dHasQuorum, dLeader, dEscalated, dFindings}
	})
}

// collector exposes one snapshot.
type collector struct {
	snap *monitor.Snapshot
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	cl := c.snap.Cluster
	hc := cl.Health()
	for i := range cl.Pgpools {
		p := &cl.Pgpools[i]
		e := &monitor.Extra{} // a snapshot without extras has none to show
		if i < len(c.snap.Extra) {
			e = &c.snap.Extra[i]
		}
		ep := p.Endpoint
		gauge(dUp, b2f(p.Reachable()), ep)
		gauge(dDuration, e.Took.Seconds(), ep)
		if !p.Reachable() {
			continue
		}
		for j := range hc.Pgpools[i].Nodes.Nodes {
			n := &hc.Pgpools[i].Nodes.Nodes[j]
			l := []string{ep, strconv.Itoa(n.ID), n.Addr()}
			in := &n.Info
			gauge(dStatus, float64(in.Status), l...)
			gauge(dBUp, b2f(n.IsUp()), l...)
			gauge(dWeight, in.Weight/pcp.RandMax, l...)
			if in.Layout.Has(pcp.FieldRole) {
				gauge(dRole, float64(in.Role), l...)
				gauge(dPrimary, b2f(n.IsPrimary()), l...)
			}
			if in.Layout.Has(pcp.FieldDelay) && in.Role != 2 && in.Role != 0 {
				if in.DelayByTime {
					gauge(dDelayS, float64(in.Delay)/1e6, l...)
				} else {
					gauge(dDelayB, float64(in.Delay), l...)
				}
			}
			if in.Layout.Has(pcp.FieldStatusChanged) {
				gauge(dChange, float64(in.StatusChanged), l...)
			}
			if j < len(e.Health) {
				healthMetrics(e.Health[j], l, gauge, counter)
			}
		}
		if ch := e.Children; ch != nil {
			gauge(dChildren, float64(ch.Total), ep)
			gauge(dBusy, float64(ch.Busy), ep)
		}
		if w := p.Watchdog; w != nil {
			gauge(dQuorum, float64(w.QuorumStatus), ep)
			gauge(dHasQuorum, b2f(w.QuorumStatus == 1 || w.QuorumStatus == 0), ep)
			gauge(dLeader, b2f(health.IsLeaderState(hc.Pgpools[i].LocalState())), ep)
			gauge(dEscalated, b2f(w.Escalated), ep)
			for _, m := range w.Nodes {
				l := []string{ep, strconv.Itoa(m.ID), health.Addr(m.HostName, m.PgpoolPort)}
				gauge(dMember, float64(m.State), l...)
				gauge(dMemberUp, b2f(health.Alive(m.StateName)), l...)
				gauge(dMemberLead, b2f(m.NodeName == w.LeaderNodeName), l...)
			}
		}
	}
	counts := map[health.Severity]int{}
	for _, f := range hc.Findings() {
		counts[f.Severity]++
	}
	for _, s := range []health.Severity{health.Warning, health.Critical, health.Unknown} {
		gauge(dFindings, float64(counts[s]), s.String())
	}
}

func healthMetrics(r output.Record, l []string, gauge, counter func(*prometheus.Desc, float64, ...string)) {
	val := func(k string) (float64, bool) {
		switch v := r.Get(k).(type) {
		case int:
			return float64(v), true
		case int64:
			return float64(v), true
		case float64:
			return v, true
		}
		return 0, false
	}
	for _, m := range []struct {
		key     string
		d       *prometheus.Desc
		counter bool
		perUnit float64 // value units per base unit
	}{
		{"total_count", dHCTotal, true, 1},
		{"success_count", dHCSuccess, true, 1},
		{"fail_count", dHCFail, true, 1},
		{"skip_count", dHCSkip, true, 1},
		{"retry_count", dHCRetry, true, 1},
		{"max_duration_ms", dHCMaxDur, false, 1000},
		{"average_duration_ms", dHCAvgDur, false, 1000},
	} {
		v, ok := val(m.key)
		if !ok {
			continue
		}
		if m.counter {
			counter(m.d, v/m.perUnit, l...)
		} else {
			gauge(m.d, v/m.perUnit, l...)
		}
	}
}

// Package shared holds what the node commands have in common: reading the
// node list (with the pre-4.3 fallback), the enrichment over SQL, and the
// safe-action machinery (checks, --dry-run, --wait).
package shared

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// Nodes reads every node in one PCP request (4.3+), or node by node on
// the same connection for older servers, each under the query timeout.
func Nodes(ctx context.Context, c *client.Conn, s *factory.Settings) ([]pcp.NodeInfo, error) {
	qctx, cancel := s.Query(ctx)
	defer cancel()
	nodes, err := c.AllNodeInfo(qctx)
	if err != nil {
		return nil, exitcode.FromClient(err)
	}
	return nodes, nil
}

// Enrich says which extra sources node list consults.
type Enrich struct {
	// SQL is pgpool's SQL endpoint for SHOW pool_nodes (nil: not asked).
	SQL *client.SQLTarget
	// Backends connects to every backend directly.
	Backends bool
	// User is the SQL user for pgpool and the backends ("" = PGUSER).
	User    string
	Timeout time.Duration
	// MaxLag is the replay lag a streaming standby may have behind the
	// primary (0: rules.DefaultMaxLag).
	MaxLag uint64
}

// follows judges, in streaming replication, every up standby against
// pgpool's primary as the backends themselves report (rules.Follows: the
// WAL receiver's sender, timeline, replay lag within MaxLag), so that a
// standby left streaming from elsewhere (a failover without
// follow_primary) becomes a finding.
func (e Enrich) follows(l *output.NodeList, probed map[int]*rules.Backend) {
	if l.Health().EffectiveMode() != health.ModeStreaming {
		return
	}
	p := l.Primary()
	if p == nil {
		return
	}
	pb := probed[p.ID]
	if pb == nil || pb.Err != "" || pb.Rep.InRecovery {
		return // the primary's own finding says it
	}
	maxLag := e.MaxLag
	if maxLag == 0 {
		maxLag = rules.DefaultMaxLag
	}
	for i := range l.Nodes {
		n, b := &l.Nodes[i], probed[i]
		if h := n.Health(); !h.IsUpStandby() || b == nil || b.Err != "" || !b.Rep.InRecovery {
			continue
		}
		if ok, why := rules.Follows(b, pb, maxLag); !ok {
			n.Backend.NotFollowing = why
		}
	}
}

// Apply adds the SQL and backend columns to l. Failures become part of
// the list (SQLError, unreachable backends), never an error for the whole
// table. Every pgx call runs under Timeout.
func (e Enrich) Apply(ctx context.Context, l *output.NodeList) {
	var wg sync.WaitGroup
	if e.SQL != nil {
		l.SQL = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			qctx, cancel := context.WithTimeout(ctx, e.Timeout)
			defer cancel()
			t := *e.SQL
			if t.User == "" {
				t.User = e.User
			}
			rows, err := client.ShowPoolNodes(qctx, t)
			if err != nil {
				l.SQLError = err.Error()
				return
			}
			for _, r := range rows {
				id, err := strconv.Atoi(r["node_id"])
				if err != nil || id < 0 || id >= len(l.Nodes) {
					continue
				}
				sel, _ := strconv.ParseInt(r["select_cnt"], 10, 64)
				l.Nodes[id].SQL = &output.SQLNode{SelectCnt: sel, LoadBalanceNode: r["load_balance_node"] == "true"}
			}
		}()
	}
	var probed map[int]*rules.Backend
	if e.Backends {
		l.Backends = true
		infos := make([]pcp.NodeInfo, len(l.Nodes))
		ids := make([]int, len(l.Nodes))
		for i := range l.Nodes {
			infos[i], ids[i] = l.Nodes[i].Info, i
		}
		probed = ProbeBackends(ctx, infos, ids, e.User, e.Timeout)
		// Replay lag: the one read-write backend's current position minus
		// each standby's replay position.
		var primary *rules.Backend
		for i := range l.Nodes {
			b := probed[i]
			if b.Err != "" {
				l.Nodes[i].Backend = &output.BackendCheck{Error: b.Err}
				continue
			}
			l.Nodes[i].Backend = &output.BackendCheck{Reachable: true, InRecovery: b.Rep.InRecovery}
		}
		for _, b := range probed {
			if b.Err == "" && !b.Rep.InRecovery {
				if primary != nil {
					primary = nil
					break
				}
				primary = b
			}
		}
		if primary != nil && primary.Rep.LSN != 0 {
			for i, b := range probed {
				if b.Err == "" && b.Rep.InRecovery && b.Rep.LSN != 0 {
					lag := int64(rules.Lag(b.Rep, primary.Rep))
					l.Nodes[i].Backend.ReplayLag = &lag
				}
			}
		}
	}
	wg.Wait()
	if probed != nil {
		// After the SQL goroutine: the judgement reads the whole list.
		e.follows(l, probed)
	}
}

// CheckNodeID turns an id pgpool does not have into a usage error.
func CheckNodeID(id int, nodes []pcp.NodeInfo) error {
	if id >= len(nodes) {
		return exitcode.Usage(fmt.Errorf("node %d does not exist: pgpool has %d nodes (0-%d)", id, len(nodes), len(nodes)-1))
	}
	return nil
}

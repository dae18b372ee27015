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
	if e.Backends {
		l.Backends = true
		states := make([]*client.BackendState, len(l.Nodes))
		for i := range l.Nodes {
			wg.Add(1)
			go func(n *output.Node) {
				defer wg.Done()
				qctx, cancel := context.WithTimeout(ctx, e.Timeout)
				defer cancel()
				st, err := client.CheckBackend(qctx, client.SQLTarget{Host: n.Info.Hostname, Port: n.Info.Port, User: e.User})
				if err != nil {
					n.Backend = &output.BackendCheck{Error: err.Error()}
					return
				}
				states[i] = st
				n.Backend = &output.BackendCheck{Reachable: true, InRecovery: st.InRecovery}
			}(&l.Nodes[i])
		}
		wg.Wait()
		// Replay lag: the one read-write backend's current position minus
		// each standby's replay position.
		var primary *client.BackendState
		for _, st := range states {
			if st != nil && !st.InRecovery {
				if primary != nil {
					primary = nil
					break
				}
				primary = st
			}
		}
		if primary != nil && primary.LSN != 0 {
			for i, st := range states {
				if st != nil && st.InRecovery && st.LSN != 0 {
					lag := int64(0)
					if primary.LSN > st.LSN {
						lag = int64(primary.LSN - st.LSN)
					}
					l.Nodes[i].Backend.ReplayLag = &lag
				}
			}
		}
	}
	wg.Wait()
}

// CheckNodeID turns an id pgpool does not have into a usage error.
func CheckNodeID(id int, nodes []pcp.NodeInfo) error {
	if id >= len(nodes) {
		return exitcode.Usage(fmt.Errorf("node %d does not exist: pgpool has %d nodes (0-%d)", id, len(nodes), len(nodes)-1))
	}
	return nil
}

// Prepare resolves what every command checks before it connects: the
// output format (a bad one is a usage error) and the connection settings.
func Prepare(f *factory.Factory, format string, tty bool) (output.Format, *factory.Settings, error) {
	of, err := output.ParseFormat(format, tty)
	if err != nil {
		return of, nil, exitcode.Usage(err)
	}
	s, err := f.Settings()
	return of, s, err
}

package shared

import (
	"context"
	"sync"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

// ProbeBackends asks the backends ids (at the addresses pgpool has for
// them) for their replication state, concurrently, each under timeout. A
// backend that does not answer carries the reason in Err.
func ProbeBackends(ctx context.Context, infos []pcp.NodeInfo, ids []int, user string, timeout time.Duration) map[int]*rules.Backend {
	out := make(map[int]*rules.Backend, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		if _, done := out[id]; done || id < 0 || id >= len(infos) {
			continue
		}
		b := &rules.Backend{ID: id, Host: infos[id].Hostname, Port: infos[id].Port}
		out[id] = b
		wg.Add(1)
		go func() {
			defer wg.Done()
			qctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			rep, err := client.CheckReplication(qctx, client.SQLTarget{Host: b.Host, Port: b.Port, User: user})
			if err != nil {
				b.Err, b.Refused = err.Error(), client.SQLRefused(err)
				return
			}
			b.Rep = rep
		}()
	}
	wg.Wait()
	return out
}

// Mode is pgpool's clustering mode for the node commands' words and
// rules. pgpool names roles primary and standby in streaming replication
// only, so those roles decide without a request; main and replica are
// every other mode's, and pgpool is asked which (under the query timeout).
// ModeUnknown when it does not say (before 4.2, or the request failed).
func Mode(ctx context.Context, c *client.Conn, s *factory.Settings, infos []pcp.NodeInfo) health.Mode {
	h := health.Nodes{Nodes: make([]health.Node, len(infos))}
	for i := range infos {
		h.Nodes[i].Info = infos[i]
	}
	if h.Streaming() {
		return health.ModeStreaming
	}
	qctx, cancel := s.Query(ctx)
	defer cancel()
	m, err := ClusteringMode(qctx, c)
	if err != nil {
		return health.ModeUnknown
	}
	return health.Mode(m)
}

// ClusteringMode reads pgpool's backend_clustering_mode ("" when the
// server does not report it: before 4.2).
func ClusteringMode(ctx context.Context, c *client.Conn) (string, error) {
	rows, err := c.PoolStatus(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.Name == "backend_clustering_mode" {
			return rules.ClusteringMode(r.Value), nil
		}
	}
	return "", nil
}

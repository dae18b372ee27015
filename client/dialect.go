package client

import (
	"context"
	"errors"

	"github.com/pcpctl/pcpctl/pcp"
)

// Servers never announce their version; these methods tell the dialects
// apart by the shape of the replies and give every caller one view of the
// data whatever the server.

// maxLegacyWatchdogs bounds the index walk over a 3.3–3.4 watchdog
// (MAX_WATCHDOG_NUM in those releases).
const maxLegacyWatchdogs = 128

// legacyInvalidIndex is a 3.3–3.4 server's word for an index past its list.
const legacyInvalidIndex = "Invalid watchdog index"

// AllNodeInfo returns every backend: one request on 4.3+ servers; older
// servers refuse id -1, so they are asked for the count and then node by
// node on the same session (an ERROR or a 3.x 'e' leaves it usable).
func (c *Conn) AllNodeInfo(ctx context.Context) ([]pcp.NodeInfo, error) {
	nodes, err := c.NodeInfo(ctx, AllNodes)
	if err == nil || KindOf(err) != KindServer {
		return nodes, err
	}
	n, cerr := c.NodeCount(ctx)
	if cerr != nil {
		return nil, err
	}
	nodes = make([]pcp.NodeInfo, 0, min(n, pcp.MaxBackends))
	for i := 0; i < n; i++ {
		one, err := c.NodeInfo(ctx, i)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, one...)
	}
	return nodes, nil
}

// WatchdogCluster returns the 3.5+ view of the watchdog (id -1: every node).
// A 3.3–3.4 server answers with four fixed fields per index and refuses
// -1, so its answers are collected index by index and converted.
func (c *Conn) WatchdogCluster(ctx context.Context, id int) (*pcp.WatchdogCluster, error) {
	wi, err := c.WatchdogInfo(ctx, id)
	if err != nil {
		var e *Error
		if id >= 0 || !errors.As(err, &e) || e.Legacy != legacyInvalidIndex {
			return nil, err
		}
		var all []pcp.LegacyWatchdog
		for i := 0; i < maxLegacyWatchdogs; i++ {
			wi, err := c.WatchdogInfo(ctx, i)
			if errors.As(err, &e) && e.Legacy == legacyInvalidIndex && i > 0 {
				break
			}
			if err != nil {
				return nil, err
			}
			if wi.Legacy == nil {
				return nil, errInvalidResponse(nil)
			}
			all = append(all, *wi.Legacy)
		}
		return pcp.ClusterFromLegacy(all), nil
	}
	switch {
	case wi.Cluster != nil:
		return wi.Cluster, nil
	case wi.Legacy != nil:
		cl := pcp.ClusterFromLegacy([]pcp.LegacyWatchdog{*wi.Legacy})
		cl.Nodes[0].ID = id
		return cl, nil
	}
	return nil, errInvalidResponse(nil)
}

// LegacyWatchdog returns one pgpool as a 3.3–3.4 server describes it: index
// 0 is the local pgpool, k+1 the k-th other one. A 3.5+ server is asked for
// its whole list (local node first, then the others, the same order), and
// the node converted; an index past the list fails as a 3.x server would.
func (c *Conn) LegacyWatchdog(ctx context.Context, index int) (pcp.LegacyWatchdog, error) {
	wi, err := c.WatchdogInfo(ctx, index)
	if err != nil {
		return pcp.LegacyWatchdog{}, err
	}
	if wi.Legacy != nil {
		return *wi.Legacy, nil
	}
	if wi.Cluster == nil {
		return pcp.LegacyWatchdog{}, errInvalidResponse(nil)
	}
	// The id semantics of 3.5+ differ (4.2+: pgpool_node_id), so ask again
	// for the ordered list instead of trusting the first answer.
	cl, err := c.WatchdogCluster(ctx, AllNodes)
	if err != nil {
		return pcp.LegacyWatchdog{}, err
	}
	if index >= len(cl.Nodes) || cl.Nodes[index].ID < 0 {
		return pcp.LegacyWatchdog{}, &Error{Kind: KindServer, Legacy: legacyInvalidIndex}
	}
	return cl.Nodes[index].Legacy(), nil
}

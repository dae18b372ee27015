// Package monitor reads what check and serve judge and export: the view
// cluster status shows (node list and watchdog status of every pgpool),
// plus pgpool's children and the health-check statistics, all in one PCP
// session per pgpool.
package monitor

import (
	"context"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/cluster/status"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/output"
)

// Want says which extra requests a snapshot makes.
type Want struct {
	Children bool
	Health   bool
}

// Children is pgpool's child processes.
type Children struct {
	Total, Busy int
}

// Extra is what one pgpool said beyond the cluster view.
type Extra struct {
	Children    *Children // nil when not asked or failed
	ChildrenErr string
	// Health is each node's health-check record (nil: not asked or failed).
	Health    []output.Record
	HealthErr string
	// Took is how long reading this pgpool took, connecting included.
	Took time.Duration
}

// Snapshot is one reading of every target.
type Snapshot struct {
	Cluster *output.Cluster
	Extra   []Extra
	At      time.Time
}

// Take reads every target concurrently, one session each, under each
// target's own timeout. pgpool restarts its PCP process about a second
// after every failover or failback and drops the sessions open then (see
// factory.Read), so a pgpool that failed fast (refused or dropped, not
// timed out) is read once more after factory.RestartPause: a check right
// after a detach sees the new state, not a false CRITICAL.
func Take(ctx context.Context, f *factory.Factory, targets []*factory.Settings, interactive bool, want Want) *Snapshot {
	snap := takeOnce(ctx, f, targets, interactive, want)
	var again []int
	for i, s := range targets {
		if !snap.Cluster.Pgpools[i].Reachable() && snap.Extra[i].Took < s.Timeout/2 {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return snap
	}
	select {
	case <-ctx.Done():
		return snap
	case <-time.After(factory.RestartPause):
	}
	sub := make([]*factory.Settings, len(again))
	for j, i := range again {
		sub[j] = targets[i]
	}
	retry := takeOnce(ctx, f, sub, interactive, want)
	for j, i := range again {
		snap.Cluster.Pgpools[i] = retry.Cluster.Pgpools[j]
		snap.Extra[i] = retry.Extra[j]
	}
	return snap
}

func takeOnce(ctx context.Context, f *factory.Factory, targets []*factory.Settings, interactive bool, want Want) *Snapshot {
	start := time.Now()
	snap := &Snapshot{Extra: make([]Extra, len(targets)), At: start}
	snap.Cluster = status.FetchWith(ctx, f, targets, time.UTC, interactive, func(ctx context.Context, i int, c *client.Conn, p *output.PgpoolView) {
		e := &snap.Extra[i]
		defer func() { e.Took = time.Since(start) }()
		if want.Children {
			if ch, err := children(ctx, c); err != nil {
				e.ChildrenErr = cmdutil.OneLine(err)
			} else {
				e.Children = ch
			}
		}
		if want.Health && p.Nodes != nil {
			for id := range p.Nodes.Nodes {
				f, err := c.HealthCheckStats(ctx, id)
				if err != nil {
					e.Health, e.HealthErr = nil, cmdutil.OneLine(err)
					break
				}
				e.Health = append(e.Health, output.HealthRecord(f))
			}
		}
	})
	for i := range snap.Extra {
		if snap.Extra[i].Took == 0 {
			snap.Extra[i].Took = time.Since(start)
		}
	}
	return snap
}

func children(ctx context.Context, c *client.Conn) (*Children, error) {
	pids, err := c.ProcessCount(ctx)
	if err != nil {
		return nil, err
	}
	slots, err := c.ProcessInfo(ctx, 0)
	if err != nil {
		return nil, err
	}
	ch := &Children{Total: len(pids)}
	for _, r := range output.Processes(pids, slots) {
		if r.Get("database") != nil {
			ch.Busy++
		}
	}
	return ch, nil
}

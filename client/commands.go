package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/pcpctl/pcpctl/pcp"
)

// exchange sends one request and returns the first reply that is not a notice.
func (c *Conn) exchange(ctx context.Context, req pcp.FrontendMessage) (pcp.BackendMessage, error) {
	if err := c.send(ctx, req); err != nil {
		return nil, err
	}
	return c.receive(ctx)
}

// NodeCount returns the number of configured backends.
func (c *Conn) NodeCount(ctx context.Context) (int, error) {
	defer c.arm(ctx)()
	msg, err := c.exchange(ctx, &pcp.NodeCountRequest{})
	if err != nil {
		return 0, err
	}
	r, ok := msg.(*pcp.NodeCount)
	if !ok {
		return 0, c.unexpected(msg)
	}
	if r.Tag != "CommandComplete" {
		return 0, errReason(r.Tag)
	}
	if !r.HasCount {
		return 0, errInvalidResponse(errors.New("node count reply without a count"))
	}
	return r.Count, nil
}

// AllNodes asks NodeInfo for every backend (4.3+ servers only).
const AllNodes = -1

// NodeInfo returns one backend, or every backend for AllNodes, whatever the
// server's dialect: 4.3+ multi-record replies and the single-record replies
// of older servers decode to the same type, with Layout telling them apart.
func (c *Conn) NodeInfo(ctx context.Context, id int) ([]pcp.NodeInfo, error) {
	defer c.arm(ctx)()
	if err := c.send(ctx, &pcp.NodeInfoRequest{NodeID: id}); err != nil {
		return nil, err
	}
	var nodes []pcp.NodeInfo
	announced := -1
	for {
		msg, err := c.receive(ctx)
		if err != nil {
			return nil, err
		}
		r, ok := msg.(*pcp.NodeInfoReply)
		if !ok {
			return nil, c.unexpected(msg)
		}
		switch r.Tag {
		case "ArraySize":
			if announced >= 0 {
				return nil, errInvalidResponse(errors.New("a second ArraySize in one answer"))
			}
			announced = r.Count
			// a count past pgpool's backend limit is a lie and must not
			// size an allocation.
			nodes = make([]pcp.NodeInfo, 0, min(r.Count, pcp.MaxBackends))
		case "NodeInfo":
			if announced < 0 || len(nodes) >= announced {
				return nil, errInvalidResponse(fmt.Errorf("more records than the %d announced", announced))
			}
			nodes = append(nodes, r.Node)
		case "CommandComplete":
			if r.HasNode { // a 3.0–4.2 server: the record is the reply
				return []pcp.NodeInfo{r.Node}, nil
			}
			if err := complete(announced, len(nodes)); err != nil {
				return nil, err
			}
			return nodes, nil
		default:
			return nil, errInvalidResponse(fmt.Errorf("unexpected tag %q in a node info answer", r.Tag))
		}
	}
}

// command runs a request whose success reply is a bare CommandComplete.
func (c *Conn) command(ctx context.Context, req pcp.FrontendMessage) error {
	defer c.arm(ctx)()
	msg, err := c.exchange(ctx, req)
	if err != nil {
		return err
	}
	r, ok := msg.(*pcp.CommandComplete)
	if !ok {
		return c.unexpected(msg)
	}
	if !r.OK() {
		return errReason(r.Tag)
	}
	return nil
}

// CheckNodeExists fails with KindUsage when id is not one of pgpool's
// configured backends. Attach and detach need it: pgpool-II 4.3.5 accepts
// those requests for any id below 128 and then acts on the wrong node
// (a detach of node 99 degenerates node 0 in its failover log, a graceful
// one never returns), so an unconfigured id must never reach it.
func (c *Conn) CheckNodeExists(ctx context.Context, id int) error {
	n, err := c.NodeCount(ctx)
	if err != nil {
		return err
	}
	if id < 0 || id >= n {
		return &Error{Kind: KindUsage, Err: &NodeRangeError{ID: id, Count: n}}
	}
	return nil
}

// AttachNode asks pgpool to fail the node back. pgpool answers once the
// request is queued; the status changes a moment later.
func (c *Conn) AttachNode(ctx context.Context, id int) error {
	return c.command(ctx, &pcp.AttachNode{NodeID: id})
}

// DetachNode asks pgpool to detach the node; graceful waits for clients to
// leave first. Like attach, the status changes after the reply.
func (c *Conn) DetachNode(ctx context.Context, id int, graceful bool) error {
	return c.command(ctx, &pcp.DetachNode{NodeID: id, Graceful: graceful})
}

// RecoverNode runs online recovery; pgpool replies when it has finished.
func (c *Conn) RecoverNode(ctx context.Context, id int) error {
	return c.command(ctx, &pcp.RecoverNode{NodeID: id})
}

// PromoteNode makes the node primary (4.3+ payload unless legacy is set).
func (c *Conn) PromoteNode(ctx context.Context, id int, graceful, switchover bool) error {
	return c.command(ctx, &pcp.PromoteNode{NodeID: id, Graceful: graceful, Switchover: switchover})
}

// StopPgpool shuts pgpool down (mode 's', 'f' or 'i'); cluster stops every
// member of the watchdog cluster.
func (c *Conn) StopPgpool(ctx context.Context, mode byte, cluster bool) error {
	return c.command(ctx, &pcp.StopPgpool{Mode: mode, Cluster: cluster})
}

// ReloadConfig reloads pgpool.conf locally ('l') or cluster-wide ('c').
func (c *Conn) ReloadConfig(ctx context.Context, scope byte) error {
	return c.command(ctx, &pcp.ReloadConfig{Scope: scope})
}

// LogRotate has pgpool's logging collector switch to a new log file,
// locally ('l') or on every watchdog member ('c'). 4.6+.
func (c *Conn) LogRotate(ctx context.Context, scope byte) error {
	return c.command(ctx, &pcp.LogRotate{Scope: scope})
}

// InvalidateQueryCache has pgpool drop its in-memory query cache (its own
// only: pgpool does not pass it on to the watchdog cluster). 4.6+.
func (c *Conn) InvalidateQueryCache(ctx context.Context) error {
	return c.command(ctx, &pcp.InvalidateQueryCache{})
}

// WatchdogInfo returns the watchdog cluster as seen by this pgpool; id -1
// asks for every node.
func (c *Conn) WatchdogInfo(ctx context.Context, id int) (*pcp.WatchdogInfo, error) {
	defer c.arm(ctx)()
	msg, err := c.exchange(ctx, &pcp.WatchdogInfoRequest{ID: id})
	if err != nil {
		return nil, err
	}
	r, ok := msg.(*pcp.WatchdogInfo)
	if !ok {
		return nil, c.unexpected(msg)
	}
	if r.Tag != "CommandComplete" {
		return nil, errReason(r.Tag)
	}
	return r, nil
}

// ProcessCount returns the PIDs of pgpool's children.
func (c *Conn) ProcessCount(ctx context.Context) ([]int, error) {
	defer c.arm(ctx)()
	msg, err := c.exchange(ctx, &pcp.ProcessCountRequest{})
	if err != nil {
		return nil, err
	}
	r, ok := msg.(*pcp.ProcessCount)
	if !ok {
		return nil, c.unexpected(msg)
	}
	if r.Tag != "CommandComplete" {
		return nil, errReason(r.Tag)
	}
	return r.PIDs, nil
}

// ProcessInfo returns one record per connection slot of one child, or of
// every child for pid 0, each in the layout of the server's release.
func (c *Conn) ProcessInfo(ctx context.Context, pid int) ([]pcp.ProcessSlot, error) {
	defer c.arm(ctx)()
	if err := c.send(ctx, &pcp.ProcessInfoRequest{PID: pid}); err != nil {
		return nil, err
	}
	var recs []pcp.ProcessSlot
	announced := -1
	for {
		msg, err := c.receive(ctx)
		if err != nil {
			return nil, err
		}
		r, ok := msg.(*pcp.ProcessInfoReply)
		if !ok {
			return nil, c.unexpected(msg)
		}
		switch r.Tag {
		case "ArraySize":
			announced = r.Count
			// a slot is some 370 bytes: the count sizes at most a
			// typical pgpool's worth, the rest grows as records arrive.
			recs = make([]pcp.ProcessSlot, 0, min(r.Count, 1024))
		case "ProcessInfo":
			if announced < 0 || len(recs) >= announced {
				return nil, errInvalidResponse(fmt.Errorf("more records than the %d announced", announced))
			}
			recs = append(recs, r.Slot)
		case "CommandComplete":
			if err := complete(announced, len(recs)); err != nil {
				return nil, err
			}
			return recs, nil
		default:
			return nil, errInvalidResponse(fmt.Errorf("unexpected tag %q in a process info answer", r.Tag))
		}
	}
}

// PoolStatus returns pgpool's configuration and status rows.
func (c *Conn) PoolStatus(ctx context.Context) ([]pcp.ConfigItem, error) {
	defer c.arm(ctx)()
	if err := c.send(ctx, &pcp.PoolStatusRequest{}); err != nil {
		return nil, err
	}
	var rows []pcp.ConfigItem
	announced := -1
	for {
		msg, err := c.receive(ctx)
		if err != nil {
			return nil, err
		}
		r, ok := msg.(*pcp.PoolStatusReply)
		if !ok {
			return nil, c.unexpected(msg)
		}
		switch r.Tag {
		case "ArraySize":
			announced = r.Count
			rows = make([]pcp.ConfigItem, 0, min(r.Count, 4096))
		case "ProcessConfig":
			if announced < 0 || len(rows) >= announced {
				return nil, errInvalidResponse(fmt.Errorf("more records than the %d announced", announced))
			}
			rows = append(rows, r.Item)
		case "CommandComplete":
			if err := complete(announced, len(rows)); err != nil {
				return nil, err
			}
			return rows, nil
		default:
			return nil, errInvalidResponse(fmt.Errorf("unexpected tag %q in a pool status answer", r.Tag))
		}
	}
}

// HealthCheckStats returns one node's health check statistics.
func (c *Conn) HealthCheckStats(ctx context.Context, id int) (*pcp.HealthStats, error) {
	defer c.arm(ctx)()
	msg, err := c.exchange(ctx, &pcp.HealthCheckRequest{NodeID: id})
	if err != nil {
		return nil, err
	}
	r, ok := msg.(*pcp.HealthCheckStats)
	if !ok {
		return nil, c.unexpected(msg)
	}
	if r.Tag != "CommandComplete" {
		return nil, errInvalidResponse(fmt.Errorf("unexpected tag %q in a health check answer", r.Tag))
	}
	return &r.Stats, nil
}

// complete checks a multi-record answer at its CommandComplete: fewer
// records than ArraySize announced is a truncated answer (libpcp would walk
// the missing slots), not an empty success.
func complete(announced, got int) error {
	if announced >= 0 && got != announced {
		return errInvalidResponse(fmt.Errorf("pgpool announced %d records and sent %d", announced, got))
	}
	return nil
}

// unexpected reports a reply of another command's kind, which libpcp calls
// a bad response without a message of its own.
func (c *Conn) unexpected(msg pcp.BackendMessage) error {
	k := kindOf(msg)
	return &Error{Kind: KindProtocol, Op: OpRead, Packet: k,
		Err: ErrWrongReply}
}

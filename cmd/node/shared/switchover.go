package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// DefaultFollowTimeout is --follow-timeout's default: how long the other
// standbys get to stream from the new primary once pgpool names it.
// pgpool's follow_primary_command rebuilds them one at a time (a restart,
// or a pg_rewind), so a minute per standby is generous on a small cluster.
const DefaultFollowTimeout = 5 * time.Minute

// promoteWait bounds the wait for pgpool to name the new primary when
// --timeout is not given: pgpool answers the request at once and does the
// failover afterwards.
const promoteWait = 2 * time.Minute

// switchoverProbe bounds each backend check of the switchover.
const switchoverProbe = 5 * time.Second

// runSwitchover is node promote --switchover, verified: the target must be
// a streaming standby of the current primary within --max-lag before
// anything is sent; afterwards pgpool must name it primary, and every
// other standby must come back up streaming from it, as the backends
// themselves say. pgpool reports success even when follow_primary_command
// failed for a standby, so the follow check is the point of the command.
func runSwitchover(ctx context.Context, o *ActionOptions) error {
	s := o.Settings
	conn, infos, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	qctx, cancel := s.Query(ctx)
	mode, err := ClusteringMode(qctx, conn)
	cancel()
	if err != nil {
		return exitcode.FromClient(err)
	}
	before := output.NewNodeList(infos, nil)
	n := &before.Nodes[o.ID]
	p := before.Primary()
	refuse := func(format string, a ...any) error {
		return exitcode.Usage(fmt.Errorf("refusing to switch over to %s: %s; nothing was sent", describe(n), fmt.Sprintf(format, a...)))
	}
	switch {
	case mode != "" && mode != "streaming_replication":
		return refuse("pgpool runs in %s mode; a switchover promotes a streaming standby", mode)
	case p == n:
		fmt.Fprintf(o.IO.Out, "%s is already the primary; nothing was sent\n", describe(n))
		return nil
	case p == nil:
		return refuse("pgpool has no primary to switch over from")
	case !isUpStandby(n):
		return refuse("it is not an up standby")
	}
	var followers []int
	up := []int{p.ID, n.ID}
	for i := range before.Nodes {
		if m := &before.Nodes[i]; m != n && m != p && isUpStandby(m) {
			followers = append(followers, i)
			up = append(up, i)
		}
	}
	probes := ProbeBackends(ctx, infos, up, o.SQLUser, switchoverProbe)
	ok, why := rules.Follows(probes[n.ID], probes[p.ID], o.maxLag())
	if !ok && !o.Force {
		return refuse("%s (--force skips this check)", why)
	}
	check := "checked: " + why
	if !ok {
		check = "not checked (--force): " + why
	}
	if o.DryRun {
		fmt.Fprintf(o.IO.Out, "would switch over to %s; pgpool detaches the primary node %d (%s)%s; %s; dry run, nothing was sent\n",
			describe(n), p.ID, p.Addr(), followText(before, followers, n.ID), check)
		return nil
	}
	fmt.Fprintf(o.IO.Out, "%s: %s\n", describe(n), check)

	actx, cancelA := context.WithTimeout(ctx, o.defaultTimeout(s))
	start := time.Now()
	stop := o.progress(fmt.Sprintf("switching over to node %d", o.ID), start, "")
	err = conn.PromoteNode(actx, o.ID, o.Graceful, true)
	stop()
	cancelA()
	if err != nil {
		return exitcode.FromClient(err)
	}
	// pgpool completes the failover only once every PCP session is over.
	conn.Close()
	ws := *s
	if !s.TimeoutSet {
		ws.Timeout = promoteWait
	}
	wo := *o
	wo.Settings = &ws
	after, err := wo.wait(ctx, start)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "node %d (%s): %s → %s after %s\n", n.ID, n.Addr(), state(n), state(&after.Nodes[n.ID]), elapsed(time.Since(start)))
	if op := &after.Nodes[p.ID]; op.IsDown() {
		fmt.Fprintf(o.IO.Out, "node %d (%s): %s → %s; it is left out until rebuilt as a standby (pcpctl node recover %d)\n", p.ID, p.Addr(), state(p), state(op), p.ID)
	} else {
		fmt.Fprintf(o.IO.Out, "node %d (%s): %s → %s\n", p.ID, p.Addr(), state(p), state(op))
	}
	return o.awaitFollowers(ctx, followers, n.ID, start)
}

func (o *ActionOptions) maxLag() uint64 {
	if o.MaxLag == 0 {
		return rules.DefaultMaxLag
	}
	return o.MaxLag
}

func followText(l *output.NodeList, ids []int, to int) string {
	if len(ids) == 0 {
		return ""
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = fmt.Sprintf("node %d (%s)", id, l.Nodes[id].Addr())
	}
	return fmt.Sprintf(", and %s must then stream from node %d", strings.Join(names, ", "), to)
}

// follow is one standby's state against the new primary.
type follow struct {
	ok  bool
	why string
	// final: the answer will not change (the backends refuse the SQL
	// user), so waiting for it ends.
	final bool
}

// awaitFollowers polls pgpool and the backends until every follower is up
// in pgpool and streams from the new primary on its timeline, or until
// --follow-timeout; each poll is a short PCP session of its own.
func (o *ActionOptions) awaitFollowers(ctx context.Context, followers []int, primary int, start time.Time) error {
	if len(followers) == 0 {
		return nil
	}
	d := o.FollowTimeout
	if d <= 0 {
		d = DefaultFollowTimeout
	}
	fctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	interval := o.PollInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	tty := o.IO.IsStdoutTTY()
	poll := *o.Settings
	poll.Timeout = min(poll.Timeout, PollTimeout)
	state := map[int]follow{}
	var l *output.NodeList
	for {
		infos, err := o.pollOnce(fctx, &poll)
		if err == nil && primary < len(infos) {
			l = output.NewNodeList(infos, nil)
			state = judgeFollowers(fctx, o, infos, l, followers, primary)
		} else if err != nil && fctx.Err() == nil {
			if code := exitcode.FromClient(err).(*exitcode.Error).Code; code != exitcode.Connection {
				return err
			}
		}
		done := len(state) == len(followers)
		for _, f := range state {
			done = done && (f.ok || f.final)
		}
		if done {
			break
		}
		if tty {
			fmt.Fprintf(o.IO.ErrOut, "\r\x1b[Kwaiting for %d standby(s) to follow node %d: %s", len(followers), primary, elapsed(time.Since(start)))
		}
		select {
		case <-fctx.Done():
			if ctx.Err() != nil {
				return &exitcode.Error{Code: exitcode.Failure, Err: errors.New("interrupted")}
			}
		case <-time.After(interval):
			continue
		}
		break
	}
	if tty {
		io.WriteString(o.IO.ErrOut, "\r\x1b[K")
	}
	var failed []string
	for _, id := range followers {
		f, seen := state[id]
		if !seen {
			f = follow{why: "pgpool could not be read in time"}
		}
		addr := fmt.Sprint(id)
		if l != nil && id < len(l.Nodes) {
			addr = l.Nodes[id].Addr()
		}
		if f.ok {
			fmt.Fprintf(o.IO.Out, "node %d (%s): follows: %s\n", id, addr, f.why)
			continue
		}
		if f.final {
			fmt.Fprintf(o.IO.Out, "node %d (%s): not known to follow node %d: %s\n", id, addr, primary, f.why)
		} else {
			fmt.Fprintf(o.IO.Out, "node %d (%s): did not follow node %d within %s: %s\n", id, addr, primary, d, f.why)
		}
		failed = append(failed, fmt.Sprint(id))
	}
	if len(failed) > 0 {
		return &exitcode.Error{Code: exitcode.NotFollowed, Err: fmt.Errorf("node %s did not follow the new primary node %d", strings.Join(failed, ", "), primary)}
	}
	fmt.Fprintf(o.IO.Out, "switchover to node %d complete after %s\n", primary, elapsed(time.Since(start)))
	return nil
}

// judgeFollowers checks each follower on pgpool's list and on its backend.
func judgeFollowers(ctx context.Context, o *ActionOptions, infos []pcp.NodeInfo, l *output.NodeList, followers []int, primary int) map[int]follow {
	ids := append([]int{primary}, followers...)
	probes := ProbeBackends(ctx, infos, ids, o.SQLUser, switchoverProbe)
	out := map[int]follow{}
	np := &l.Nodes[primary]
	for _, id := range followers {
		if id >= len(l.Nodes) {
			continue
		}
		m := &l.Nodes[id]
		// Following is about where it streams from, not how far behind it
		// is: a standby just restarted catches up by itself.
		ok, why := rules.Follows(probes[id], probes[primary], math.MaxUint64)
		switch {
		case !ok && (probes[id].Refused || probes[primary].Refused):
			// Nobody can tell whether it follows: say so now rather than
			// after --follow-timeout.
			out[id] = follow{final: true, why: why}
		case !isPrimary(np):
			out[id] = follow{why: fmt.Sprintf("pgpool no longer names node %d the primary (%s)", primary, state(np))}
		case !ok && m.IsUp():
			out[id] = follow{why: fmt.Sprintf("pgpool has it %s, but on the backend %s", state(m), why)}
		case !ok:
			out[id] = follow{why: fmt.Sprintf("pgpool has it %s; on the backend %s", state(m), why)}
		case !m.IsUp():
			out[id] = follow{why: fmt.Sprintf("it streams from node %d, but pgpool has it %s (attach it: pcpctl node attach %d)", primary, state(m), id)}
		default:
			out[id] = follow{ok: true, why: rules.Streams(probes[id], probes[primary])}
		}
	}
	return out
}

func isPrimary(n *output.Node) bool   { h := n.Health(); return h.IsPrimary() }
func isUpStandby(n *output.Node) bool { h := n.Health(); return h.IsUpStandby() }

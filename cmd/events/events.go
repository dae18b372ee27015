// Package events implements "pcpctl events": one JSON line per transition
// of one pgpool or of every pgpool of a context, with an optional hook.
package events

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/output"
)

// UnreachableAfter is how long polls must keep failing before a pgpool is
// reported unreachable: pgpool 4.3 restarts its PCP process after every
// failover and failback and drops the sessions open then, which is not an
// outage worth an event.
const UnreachableAfter = 3 * time.Second

// MaxBackoff caps the delay between polls of an unreachable pgpool.
const MaxBackoff = 30 * time.Second

// HookQueue is how many events may wait for a busy hook; more are dropped
// (and reported), so that a slow hook never holds up watching.
const HookQueue = 64

// EventsOptions are the command's inputs.
type EventsOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Targets []*factory.Settings

	Interval    time.Duration
	Exec        string
	ExecTimeout time.Duration
	SinceStart  bool
	Now         func() time.Time
	// retryInterval is the poll interval while a pgpool is failing but
	// not yet reported unreachable.
	retryInterval time.Duration
}

// NewCmdEvents builds the command; runF replaces the run function in tests.
func NewCmdEvents(f *factory.Factory, runF func(context.Context, *EventsOptions) error) *cobra.Command {
	opts := &EventsOptions{IO: f.IOStreams, Factory: f, Now: f.Now, retryInterval: 500 * time.Millisecond}
	var interval, execTimeout string
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Watch pgpool and print one JSON line per transition; run a hook for each",
		Long: `Poll one pgpool, or every pgpool of the context (or of --pgpool), every
--interval with one short PCP session each, and print one JSON line per
transition, until interrupted:
  node_status, node_role     a node's status or role changed (old, new)
  primary, main_node         the primary or the main node changed
  watchdog_leader            the watchdog leader changed
  watchdog_quorum            quorum lost or regained (exists, on the edge, absent)
  watchdog_member            a watchdog member changed state (e.g. LOST, back to STANDBY)
  pgpool_unreachable         polls failed for 3s (since: the first failure)
  pgpool_reachable           answering again (since, gap_seconds: the gap)
  hook_dropped               a busy hook missed an event (dropped: the count)
Every line has time (UTC), pgpool (HOST:PORT), kind and subject.

--since-start prints the starting state too, as transitions from "".
An unreachable pgpool is polled again with a doubling delay, up to 30s.

--exec CMD runs CMD with /bin/sh for each event, one at a time, with the
event's JSON line on stdin and PCPCTL_EVENT_TIME, _PGPOOL, _KIND, _SUBJECT,
_NODE_ID, _OLD and _NEW in its environment (PGPASSWORD and PCPPASSWORD
removed). Its output goes to stderr. Each run is killed after
--exec-timeout; up to 64 events wait for a busy hook, and further ones are
dropped and reported as hook_dropped, so watching never stalls.`,
		Example: `  pcpctl events --context prod
  pcpctl events --since-start | jq -c 'select(.kind == "primary")'
  pcpctl events --exec 'curl -fsS -m 5 -H "Content-Type: application/json" -d @- "$CHAT_WEBHOOK"'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Interval, err = factory.ParseDuration(interval); err != nil {
				return exitcode.Usage(fmt.Errorf("invalid --interval %q: want a duration such as 2s", interval))
			}
			if opts.ExecTimeout, err = factory.ParseDuration(execTimeout); err != nil {
				return exitcode.Usage(fmt.Errorf("invalid --exec-timeout %q: want a duration such as 10s", execTimeout))
			}
			if cmd.Flags().Changed("exec") && strings.TrimSpace(opts.Exec) == "" {
				return exitcode.Usage(fmt.Errorf("--exec needs a command"))
			}
			return cmdutil.RunOnTargets(cmd.Context(), f, &opts.Targets, opts, runF, eventsRun)
		},
	}
	cmd.Flags().StringVar(&interval, "interval", "2s", "time between polls of each pgpool")
	cmd.Flags().StringVar(&opts.Exec, "exec", "", "run this shell command for each event (the event as JSON on stdin, PCPCTL_EVENT_* variables)")
	cmd.Flags().StringVar(&execTimeout, "exec-timeout", "10s", "deadline of each hook run")
	cmd.Flags().BoolVar(&opts.SinceStart, "since-start", false, "print the starting state as events too")
	return cmd
}

func eventsRun(ctx context.Context, o *EventsOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ch := make(chan Event)
	var wg sync.WaitGroup
	for _, s := range o.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.watch(ctx, s, ch)
		}()
	}
	go func() { wg.Wait(); close(ch) }()
	var h *hooks
	if o.Exec != "" {
		h = startHooks(o.Exec, o.ExecTimeout, o.IO.ErrOut)
		defer h.stop()
	}
	for e := range ch {
		if err := o.print(&e); err != nil {
			return err
		}
		if h != nil && !h.offer(e) {
			d := Event{Time: o.Now(), Pgpool: e.Pgpool, Kind: KindHookDropped, Subject: "hook", NodeID: -1, Dropped: h.droppedCount()}
			fmt.Fprintf(o.IO.ErrOut, "pcpctl: warning: the hook is busy; dropped the %s event of %s (%d dropped so far)\n", e.Kind, e.Subject, d.Dropped)
			if err := o.print(&d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *EventsOptions) print(e *Event) error { return writeRecord(o.IO.Out, e) }

// writeRecord writes the event's line in one Write, so that lines from
// several pgpools never interleave.
func writeRecord(w io.Writer, e *Event) error {
	var b bytes.Buffer
	if err := output.WriteJSONLine(&b, e.Record()); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// watch polls one pgpool until ctx ends and sends its transitions.
func (o *EventsOptions) watch(ctx context.Context, s *factory.Settings, ch chan<- Event) {
	ep := s.Endpoint()
	var prev *Snapshot
	var failingSince time.Time
	unreachable := false
	backoff := o.Interval
	send := func(e Event) bool {
		e.Pgpool = ep
		select {
		case ch <- e:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for first := true; ; first = false {
		snap, err := o.poll(ctx, s, first)
		now := o.Now()
		if ctx.Err() != nil {
			return
		}
		delay := o.Interval
		switch {
		case err != nil:
			if failingSince.IsZero() {
				failingSince = now
			}
			if !unreachable && now.Sub(failingSince) >= UnreachableAfter {
				unreachable = true
				backoff = o.Interval
				if !send(Event{Time: now, Kind: KindUnreachable, Subject: subjectPgpool, NodeID: -1, Since: failingSince, Error: cmdutil.OneLine(err)}) {
					return
				}
			}
			if unreachable {
				delay, backoff = backoff, min(backoff*2, MaxBackoff)
			} else {
				delay = min(o.retryInterval, o.Interval)
			}
		default:
			if unreachable {
				if !send(Event{Time: now, Kind: KindReachable, Subject: subjectPgpool, NodeID: -1, Since: failingSince, Gap: now.Sub(failingSince)}) {
					return
				}
			} else if prev == nil && o.SinceStart {
				if !send(Event{Time: now, Kind: KindReachable, Subject: subjectPgpool, NodeID: -1}) {
					return
				}
			}
			unreachable, failingSince = false, time.Time{}
			if prev != nil || o.SinceStart {
				base := prev
				for _, e := range Diff(base, snap) {
					e.Time = now
					if !send(e) {
						return
					}
				}
			}
			prev = snap
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// poll reads one snapshot in a session of its own: a session held open
// between polls would stall pgpool's failover and failback.
func (o *EventsOptions) poll(ctx context.Context, s *factory.Settings, interactive bool) (*Snapshot, error) {
	pctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var conn *client.Conn
	var err error
	if interactive {
		conn, err = o.Factory.Connect(pctx, s)
	} else {
		conn, err = o.Factory.ConnectQuiet(pctx, s)
	}
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	infos, err := shared.Nodes(pctx, conn, s)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Nodes: infos}
	// The watchdog is optional: off, or unreadable, it yields no events.
	// WatchdogCluster reads every dialect (3.3-3.4 replies too), as
	// watchdog status and cluster status do.
	if cl, err := conn.WatchdogCluster(pctx, -1); err == nil {
		snap.Watchdog = cl
	} else if client.KindOf(err) != client.KindServer {
		return nil, err
	}
	return snap, nil
}

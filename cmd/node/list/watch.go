package list

import (
	"context"
	"fmt"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
)

// MaxBackoff caps the wait between reconnection attempts. It is short:
// the point of watching is to see pgpool the moment it is back, and one
// connection attempt every few seconds costs nothing.
const MaxBackoff = 4 * time.Second

type watcher struct {
	o         *ListOptions
	conn      *client.Conn
	stream    *output.Stream
	downSince time.Time
	lastErr   string
	backoff   time.Duration
	// mode is pgpool's clustering mode, read once: pgpool changes it only
	// on a restart.
	mode health.Mode
}

func newWatcher(o *ListOptions) (*watcher, error) {
	s, err := cmdutil.Stream(o.IO, o.Format, fmt.Sprintf("Every %s: pcpctl node list, %s", o.Watch, o.Settings.Endpoint()))
	if err != nil {
		return nil, err
	}
	return &watcher{o: o, stream: s}, nil
}

// watchRun refreshes until ctx ends (Ctrl-C), with one short PCP session
// per refresh (a held session would block pgpool's failover), backing off
// while pgpool is unreachable.
func watchRun(ctx context.Context, o *ListOptions) error {
	w, err := newWatcher(o)
	if err != nil {
		return err
	}
	defer func() {
		if w.conn != nil {
			w.conn.Close()
		}
	}()
	first := true
	for {
		delay := o.Watch
		if err := w.tick(ctx, first); err != nil {
			return err
		}
		first = false
		if !w.downSince.IsZero() {
			delay = w.backoff
		}
		select {
		case <-ctx.Done():
			w.stream.End()
			return nil
		case <-time.After(delay):
		}
	}
}

func (w *watcher) tick(ctx context.Context, first bool) error {
	o := w.o
	now := o.Now()
	// One short session per refresh: pgpool completes a failover or
	// failback only once every PCP session has ended, so a session held
	// between refreshes would stall the failover being watched.
	defer func() {
		if w.conn != nil {
			w.conn.Close()
			w.conn = nil
		}
	}()
	if w.conn == nil {
		var err error
		if first {
			w.conn, err = o.Factory.Connect(ctx, o.Settings)
		} else {
			w.conn, err = o.Factory.ConnectQuiet(ctx, o.Settings)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return w.unreachable(now, err)
		}
	}
	return w.refresh(ctx, now)
}

// refresh reads the nodes on w.conn and redraws: the part of a tick that a
// reused connection would repeat (BenchmarkWatchRefresh measures it).
func (w *watcher) refresh(ctx context.Context, now time.Time) error {
	o := w.o
	infos, err := shared.Nodes(ctx, w.conn, o.Settings)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		w.conn.Close()
		w.conn = nil
		return w.unreachable(now, err)
	}
	if !w.mode.Known() {
		w.mode = shared.Mode(ctx, w.conn, o.Settings, infos)
	}
	l := output.NewNodeList(infos, o.Loc)
	l.Mode = w.mode
	o.enrich().Apply(ctx, l)
	var note string
	if !w.downSince.IsZero() {
		note = fmt.Sprintf("pgpool is reachable again after %s", now.Sub(w.downSince).Round(time.Second))
		w.downSince, w.backoff = time.Time{}, 0
	}
	return w.stream.Frame(now, l, note)
}

// unreachable reports a failed refresh and schedules the next attempt;
// authentication and usage failures end the watch.
func (w *watcher) unreachable(now time.Time, err error) error {
	var ee *exitcode.Error
	if e, ok := exitcode.FromClient(err).(*exitcode.Error); ok {
		ee = e
	}
	if ee != nil && ee.Code != exitcode.Connection && ee.Code != exitcode.Protocol {
		return err
	}
	if w.downSince.IsZero() {
		w.downSince = now
		w.backoff = time.Second
	} else {
		w.backoff = min(w.backoff*2, MaxBackoff)
	}
	w.lastErr = err.Error()
	return w.renderDown(now)
}

func (w *watcher) renderDown(now time.Time) error {
	down := now.Sub(w.downSince).Round(time.Second)
	msg := fmt.Sprintf("pgpool unreachable for %s (%s); retrying in %s", down, w.lastErr, w.backoff)
	return w.stream.Down(now, msg, output.Record{{Key: "error", Value: w.lastErr}, {Key: "unreachable_seconds", Value: int64(down / time.Second)}})
}

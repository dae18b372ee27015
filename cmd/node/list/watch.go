package list

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
)

// Terminal controls for the in-place redraw.
const (
	clearScreen = iostreams.ClearScreen
	hlOn        = iostreams.HighlightOn
	hlOff       = iostreams.HighlightOff
)

// MaxBackoff caps the wait between reconnection attempts. It is short:
// the point of watching is to see pgpool the moment it is back, and one
// connection attempt every few seconds costs nothing.
const MaxBackoff = 4 * time.Second

type watcher struct {
	o         *ListOptions
	conn      *client.Conn
	prev      *output.NodeList
	downSince time.Time
	lastErr   string
	backoff   time.Duration
	// mode is pgpool's clustering mode, read once: pgpool changes it only
	// on a restart.
	mode health.Mode
	rows int // records appended so far (header once for csv/tsv)
}

// watchRun refreshes until ctx ends (Ctrl-C), with one short PCP session
// per refresh (a held session would block pgpool's failover), backing off
// while pgpool is unreachable.
func watchRun(ctx context.Context, o *ListOptions) error {
	w := &watcher{o: o}
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
			if o.IO.IsStdoutTTY() && o.Format == output.FormatTable {
				io.WriteString(o.IO.Out, "\n")
			}
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
	err = w.render(now, l, note)
	w.prev = l
	return err
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

func (w *watcher) header(now time.Time) string {
	return fmt.Sprintf("Every %s: pcpctl node list, %s    %s\n\n", w.o.Watch, w.o.Settings.Endpoint(), now.Format(time.RFC3339))
}

func (w *watcher) tty() bool {
	return w.o.IO.IsStdoutTTY() && w.o.Format == output.FormatTable
}

func (w *watcher) render(now time.Time, l *output.NodeList, note string) error {
	o := w.o
	var b bytes.Buffer
	switch {
	case w.tty():
		b.WriteString(clearScreen)
		b.WriteString(w.header(now))
		if err := l.WriteTableDiff(&b, w.prev, func(s string) string { return hlOn + s + hlOff }); err != nil {
			return err
		}
		if note != "" {
			b.WriteString(note + "\n")
		}
	case o.Format == output.FormatJSON:
		rec := output.Record{{Key: "time", Value: now.Format(time.RFC3339)}, {Key: "nodes", Value: l.Records()}, {Key: "warnings", Value: warningValue(l.Warnings())}}
		b.Write(rec.AppendJSON(nil))
		b.WriteByte('\n')
	case o.Format == output.FormatYAML:
		b.WriteString("---\n")
		rec := output.Record{{Key: "time", Value: now.Format(time.RFC3339)}, {Key: "nodes", Value: l.Records()}}
		if err := output.WriteYAML(&b, rec); err != nil {
			return err
		}
	case o.Format == output.FormatTable:
		b.WriteString(w.header(now))
		if err := output.PrintNodes(&b, o.Format, l); err != nil {
			return err
		}
		if note != "" {
			b.WriteString(note + "\n")
		}
		b.WriteByte('\n')
	default: // plain, csv, tsv: rows with a leading time column
		keys := append([]string{"time"}, l.Keys()...)
		recs := l.Records()
		for i := range recs {
			recs[i] = append(output.Record{{Key: "time", Value: now.Format(time.RFC3339)}}, recs[i]...)
		}
		var err error
		if o.Format == output.FormatPlain {
			err = output.WritePlain(&b, recs, keys)
		} else {
			var tmp bytes.Buffer
			err = output.WriteDelimited(&tmp, recs, keys, o.Format == output.FormatTSV)
			out := tmp.Bytes()
			if w.rows > 0 { // the header once
				if i := bytes.IndexByte(out, '\n'); i >= 0 {
					out = out[i+1:]
				}
			}
			b.Write(out)
		}
		if err != nil {
			return err
		}
		w.rows += len(recs)
	}
	if !w.tty() && note != "" && o.Format != output.FormatTable {
		fmt.Fprintf(o.IO.ErrOut, "pcpctl: %s\n", note)
	}
	_, err := o.IO.Out.Write(b.Bytes())
	return err
}

func warningValue(ws []string) any {
	if len(ws) == 0 {
		return nil
	}
	recs := make([]output.Record, len(ws))
	for i, w := range ws {
		recs[i] = output.Record{{Key: "message", Value: w}}
	}
	return recs
}

func (w *watcher) renderDown(now time.Time) error {
	o := w.o
	down := now.Sub(w.downSince).Round(time.Second)
	msg := fmt.Sprintf("pgpool unreachable for %s (%s); retrying in %s", down, w.lastErr, w.backoff)
	switch {
	case w.tty():
		var b bytes.Buffer
		b.WriteString(clearScreen)
		b.WriteString(w.header(now))
		if w.prev != nil {
			b.WriteString("last known state:\n")
			w.prev.WriteTableDiff(&b, nil, nil)
		}
		b.WriteString(hlOn + msg + hlOff + "\n")
		_, err := o.IO.Out.Write(b.Bytes())
		return err
	case o.Format == output.FormatJSON:
		rec := output.Record{{Key: "time", Value: now.Format(time.RFC3339)}, {Key: "error", Value: w.lastErr}, {Key: "unreachable_seconds", Value: int64(down / time.Second)}}
		return output.WriteJSONLine(o.IO.Out, rec)
	}
	fmt.Fprintf(o.IO.ErrOut, "pcpctl: %s %s\n", now.Format(time.RFC3339), msg)
	return nil
}

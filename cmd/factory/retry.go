package factory

import (
	"context"
	"time"

	"github.com/pcpctl/pcpctl/client"
)

// RestartPause is how long Read waits before its second try: pgpool's new
// PCP process listens again within a few hundred milliseconds.
var RestartPause = 500 * time.Millisecond

// Read runs fn, which only reads, on a fresh session under the query
// timeout. pgpool restarts its PCP process about a second after every
// failover or failback and drops the sessions open at that moment, so a
// read that loses its connection, or finds the port closed, is tried once
// more on a new session; a monitoring check right after a detach then
// sees the new state instead of a connection error. Actions never come
// here: they are not repeated.
func (f *Factory) Read(ctx context.Context, s *Settings, fn func(context.Context, *client.Conn) error) error {
	err := f.readOnce(ctx, s, fn)
	if err == nil || !droppedByRestart(err) {
		return err
	}
	select {
	case <-ctx.Done():
		return err
	case <-time.After(RestartPause):
	}
	return f.readOnce(ctx, s, fn)
}

func (f *Factory) readOnce(ctx context.Context, s *Settings, fn func(context.Context, *client.Conn) error) error {
	conn, err := f.Connect(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close()
	qctx, cancel := s.Query(ctx)
	defer cancel()
	return fn(qctx, conn)
}

func droppedByRestart(err error) bool {
	k := client.KindOf(err)
	return k == client.KindIO || k == client.KindConnect
}

package factory

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// restartingPgpool drops the first `drops` sessions after authentication,
// as pgpool does to the sessions open when its PCP process restarts after
// a failover, and serves the later ones.
func restartingPgpool(t *testing.T, drops int32) (*pcptest.Server, *atomic.Int32) {
	p := &pcptest.Pgpool{User: "ops", Password: "pw", Nodes: pcptest.ThreeNodes()}
	var sessions atomic.Int32
	srv := pcptest.NewServer(t, func(s *pcptest.Session) {
		if sessions.Add(1) <= drops {
			if !s.Authenticate("ops", "pw", false) {
				return
			}
			s.Read() // the request, then a reset instead of a reply
			s.Conn.(*net.TCPConn).SetLinger(0)
			s.Conn.Close()
			return
		}
		p.Serve(s)
	})
	return srv, &sessions
}

func readSettings(t *testing.T, srv *pcptest.Server) (*Factory, *Settings) {
	f := newF(map[string]string{})
	f.Host, f.Port, f.User, f.NoPassword = srv.Host, strconv.Itoa(srv.Port), "ops", true
	f.password = "pw"
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	return f, s
}

func TestReadRetriesOnceAfterPCPRestart(t *testing.T) {
	RestartPause = 10 * time.Millisecond
	srv, sessions := restartingPgpool(t, 1)
	f, s := readSettings(t, srv)
	var n int
	err := f.Read(context.Background(), s, func(ctx context.Context, c *client.Conn) (err error) {
		n, err = c.NodeCount(ctx)
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("Read: n=%d err=%v", n, err)
	}
	if got := sessions.Load(); got != 2 {
		t.Errorf("%d sessions, want 2 (one dropped, one retried)", got)
	}
}

func TestReadGivesUpAfterTheSecondDrop(t *testing.T) {
	RestartPause = 10 * time.Millisecond
	srv, sessions := restartingPgpool(t, 5)
	f, s := readSettings(t, srv)
	err := f.Read(context.Background(), s, func(ctx context.Context, c *client.Conn) error {
		_, err := c.NodeCount(ctx)
		return err
	})
	if client.KindOf(err) != client.KindIO {
		t.Fatalf("Read: %v, want the connection error", err)
	}
	if got := sessions.Load(); got != 2 {
		t.Errorf("%d sessions, want exactly 2", got)
	}
}

func TestReadDoesNotRetryServerErrors(t *testing.T) {
	RestartPause = 10 * time.Millisecond
	srv, sessions := restartingPgpool(t, 0)
	f, s := readSettings(t, srv)
	err := f.Read(context.Background(), s, func(ctx context.Context, c *client.Conn) error {
		_, err := c.NodeInfo(ctx, 7) // "invalid node ID"
		return err
	})
	if client.KindOf(err) != client.KindServer || sessions.Load() != 1 {
		t.Fatalf("Read: %v after %d sessions, want one server error", err, sessions.Load())
	}
}

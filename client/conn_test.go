package client

import (
	"context"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// After a FATAL reply libpcp still sends its 'X' (pgpool has only
// half-closed the socket), and -d traces it; Close does the same. After an
// I/O failure it must not.
func TestCloseAfterFatalSendsTerminate(t *testing.T) {
	got := make(chan byte, 1)
	srv := pcptest.NewServer(t, func(s *pcptest.Session) {
		if !s.Authenticate("u", "pw", false) {
			return
		}
		if _, _, err := s.Read(); err != nil {
			return
		}
		s.Send(pcptest.Error("FATAL", "invalid promote request", "specified node is already primary node, can't promote node id 0"))
		kind, _, err := s.Read()
		if err != nil {
			kind = 0
		}
		got <- kind
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Host: srv.Host, Port: srv.Port, User: "u", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.PromoteNode(ctx, 0, false, false)
	if KindOf(err) != KindServer {
		t.Fatalf("promote: %v", err)
	}
	c.Close()
	select {
	case k := <-got:
		if k != 'X' {
			t.Errorf("server read %q after the FATAL, want 'X'", k)
		}
	case <-ctx.Done():
		t.Fatal("no terminate after FATAL")
	}
}

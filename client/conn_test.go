package client

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
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

func pgpool() *pcptest.Pgpool {
	return &pcptest.Pgpool{User: "pcpadmin", Password: "secret", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
}

func cfgFor(srv *pcptest.Server) Config {
	return Config{Host: srv.Host, Port: srv.Port, User: "pcpadmin", Password: "secret", NoPassFile: true}
}

// roundTrip runs auth, node count and node info on one connection, pipelined
// and not, and checks what came back.
func roundTrip(t *testing.T, cfg Config) {
	t.Helper()
	for _, pipeline := range []bool{false, true} {
		cfg.Pipeline = pipeline
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := Dial(ctx, cfg)
		if err != nil {
			cancel()
			t.Fatalf("pipeline=%v: dial: %v", pipeline, err)
		}
		if c.Authenticated() == pipeline {
			t.Errorf("pipeline=%v: Authenticated() = %v before the first command", pipeline, c.Authenticated())
		}
		n, err := c.NodeCount(ctx)
		if err != nil || n != 3 {
			t.Errorf("pipeline=%v: NodeCount = %d, %v", pipeline, n, err)
		}
		if !c.Authenticated() {
			t.Errorf("pipeline=%v: not authenticated after a command", pipeline)
		}
		nodes, err := c.NodeInfo(ctx, AllNodes)
		if err != nil || len(nodes) != 3 || nodes[0].PgRole != "primary" {
			t.Errorf("pipeline=%v: NodeInfo = %+v, %v", pipeline, nodes, err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("pipeline=%v: close: %v", pipeline, err)
		}
		cancel()
	}
}

func TestDialIPv4(t *testing.T) {
	srv := pcptest.NewServer(t, pgpool().Serve)
	roundTrip(t, cfgFor(srv))
}

func TestDialIPv6(t *testing.T) {
	srv, err := pcptest.NewServerAt(t, "[::1]:0", pgpool().Serve)
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	cfg := cfgFor(srv)
	for _, host := range []string{"::1", "[::1]"} {
		cfg.Host = host
		roundTrip(t, cfg)
	}
}

func TestDialUnixSocket(t *testing.T) {
	dir := t.TempDir()
	srv := pcptest.NewUnixServer(t, dir, 9898, pgpool().Serve)
	roundTrip(t, cfgFor(srv))
	// An empty host means the default socket directory, here SocketDir.
	cfg := cfgFor(srv)
	cfg.Host, cfg.SocketDir = "", dir
	roundTrip(t, cfg)
}

func TestDialRefused(t *testing.T) {
	srv := pcptest.NewServer(t, pgpool().Serve)
	srv.Close()
	_, err := Dial(context.Background(), cfgFor(srv))
	if KindOf(err) != KindConnect || !strings.Contains(err.Error(), "Connection refused") {
		t.Fatalf("got %v, want a refused connection", err)
	}
	_, err = Dial(context.Background(), Config{Host: t.TempDir(), Port: 9898, NoPassFile: true})
	if KindOf(err) != KindConnect || !strings.Contains(err.Error(), "No such file or directory") {
		t.Fatalf("missing socket: got %v", err)
	}
}

func TestPipelinedAuthFailure(t *testing.T) {
	srv := pcptest.NewServer(t, pgpool().Serve)
	cfg := cfgFor(srv)
	cfg.Password, cfg.Pipeline = "wrong", true
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("a pipelined dial cannot know the verdict yet: %v", err)
	}
	defer c.Close()
	_, err = c.NodeCount(context.Background())
	if KindOf(err) != KindAuth || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("got %v, want the refusal", err)
	}
	if c.Authenticated() {
		t.Error("Authenticated() after a refusal")
	}
}

// stall returns a server that plays the handshake up to a point and then
// says nothing until the client hangs up.
func stall(t *testing.T, upTo string) *pcptest.Server {
	return pcptest.NewServer(t, func(s *pcptest.Session) {
		defer func() {
			for {
				if _, _, err := s.Read(); err != nil {
					return
				}
			}
		}()
		if upTo == "accepted" {
			return
		}
		s.Read()
		if upTo == "salt" {
			return
		}
		s.Send(&pcp.Salt{Salt: [4]byte{1, 2, 3, 4}})
		s.Read()
		if upTo == "auth" {
			return
		}
		s.Send(&pcp.AuthenticationResult{Tag: "AuthenticationOK"})
		s.Read()
		if upTo == "half-packet" {
			b, _ := (&pcp.NodeCount{Tag: "CommandComplete", Count: 3, HasCount: true}).Encode(nil)
			s.SendRaw(b[:7])
		}
	})
}

// Every wait ends at the context's deadline, pipelined or not, with a timer
// context (modern commands) or an Expiring one (the pcp_* tools).
func TestDeadlineOnEveryWait(t *testing.T) {
	for _, upTo := range []string{"accepted", "salt", "auth", "reply", "half-packet"} {
		for _, v := range []struct{ pipeline, expiring bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			srv := stall(t, upTo)
			cfg := cfgFor(srv)
			cfg.Pipeline = v.pipeline
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			if v.expiring {
				ctx = Expiring(time.Now().Add(200 * time.Millisecond))
			}
			start := time.Now()
			c, err := Dial(ctx, cfg)
			if err == nil {
				_, err = c.NodeCount(ctx)
				c.Close()
			}
			took := time.Since(start)
			cancel()
			if KindOf(err) != KindTimeout || !strings.HasPrefix(err.Error(), "timed out") {
				t.Errorf("%s %+v: got %v, want a timeout", upTo, v, err)
			}
			if took > 2*time.Second {
				t.Errorf("%s %+v: took %s", upTo, v, took)
			}
		}
	}
}

// Cancellation wakes a wait at once, even without a deadline.
func TestCancelWakesWait(t *testing.T) {
	srv := stall(t, "reply")
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Dial(ctx, cfgFor(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.NodeCount(ctx)
	if KindOf(err) != KindTimeout || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("got %v, want a cancellation", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestExpiredContextSendsNothing(t *testing.T) {
	srv := pcptest.NewServer(t, pgpool().Serve)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := Dial(ctx, cfgFor(srv))
	if KindOf(err) != KindTimeout {
		t.Fatalf("got %v, want a timeout", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal("not an *Error")
	}
}

// A reused connection serves one command after another (watch mode).
func TestReusedConnection(t *testing.T) {
	srv := pcptest.NewServer(t, pgpool().Serve)
	ctx := context.Background()
	c, err := Dial(ctx, cfgFor(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 50; i++ {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		nodes, err := c.NodeInfo(qctx, AllNodes)
		cancel()
		if err != nil || len(nodes) != 3 {
			t.Fatalf("refresh %d: %d nodes, %v", i, len(nodes), err)
		}
	}
	if srv.Sessions() != 1 {
		t.Errorf("%d sessions, want 1", srv.Sessions())
	}
}

// Only the pcp_* drop-ins send .invalid names to the resolver.
func TestInvalidDomainStaysLocal(t *testing.T) {
	_, err := resolve(context.Background(), "pgpool.invalid", false)
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("resolve(pgpool.invalid) = %v, want a local not-found", err)
	}
}

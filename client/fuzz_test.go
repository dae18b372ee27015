package client

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
)

// scriptConn is a net.Conn whose peer has already said everything it will
// say: reads come from the script, writes vanish, deadlines are moot because
// nothing can block.
type scriptConn struct {
	r *bytes.Reader
}

func (c *scriptConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *scriptConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }
func (c *scriptConn) interrupt()                       {}

func scripted(server []byte) *Conn {
	nc := &scriptConn{r: bytes.NewReader(server)}
	return &Conn{nc: nc, fe: pcp.NewFrontend(nc, nc)}
}

// runCommand authenticates and runs command number which (mod 10) against the
// scripted server, returning how many records came back; the high bit
// pipelines the authentication with the command.
func runCommand(ctx context.Context, c *Conn, which byte) (int, error) {
	if err := c.authenticate(ctx, "pcpadmin", "secret", which&0x80 != 0); err != nil {
		return 0, err
	}
	switch which % 10 {
	case 0:
		_, err := c.NodeCount(ctx)
		return 1, err
	case 1:
		n, err := c.NodeInfo(ctx, AllNodes)
		return len(n), err
	case 2:
		n, err := c.NodeInfo(ctx, 0)
		return len(n), err
	case 3:
		w, err := c.WatchdogInfo(ctx, -1)
		if w != nil && w.Cluster != nil {
			return len(w.Cluster.Nodes), err
		}
		return 1, err
	case 4:
		p, err := c.ProcessCount(ctx)
		return len(p), err
	case 5:
		p, err := c.ProcessInfo(ctx, 0)
		return len(p), err
	case 6:
		p, err := c.PoolStatus(ctx)
		return len(p), err
	case 7:
		_, err := c.HealthCheckStats(ctx, 0)
		return 1, err
	case 8:
		return 0, c.DetachNode(ctx, 1, false)
	default:
		return 0, c.PromoteNode(ctx, 1, false, true)
	}
}

// FuzzSession plays arbitrary server bytes against a whole session of each
// command. Whatever arrives, the client returns records or one of its own
// errors with a one-line message and a kind, never panics, and never returns
// more records than the bytes could describe.
func FuzzSession(f *testing.F) {
	salt := []byte("m\x00\x00\x00\x08\x01\x02\x03\x04r\x00\x00\x00\x15AuthenticationOK\x00")
	for _, name := range mustGlob(f, "../pcp/testdata/fuzz/FuzzReceive/capture-*") {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		lit := strings.TrimPrefix(strings.TrimSpace(string(raw)), "go test fuzz v1\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
		if err != nil {
			f.Fatal(err)
		}
		for which := byte(0); which < 10; which++ {
			f.Add(which, []byte(s))
		}
	}
	f.Add(byte(1), append(append([]byte{}, salt...), "i\x00\x00\x00\x19ArraySize\x001000000000\x00i\x00\x00\x00\x14CommandComplete\x00"...))
	f.Add(byte(5), append(append([]byte{}, salt...), "p\x00\x00\x00\x19ArraySize\x001000000000\x00"...))
	f.Add(byte(6), append(append([]byte{}, salt...), "b\x00\x00\x00\x12ArraySize\x00\x3b\x9a\xca\x00"...))
	f.Add(byte(3), append(append([]byte{}, salt...), "w\x00\x00\x00\x1dCommandComplete\x00not json\x00"...))
	f.Add(byte(0), append(append([]byte{}, salt...), "E\x00\x00\x00\x05\x00"...))
	f.Add(byte(0), []byte("m\x00\x00\x00\x06\x01\x02"))
	f.Fuzz(func(t *testing.T, which byte, server []byte) {
		n, err := runCommand(context.Background(), scripted(server), which)
		if err == nil {
			if n > len(server) {
				t.Fatalf("%d records from %d bytes", n, len(server))
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind == 0 {
			t.Fatalf("error %T %v is not a classified client error", err, err)
		}
		msg := strings.TrimRight(e.Error(), "\n")
		if strings.TrimSpace(msg) == "" || strings.TrimSpace(strings.TrimLeft(msg, ":")) == "" {
			t.Fatalf("empty error message for %v (%q)", e.Kind, e.Error())
		}
		if strings.Contains(msg, "secret") {
			t.Fatalf("password in error %q", msg)
		}
	})
}

func mustGlob(tb testing.TB, pattern string) []string {
	tb.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		tb.Fatalf("no seeds match %s", pattern)
	}
	return m
}

// TestHugeArraySizeAllocatesNothing: a count of 10^9 from the server sizes
// nothing; only what actually arrives is kept.
func TestHugeArraySizeAllocatesNothing(t *testing.T) {
	auth := "m\x00\x00\x00\x08\x01\x02\x03\x04r\x00\x00\x00\x15AuthenticationOK\x00"
	for _, c := range []struct {
		which  byte
		stream string
	}{
		{1, "i\x00\x00\x00\x19ArraySize\x001000000000\x00i\x00\x00\x00\x14CommandComplete\x00"},
		{5, "p\x00\x00\x00\x19ArraySize\x001000000000\x00p\x00\x00\x00\x14CommandComplete\x00"},
		{6, "b\x00\x00\x00\x12ArraySize\x00\x3b\x9a\xca\x00b\x00\x00\x00\x14CommandComplete\x00"},
		{4, "n\x00\x00\x00\x23CommandComplete\x001000000000\x00\x31\x00"},
		{3, "w\x00\x00\x00\x3cCommandComplete\x00{\"NodeCount\":1000000000,\"WatchdogNodes\":[]}\x00"},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := runCommand(context.Background(), scripted([]byte(auth+c.stream)), c.which)
		runtime.ReadMemStats(&after)
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
			t.Errorf("command %d: allocated %d bytes for an announced 10^9 records", c.which, grown)
		}
		if err == nil {
			t.Errorf("command %d: a count of 10^9 with no records accepted as a complete answer", c.which)
		}
	}
}

// FuzzPassFile checks the .pcppass scanner: arbitrary content never panics,
// and a line written with libpcp's escaping always yields its password.
func FuzzPassFile(f *testing.F) {
	f.Add([]byte("*:*:*:pw\n"), "127.0.0.1", "9898", "pcpadmin", "s3cr:et\\")
	f.Add([]byte("localhost:9898:u\\:x:p\\:w\\\\\n# comment\n"), "localhost", "9898", "u:x", "p")
	f.Add([]byte(strings.Repeat("x", 700)+"\n*:*:*:late\n"), "h", "1", "u", "")
	f.Add([]byte("h:1:u"), "h", "1", "u", "pw")
	f.Add([]byte("\\"), "h", "1", "u", "pw")
	f.Fuzz(func(t *testing.T, content []byte, host, port, user, password string) {
		scanPassFile(bytes.NewReader(content), host, port, user)
		esc := func(s string) string {
			return strings.NewReplacer(`\`, `\\`, `:`, `\:`).Replace(s)
		}
		line := esc(host) + ":" + esc(port) + ":" + esc(user) + ":" + esc(password)
		if len(line) >= passLineMax || strings.ContainsAny(line, "\n") || host == "*" || port == "*" || user == "*" {
			return
		}
		got, ok := scanPassFile(strings.NewReader(line+"\n"), host, port, user)
		if !ok || got != password {
			t.Fatalf("line %q: got %q %v, want %q", line, got, ok, password)
		}
	})
}

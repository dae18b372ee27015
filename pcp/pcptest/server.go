// Package pcptest runs scripted PCP servers on loopback for tests: a raw
// Session API for fault injection (stalls, garbage, huge lengths) and Pgpool,
// which answers every command in the dialect of a chosen pgpool release.
// They stand in only for what a real pgpool cannot be made to do.
package pcptest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
)

// Server accepts connections and hands each to a handler.
type Server struct {
	ln      net.Listener
	Host    string // "127.0.0.1", or the socket directory
	Port    int
	handler func(*Session)
	wg      sync.WaitGroup

	mu       sync.Mutex
	received int // request bytes received over all sessions
	sessions int
}

// NewServer listens on 127.0.0.1 on a free port.
func NewServer(tb testing.TB, handler func(*Session)) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{ln: ln, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, handler: handler}
	s.start(tb)
	return s
}

// NewServerAt listens on a TCP address such as "[::1]:0" (IPv6 tests).
func NewServerAt(tb testing.TB, addr string, handler func(*Session)) (*Server, error) {
	tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := ln.Addr().(*net.TCPAddr)
	s := &Server{ln: ln, Host: a.IP.String(), Port: a.Port, handler: handler}
	s.start(tb)
	return s, nil
}

// NewUnixServer listens on dir/.s.PGSQL.<port>, as pgpool's socket does.
func NewUnixServer(tb testing.TB, dir string, port int, handler func(*Session)) *Server {
	tb.Helper()
	path := filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{ln: ln, Host: dir, Port: port, handler: handler}
	s.start(tb)
	return s
}

func (s *Server) start(tb testing.TB) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.sessions++
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				// A stuck client must not keep the test alive.
				c.SetDeadline(time.Now().Add(time.Minute))
				s.handler(&Session{Conn: c, srv: s})
			}()
		}
	}()
	tb.Cleanup(s.Close)
}

// Close stops listening and waits for the handlers.
// Connections still in the listen backlog (a client that connected and left
// at once) are accepted and served first, so that Sessions counts them.
func (s *Server) Close() {
	if dl, ok := s.ln.(interface{ SetDeadline(time.Time) error }); ok {
		if dl.SetDeadline(time.Now().Add(50*time.Millisecond)) == nil {
			s.wg.Wait()
		}
	}
	s.ln.Close()
	s.wg.Wait()
}

// Received is the number of request bytes that reached the server.
func (s *Server) Received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// Sessions is the number of connections accepted.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Session is one accepted connection.
type Session struct {
	Conn net.Conn
	srv  *Server
}

// ErrClosed is returned by Read when the client hung up.
var ErrClosed = errors.New("client closed the connection")

// Read reads one request packet.
func (s *Session) Read() (kind byte, payload []byte, err error) {
	var hdr [5]byte
	if _, err := io.ReadFull(s.Conn, hdr[:]); err != nil {
		return 0, nil, ErrClosed
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n < 4 || n > 1<<16 {
		return hdr[0], nil, errors.New("bad request length")
	}
	payload = make([]byte, n-4)
	if _, err := io.ReadFull(s.Conn, payload); err != nil {
		return hdr[0], nil, ErrClosed
	}
	s.srv.mu.Lock()
	s.srv.received += int(n) + 1
	s.srv.mu.Unlock()
	return hdr[0], payload, nil
}

// Send writes messages.
func (s *Session) Send(msgs ...pcp.BackendMessage) error {
	var buf []byte
	for _, m := range msgs {
		var err error
		if buf, err = m.Encode(buf); err != nil {
			return err
		}
	}
	_, err := s.Conn.Write(buf)
	return err
}

// SendRaw writes bytes as they are.
func (s *Session) SendRaw(b []byte) error {
	_, err := s.Conn.Write(b)
	return err
}

// Authenticate plays the server side of the MD5 handshake. With legacy it
// refuses like a 3.0–3.4 server ('r' AuthenticationFailed); otherwise like
// 3.5+ (FATAL). It reports whether the client got in.
func (s *Session) Authenticate(user, password string, legacy bool) bool {
	kind, _, err := s.Read()
	if err != nil || kind != 'M' {
		return false
	}
	salt := [4]byte{0x5a, 0x17, 0x00, 0xc3}
	s.Send(&pcp.Salt{Salt: salt})
	kind, payload, err := s.Read()
	if err != nil || kind != 'R' {
		return false
	}
	var a pcp.Authenticate
	a.Decode(payload)
	if a.User == user && a.Response == pcp.MD5Response(user, password, salt) {
		s.Send(&pcp.AuthenticationResult{Tag: "AuthenticationOK"})
		return true
	}
	if legacy {
		s.Send(&pcp.AuthenticationResult{Tag: "AuthenticationFailed", Reason: "username and/or password do not match"})
		return false
	}
	s.Send(Error("FATAL", "authentication failed for user \""+a.User+"\"", "username and/or password does not match"))
	return false
}

// Silent is a handler that accepts and never answers, like a wedged pgpool:
// it reads until the client gives up.
func Silent(s *Session) { io.Copy(io.Discard, s.Conn) }

// Error builds an error packet as pgpool's logging layer does.
func Error(severity, message, detail string) *pcp.ErrorResponse {
	f := []pcp.ErrorField{{Code: 'S', Value: severity}, {Code: 'C', Value: "XX000"}, {Code: 'M', Value: message}}
	if detail != "" {
		f = append(f, pcp.ErrorField{Code: 'D', Value: detail})
	}
	f = append(f, pcp.ErrorField{Code: 'F', Value: "pcp_worker.c"}, pcp.ErrorField{Code: 'L', Value: "1"})
	return &pcp.ErrorResponse{Fields: f}
}

// Notice builds a NOTICE packet.
func Notice(message string) *pcp.ErrorResponse {
	e := Error("NOTICE", message, "")
	e.Notice = true
	return e
}

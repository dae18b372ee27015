package pcptest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Recorder is a loopback listener that answers nothing and keeps every
// byte any client sends, so a test can prove that a command refused its
// input before talking to pgpool at all.
type Recorder struct {
	Host string
	Port int

	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns int
	data  []byte
}

// NewRecorder listens on 127.0.0.1 on a free port until the test ends.
func NewRecorder(tb testing.TB) *Recorder {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &Recorder{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, ln: ln}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns++
			r.mu.Unlock()
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer c.Close()
				// A client waiting for a salt would otherwise hold the
				// connection until its own deadline.
				c.SetDeadline(time.Now().Add(2 * time.Second))
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					r.mu.Lock()
					r.data = append(r.data, buf[:n]...)
					r.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	tb.Cleanup(r.Close)
	return r
}

// Close accepts what is still queued in the listen backlog (a client that
// connected and left at once may not have been accepted yet), then stops
// listening and waits for open connections to end. Read the counts after
// Close. The window is generous because on a loaded machine the accept
// goroutine may not run within a few tens of milliseconds, and a queued
// connection it misses reads as "never connected".
func (r *Recorder) Close() {
	r.ln.(*net.TCPListener).SetDeadline(time.Now().Add(250 * time.Millisecond))
	r.wg.Wait()
	r.ln.Close()
}

// Connections is the number of connections accepted so far.
func (r *Recorder) Connections() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
}

// Bytes is everything received so far, over all connections.
func (r *Recorder) Bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.data...)
}

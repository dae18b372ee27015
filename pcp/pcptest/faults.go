package pcptest

import (
	"bytes"
	"encoding/binary"
	"io"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
)

// Fault is a misbehaving PCP server: one way a broken, hostile or stalled
// pgpool can answer. Phase says when it strikes, which decides the exit code
// the pcp_* form owes (1 before authentication completes, 0 after it, like
// the stock tools).
type Fault struct {
	Name  string
	Phase Phase
	// Watchdog marks a fault in the reply to a watchdog request; all others
	// are in the reply to node info (or in authentication).
	Watchdog bool
	Serve    func(*Session)
}

// Phase is when a fault strikes.
type Phase int

const (
	// DuringAuth faults hit the salt or authentication exchange.
	DuringAuth Phase = iota
	// AfterAuth faults hit the reply to the command.
	AfterAuth
)

// Faults returns the catalogue, each fault authenticating user/password
// properly when it strikes after authentication.
func Faults(user, password string) []Fault {
	// afterAuth authenticates, reads the command and hands over to f.
	afterAuth := func(f func(*Session)) func(*Session) {
		return func(s *Session) {
			if !s.Authenticate(user, password, false) {
				return
			}
			if _, _, err := s.Read(); err != nil {
				return
			}
			f(s)
		}
	}
	header := func(kind byte, length uint32) []byte {
		return binary.BigEndian.AppendUint32([]byte{kind}, length)
	}
	reply := NodeInfoReply(ThreeNodes()[0])
	return []Fault{
		{Name: "no-salt", Phase: DuringAuth, Serve: func(s *Session) {
			s.Read()
			s.Stall()
		}},
		{Name: "drip-salt", Phase: DuringAuth, Serve: func(s *Session) {
			s.Read()
			s.Drip(encode(&pcp.Salt{Salt: [4]byte{1, 2, 3, 4}}), time.Second)
		}},
		{Name: "short-salt", Phase: DuringAuth, Serve: func(s *Session) {
			s.Read()
			s.SendRaw(append(header('m', 6), 1, 2))
			s.Stall()
		}},
		{Name: "fatal-on-auth", Phase: DuringAuth, Serve: func(s *Session) {
			s.Authenticate(user, password+"-not", false)
		}},
		{Name: "stall-mid-reply", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(reply[:len(reply)/2])
			s.Stall()
		})},
		{Name: "stall-mid-packet", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			// Whatever the command, its reply starts and stops: the
			// header promises 100 bytes, ten come.
			s.SendRaw(append(header('i', 104), "CommandCo"...))
			s.Stall()
		})},
		{Name: "drip-reply", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.Drip(reply, time.Second)
		})},
		{Name: "truncated-packet", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(reply[:len(reply)/2])
		})},
		{Name: "length-0", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(header('i', 0))
			s.Stall()
		})},
		{Name: "length-3", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(header('i', 3))
			s.Stall()
		})},
		{Name: "length-2^31-1", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(header('i', 1<<31-1))
			s.Stall()
		})},
		{Name: "length-over-cap", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(header('i', pcp.MaxPacketLength+1))
			s.Stall()
		})},
		{Name: "unknown-kind", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(append(header('Q', 8), "Boo\x00"...))
			s.Stall()
		})},
		{Name: "error-without-fields", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.SendRaw(append(header('E', 5), 0))
		})},
		{Name: "10000-notices", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			var buf []byte
			for i := 0; i < 10000; i++ {
				buf, _ = Notice("checkpoint request queued").Encode(buf)
			}
			s.SendRaw(append(buf, reply...))
			s.Stall()
		})},
		{Name: "1MiB-of-empty-strings", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			// The largest packet we accept, cut into as many strings as
			// it can hold: a decoder that keeps one header per string
			// needs 16 times the packet.
			body := append([]byte("NodeInfo\x00"), make([]byte, pcp.MaxPacketLength-4-9)...)
			s.SendRaw(append(header('i', pcp.MaxPacketLength), body...))
			s.Stall()
		})},
		{Name: "error-with-500000-fields", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			body := append(bytes.Repeat([]byte("S\x00"), (pcp.MaxPacketLength-5)/2), 0)
			s.SendRaw(append(header('E', uint32(4+len(body))), body...))
			s.Stall()
		})},
		{Name: "close-after-auth", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {})},
		{Name: "array-size-10^9", Phase: AfterAuth, Serve: afterAuth(func(s *Session) {
			s.Send(&pcp.NodeInfoReply{Tag: "ArraySize", Count: 1000000000},
				&pcp.NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: ThreeNodes()[0]},
				&pcp.NodeInfoReply{Tag: "CommandComplete"})
			s.Stall()
		})},
		{Name: "watchdog-not-json", Phase: AfterAuth, Watchdog: true, Serve: afterAuth(func(s *Session) {
			s.SendRaw(append(append(header('w', uint32(4+len("CommandComplete\x00{\"NodeCount\": 2, oops\x00"))), "CommandComplete\x00"...), "{\"NodeCount\": 2, oops\x00"...))
			s.Stall()
		})},
	}
}

// NodeInfoReply is a 4.3.5 server's whole answer to a node info request for
// one node: ArraySize, the record, CommandComplete.
func NodeInfoReply(n pcp.NodeInfo) []byte {
	return encode(&pcp.NodeInfoReply{Tag: "ArraySize", Count: 1},
		&pcp.NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: n},
		&pcp.NodeInfoReply{Tag: "CommandComplete"})
}

func encode(msgs ...pcp.BackendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		b, _ = m.Encode(b)
	}
	return b
}

// Stall holds the connection open without a word until the client hangs
// up (or the server's own one-minute limit passes).
func (s *Session) Stall() {
	io.Copy(io.Discard, s.Conn)
}

// Drip sends b one byte per interval, stopping early when the client hangs
// up.
func (s *Session) Drip(b []byte, interval time.Duration) {
	gone := make(chan struct{})
	go func() {
		s.Stall()
		close(gone)
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range b {
		if _, err := s.Conn.Write(b[i : i+1]); err != nil {
			return
		}
		select {
		case <-gone:
			return
		case <-t.C:
		}
	}
	<-gone
}

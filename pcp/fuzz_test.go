package pcp

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The seeds of every target below include the server side of real sessions
// with pgpool-II 4.3.5, recorded by e2e's TestCaptureFuzzSeeds into
// testdata/fuzz/FuzzReceive/capture-*. FuzzReceive reads them whole; the
// per-message targets get the payloads of the packets of their kind.

// captures returns the recorded streams.
func captures(tb testing.TB) [][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzReceive", "capture-*"))
	if len(files) == 0 {
		tb.Fatal("no recorded seeds in testdata/fuzz/FuzzReceive (run e2e TestCaptureFuzzSeeds)")
	}
	var out [][]byte
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		lit := strings.TrimPrefix(strings.TrimSpace(string(raw)), "go test fuzz v1\n")
		lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
		s, err := strconv.Unquote(lit)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// capturedPayloads returns the payload of every recorded packet of kind.
func capturedPayloads(tb testing.TB, kind byte) [][]byte {
	var out [][]byte
	for _, stream := range captures(tb) {
		for len(stream) >= 5 {
			n := int(binary.BigEndian.Uint32(stream[1:5]))
			if n < 4 || 1+n > len(stream) {
				tb.Fatalf("recorded stream has a bad packet %q", stream[:5])
			}
			if stream[0] == kind {
				out = append(out, stream[5:1+n])
			}
			stream = stream[1+n:]
		}
	}
	return out
}

func seedKind(f *testing.F, kind byte) {
	for _, p := range capturedPayloads(f, kind) {
		f.Add(p)
	}
}

// roundTrip is the property every backend decoder must have: a payload it
// accepts re-encodes (within the cap) to a packet it accepts again, and that
// second decoding encodes to the same bytes: nothing it keeps is lost or
// invented on the way.
func roundTrip(t *testing.T, kind byte, m BackendMessage, payload []byte) {
	t.Helper()
	if err := m.Decode(payload); err != nil {
		return
	}
	first, err := m.Encode(nil)
	if err != nil {
		if len(payload) < MaxPacketLength-64 {
			t.Fatalf("%T decoded from %d bytes cannot be encoded: %v", m, len(payload), err)
		}
		return
	}
	again := newBackendMessage(first[0])
	if e, ok := m.(*ErrorResponse); ok && e.Notice {
		again = &ErrorResponse{Notice: true}
	}
	if err := again.Decode(first[5:]); err != nil {
		t.Fatalf("%T re-encoded as %q does not decode: %v", m, first, err)
	}
	second, err := again.Encode(nil)
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("%T not stable: %q then %q (%v)", m, first, second, err)
	}
	if first[0] != kind {
		t.Fatalf("%T encodes as kind %q, decoded from %q", m, first[0], kind)
	}
}

// FuzzReceive feeds arbitrary bytes to the Frontend: whatever arrives, it
// must return a message or an error, never panic, and never hold a buffer
// beyond the length cap whatever a length field claims.
func FuzzReceive(f *testing.F) {
	f.Add(packet('i', "ArraySize", "3"))
	f.Add(packet('i', "ArraySize", "1000000000"))
	f.Add(packet('w', "CommandComplete", `{"RemoteNodeCount":0,"QuorumStatus":1,"AliveNodeCount":0,"Escalated":1,"LeaderNodeName":"a","LeaderHostName":"a","NodeCount":0,"WatchdogNodes": []}`))
	f.Add([]byte{'b', 0, 0, 0, 18, 'A', 'r', 'r', 'a', 'y', 'S', 'i', 'z', 'e', 0, 0x3b, 0x9a, 0xca, 0})
	f.Add([]byte{'m', 0, 0, 0, 8, 1, 2, 3, 4})
	f.Add([]byte{'m', 0, 0, 0, 6, 1, 2})
	f.Add([]byte{'i', 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{'i', 0x7f, 0xff, 0xff, 0xff, 'A'})
	f.Add([]byte{'i', 0, 0x10, 0, 1, 'A'})
	f.Add([]byte{'i', 0, 0, 0, 3})
	f.Add([]byte{'E', 0, 0, 0, 4})
	f.Add([]byte{'?', 0, 0, 0, 5, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		fe := NewFrontend(bytes.NewReader(data), nil)
		for i := 0; i < 64; i++ {
			m, err := fe.Receive()
			if cap(fe.rbuf) > MaxPacketLength {
				t.Fatalf("read buffer grew to %d bytes", cap(fe.rbuf))
			}
			if err != nil {
				return
			}
			if _, err := m.Encode(nil); err != nil && len(data) < MaxPacketLength {
				t.Fatalf("decoded %T cannot be encoded: %v", m, err)
			}
		}
	})
}

// FuzzErrorFields checks the field list parser and the libpcp scanner
// emulation on arbitrary 'E'/'N' payloads.
func FuzzErrorFields(f *testing.F) {
	f.Add([]byte("SERROR\x00Mmsg\x00Ddet\x00\x00"))
	f.Add([]byte("M\x00S"))
	f.Add([]byte{})
	f.Add([]byte{0})
	seedKind(f, 'E')
	seedKind(f, 'N')
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, 'E', &ErrorResponse{}, data)
		roundTrip(t, 'N', &ErrorResponse{Notice: true}, data)
		var m ErrorResponse
		if err := m.Decode(data); err != nil {
			return
		}
		if text, ok := m.LibpcpText(); ok && !strings.HasSuffix(text, "\n") {
			t.Fatalf("libpcp text %q does not end its line", text)
		}
	})
}

// FuzzSalt covers 'm' (the salt) and 'r' (the authentication result).
func FuzzSalt(f *testing.F) {
	f.Add(byte('m'), []byte{1, 2, 3, 4})
	f.Add(byte('m'), []byte{1, 2})
	f.Add(byte('r'), []byte("AuthenticationFailed\x00username and/or password do not match\x00"))
	for _, p := range capturedPayloads(f, 'm') {
		f.Add(byte('m'), p)
	}
	for _, p := range capturedPayloads(f, 'r') {
		f.Add(byte('r'), p)
	}
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		if kind%2 == 0 {
			roundTrip(t, 'm', &Salt{}, payload)
		} else {
			roundTrip(t, 'r', &AuthenticationResult{}, payload)
		}
	})
}

// FuzzNodeInfo covers 'i' in every layout: 4.3+ ArraySize/NodeInfo packets
// and the single-record replies of 3.0–4.2.
func FuzzNodeInfo(f *testing.F) {
	for _, fx := range layoutFixtures {
		tag := "NodeInfo"
		if !fx.layout.MultiRecord() {
			tag = "CommandComplete"
		}
		f.Add(packet('i', append([]string{tag}, fx.fields...)...)[5:])
	}
	f.Add(packet('i', "ArraySize", "1000000000")[5:])
	f.Add(packet('i', "ArraySize", "-1")[5:])
	f.Add(packet('i', "NodeInfo", "h", "1e400", "2", "0", "up", "1e400", "2", "primary", "0", "", "", "99999999999999999999")[5:])
	seedKind(f, 'i')
	f.Fuzz(func(t *testing.T, payload []byte) {
		roundTrip(t, 'i', &NodeInfoReply{}, payload)
		var m NodeInfoReply
		if m.Decode(payload) == nil && m.HasNode && !(m.Node.Layout >= Layout30 && m.Node.Layout <= Layout44) {
			t.Fatalf("record decoded with layout %d", m.Node.Layout)
		}
	})
}

// FuzzWatchdogInfo covers 'w': the 3.5+ JSON document (also when it is not
// JSON, or JSON of the wrong shape) and the 3.3–3.4 fixed fields.
func FuzzWatchdogInfo(f *testing.F) {
	f.Add(packet('w', "CommandComplete", `{"RemoteNodeCount":2,"MemberRemoteNodeCount":2,"NodesRequireForQuorum":2,"QuorumStatus":1,"AliveNodeCount":2,"Escalated":1,"LeaderNodeName":"127.0.0.1:29999 Linux vm","LeaderHostName":"127.0.0.1","NodeCount":2,"WatchdogNodes": [{"ID":0,"State":4,"Membership":0,"MembershipString":"MEMBER","NodeName":"127.0.0.1:29999 Linux vm","HostName":"127.0.0.1","StateName":"LEADER","DelegateIP":"Not_Set","WdPort":29000,"PgpoolPort":29999,"Priority":1},{"ID":1,"State":8,"Membership":3,"MembershipString":"REVOKED-LOST","NodeName":"127.0.0.1:39999 Linux vm","HostName":"127.0.0.1","StateName":"LOST","DelegateIP":"Not_Set","WdPort":39000,"PgpoolPort":39999,"Priority":1}]}`)[5:])
	f.Add(packet('w', "CommandComplete", `{"RemoteNodeCount":1,"QuorumStatus":1,"AliveNodeCount":1,"Escalated":0,"MasterNodeName":"a:9999 Linux a","MasterHostName":"a","NodeCount":1,"WatchdogNodes":[{"ID":0,"State":7,"NodeName":"b:9999 Linux b","HostName":"b","StateName":"STANDBY","DelegateIP":"","WdPort":9000,"PgpoolPort":9999,"Priority":1}]}`)[5:])
	f.Add(packet('w', "CommandComplete", `{"NodeCount":1000000000,"WatchdogNodes":[]}`)[5:])
	// Control bytes in names: the re-encoder once wrote Go escapes (\x7f), not JSON.
	f.Add(packet('w', "CommandComplete", `{"RemoteNodeCount":0,"QuorumStatus":0,"AliveNodeCount":0,"Escalated":0,"LeaderNodeName":"\u007f\u0007\u2028\ud800","LeaderHostName":"<&>","NodeCount":1,"WatchdogNodes": [{"ID":0,"State":0,"NodeName":"\u0000","HostName":"","StateName":"","DelegateIP":"","WdPort":0,"PgpoolPort":0,"Priority":0}]}`)[5:])
	f.Add(packet('w', "CommandComplete", "not json")[5:])
	f.Add(packet('w', "CommandComplete", strings.Repeat("[", 20000))[5:])
	f.Add(packet('w', "CommandComplete", "host1", "9999", "9000", "3")[5:])
	seedKind(f, 'w')
	f.Fuzz(func(t *testing.T, payload []byte) {
		roundTrip(t, 'w', &WatchdogInfo{}, payload)
	})
}

// FuzzProcessInfo covers 'p' in every layout: a record decodes to the
// layout of its field count or not at all, keeps every string it came with
// (Fields gives them back, later releases' included), and reads as a 4.3
// libpcp would read it.
func FuzzProcessInfo(f *testing.F) {
	for _, n := range []int{0, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 40} {
		f.Add(packet('p', append([]string{"ProcessInfo"}, numbered(n)...)...)[5:])
	}
	f.Add(packet('p', "ArraySize", "-1")[5:])
	f.Add(procInfo47[5:])
	seedKind(f, 'p')
	f.Fuzz(func(t *testing.T, payload []byte) {
		roundTrip(t, 'p', &ProcessInfoReply{}, payload)
		var m ProcessInfoReply
		if m.Decode(payload) != nil || m.Tag != "ProcessInfo" {
			return
		}
		sent, _ := splitStrings('p', payload)
		got := m.Slot.Fields()
		if l, ok := ProcessLayoutOf(len(sent) - 1); !ok || m.Slot.Layout != l || !slices.Equal(got, sent[1:]) {
			t.Fatalf("%d fields decoded as layout %d, back as %d", len(sent)-1, m.Slot.Layout, len(got))
		}
		if again, err := ProcessSlotOf(got); err != nil || !reflect.DeepEqual(again, m.Slot) {
			t.Fatalf("ProcessSlotOf(Fields()) = %+v (%v), want %+v", again, err, m.Slot)
		}
		r := m.Slot.AsLibpcp43()
		rf := r.Fields()
		if n := min(len(rf), len(got)); r.Layout < ProcessLayout43 || !slices.Equal(rf[:n], got[:n]) {
			t.Fatalf("read by a 4.3 libpcp as %q", rf)
		}
	})
}

// FuzzHealthCheck covers 'h': whatever the count of strings, the twenty
// known ones are named, and only strings past them are Extra.
func FuzzHealthCheck(f *testing.F) {
	for _, n := range []int{0, 2, 19, 20, 21, 30} {
		f.Add(packet('h', append([]string{"CommandComplete"}, numbered(n)...)...)[5:])
	}
	seedKind(f, 'h')
	f.Fuzz(func(t *testing.T, payload []byte) {
		roundTrip(t, 'h', &HealthCheckStats{}, payload)
		var m HealthCheckStats
		if m.Decode(payload) != nil || m.Tag != "CommandComplete" {
			return
		}
		sent, _ := splitStrings('h', payload)
		if extra := max(0, len(sent)-1-HealthCheckFieldCount); len(m.Stats.Extra) != extra {
			t.Fatalf("%d strings, %d extra", len(sent)-1, len(m.Stats.Extra))
		}
	})
}

// FuzzReplies covers the remaining server kinds: node count, process
// count/info, pool status (binary ArraySize), health check, legacy 'e',
// the action replies and unknown kinds.
func FuzzReplies(f *testing.F) {
	for _, k := range []byte("lnpbhecdtzvga") {
		for _, p := range capturedPayloads(f, k) {
			f.Add(k, p)
		}
	}
	f.Add(byte('n'), packet('n', "CommandComplete", "1000000000", "1")[5:])
	f.Add(byte('p'), packet('p', "ArraySize", "1000000000")[5:])
	f.Add(byte('b'), []byte("ArraySize\x00\x3b\x9a\xca\x00"))
	f.Add(byte('b'), []byte("ArraySize\x00\xff\xff\xff\xff"))
	f.Add(byte('e'), []byte("Invalid Node ID\x00"))
	f.Add(byte('d'), []byte("CommandFailed\x00"))
	f.Add(byte('t'), []byte{})
	f.Add(byte('#'), []byte("whatever"))
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		m := newBackendMessage(kind)
		if _, ok := m.(*ErrorResponse); ok {
			return // FuzzErrorFields
		}
		roundTrip(t, kind, m, payload)
		if pc, ok := m.(*ProcessCount); ok && m.Decode(payload) == nil && len(pc.PIDs) > len(payload) {
			t.Fatalf("%d PIDs from %d bytes", len(pc.PIDs), len(payload))
		}
	})
}

// FuzzRequests covers the request decoders, which the fake servers use.
func FuzzRequests(f *testing.F) {
	for _, m := range []FrontendMessage{
		&SaltRequest{}, &Authenticate{User: "u", Response: strings.Repeat("a", 32)}, &NodeCountRequest{},
		&NodeInfoRequest{NodeID: -1}, &AttachNode{NodeID: 1}, &DetachNode{NodeID: 2}, &RecoverNode{NodeID: 1},
		&PromoteNode{NodeID: 1, Switchover: true}, &PromoteNode{NodeID: 1, Legacy: true}, &StopPgpool{Mode: 'f'},
		&ReloadConfig{Scope: 'c'}, &Terminate{}, &WatchdogInfoRequest{ID: -1}, &ProcessCountRequest{},
		&ProcessInfoRequest{PID: 4242}, &PoolStatusRequest{}, &HealthCheckRequest{NodeID: 0},
	} {
		b, err := m.Encode(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[0], b[5:])
	}
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		var m FrontendMessage
		switch kind {
		case 'M':
			m = &SaltRequest{}
		case 'R':
			m = &Authenticate{}
		case 'L':
			m = &NodeCountRequest{}
		case 'I':
			m = &NodeInfoRequest{}
		case 'C':
			m = &AttachNode{}
		case 'D', 'd':
			m = &DetachNode{Graceful: kind == 'd'}
		case 'O':
			m = &RecoverNode{}
		case 'J', 'j':
			m = &PromoteNode{Graceful: kind == 'j'}
		case 'T', 't':
			m = &StopPgpool{Cluster: kind == 't'}
		case 'Z':
			m = &ReloadConfig{}
		case 'V':
			m = &LogRotate{}
		case 'G':
			m = &InvalidateQueryCache{}
		case 'X':
			m = &Terminate{}
		case 'W':
			m = &WatchdogInfoRequest{}
		case 'N':
			m = &ProcessCountRequest{}
		case 'P':
			m = &ProcessInfoRequest{}
		case 'B':
			m = &PoolStatusRequest{}
		case 'H':
			m = &HealthCheckRequest{}
		default:
			return
		}
		if err := m.Decode(payload); err != nil {
			return
		}
		// A decoded request re-encodes unless it is too long for pgpool,
		// which Encode must say rather than send.
		if _, err := m.Encode(nil); err != nil && err != ErrRequestTooLong {
			t.Fatalf("%T: %v", m, err)
		}
	})
}

// FuzzNumbers checks the C number parsers against strconv where both
// define the answer: plain decimal integers within range.
func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"0", "42", "-1", " +7x", "99999999999", "9223372036854775808", "-9223372036854775809", "1e400", "715827882.333333", "", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, l, x := Atoi(s), Atol(s), Atof(s)
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			if l != v || a != int(int32(v)) {
				t.Fatalf("Atol(%q)=%d Atoi=%d, strconv says %d", s, l, a, v)
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil && x != f {
				t.Fatalf("Atof(%q)=%g, strconv says %g", s, x, f)
			}
		}
	})
}

// TestCapturedRepliesDecode: every packet pgpool 4.3.5 really sent decodes
// without error and re-encodes to the very bytes it came in.
func TestCapturedRepliesDecode(t *testing.T) {
	for _, stream := range captures(t) {
		fe := NewFrontend(bytes.NewReader(stream), nil)
		for off := 0; off < len(stream); {
			m, err := fe.Receive()
			if err != nil {
				t.Fatalf("packet at byte %d of %q: %v", off, stream[:min(len(stream), 40)], err)
			}
			n := 1 + int(binary.BigEndian.Uint32(stream[off+1:]))
			raw := stream[off : off+n]
			b, err := m.Encode(nil)
			if err != nil || !bytes.Equal(b, raw) {
				t.Errorf("%T re-encodes as %q, pgpool sent %q (%v)", m, b, raw, err)
			}
			off += n
		}
	}
}

// TestDecodeAllocationBounded: whatever a packet of the largest accepted
// size holds, decoding it costs a small multiple of the packet, never a
// header per string or field (16–24 bytes each for a 1–2 byte item).
func TestDecodeAllocationBounded(t *testing.T) {
	size := MaxPacketLength - 4
	fill := func(unit string) []byte {
		return bytes.Repeat([]byte(unit), size/len(unit))
	}
	payloads := map[string][]byte{
		"NULs":          make([]byte, size),
		"one-byte":      fill("7\x00"),
		"fields":        fill("S\x00"),
		"tagged NULs":   append([]byte("NodeInfo\x00"), make([]byte, size-9)...),
		"CC then NULs":  append([]byte("CommandComplete\x00"), make([]byte, size-16)...),
		"process count": append([]byte("CommandComplete\x0065535\x00"), fill("1\x00")[:size-22]...),
	}
	for _, kind := range []byte("mrENelinpbhwcdtzvga#") {
		for name, p := range payloads {
			m := newBackendMessage(kind)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m.Decode(p)
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; got > 3*MaxPacketLength {
				t.Errorf("%c %T of %s: %d KiB allocated for a %d KiB packet", kind, m, name, got>>10, len(p)>>10)
			}
		}
	}
}

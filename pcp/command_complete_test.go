package pcp

import (
	"bytes"
	"testing"
)

// FuzzCommandComplete holds Decode and Encode to each other: whatever tag a
// payload yields, encoding it and decoding the result gives it back, and a
// valid packet's bytes survive the trip unchanged.
func FuzzCommandComplete(f *testing.F) {
	f.Add(byte('c'), []byte("CommandComplete\x00"))
	f.Add(byte('d'), []byte("CommandFailed\x00"))
	f.Add(byte('t'), []byte{})
	f.Add(byte('z'), []byte("CommandComplete"))
	f.Add(byte('v'), []byte("a\x00b\x00"))
	f.Fuzz(func(t *testing.T, kind byte, payload []byte) {
		var m CommandComplete
		if err := m.Decode(payload); err != nil {
			t.Skip()
		}
		m.Kind = kind
		enc, err := m.Encode(nil)
		if err != nil {
			t.Fatalf("encode %+v: %v", m, err)
		}
		if enc[0] != kind {
			t.Fatalf("kind %q encoded as %q", kind, enc[0])
		}
		var back CommandComplete
		if err := back.Decode(enc[5:]); err != nil || back.Tag != m.Tag {
			t.Fatalf("tag %q came back as %q (%v)", m.Tag, back.Tag, err)
		}
		// A stop's ('t') empty tag is sent as no string at all, as pgpool
		// does.
		stopWithoutTag := kind == 't' && m.Tag == ""
		if !stopWithoutTag && bytes.Equal(payload, append([]byte(m.Tag), 0)) && !bytes.Equal(enc[5:], payload) {
			t.Fatalf("payload %q re-encoded as %q", payload, enc[5:])
		}
	})
}

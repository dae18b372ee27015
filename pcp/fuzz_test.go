package pcp

import (
	"bytes"
	"testing"
)

// FuzzReceive feeds arbitrary bytes to the Frontend: whatever arrives, it
// must return a message or an error, never panic, and never allocate beyond
// the length cap.
func FuzzReceive(f *testing.F) {
	f.Add(packet('i', "ArraySize", "3"))
	f.Add(packet('i', "NodeInfo", "127.0.0.1", "15432", "1", "0", "up", "715827882.333333", "2", "primary", "0", "", "", "1700000000"))
	f.Add(packet('w', "CommandComplete", `{"RemoteNodeCount":0,"QuorumStatus":1,"AliveNodeCount":0,"Escalated":1,"LeaderNodeName":"a","LeaderHostName":"a","NodeCount":0,"WatchdogNodes": []}`))
	f.Add(packet('E', "SERROR", "Mboom", ""))
	f.Add([]byte{'b', 0, 0, 0, 18, 'A', 'r', 'r', 'a', 'y', 'S', 'i', 'z', 'e', 0, 0, 0, 0, 2})
	f.Add([]byte{'m', 0, 0, 0, 8, 1, 2, 3, 4})
	f.Add([]byte{'i', 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		fe := NewFrontend(bytes.NewReader(data), nil)
		for i := 0; i < 64; i++ {
			m, err := fe.Receive()
			if err != nil {
				return
			}
			if _, err := m.Encode(nil); err != nil && len(data) < MaxPacketLength {
				t.Fatalf("decoded %T cannot be encoded: %v", m, err)
			}
		}
	})
}

// FuzzErrorFields checks the libpcp scanner emulation on arbitrary fields.
func FuzzErrorFields(f *testing.F) {
	f.Add([]byte("SERROR\x00Mmsg\x00Ddet\x00\x00"))
	f.Add([]byte("M\x00S"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ErrorResponse
		if err := m.Decode(data); err != nil {
			return
		}
		m.LibpcpText()
	})
}

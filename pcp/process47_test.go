package pcp

import (
	"bytes"
	"reflect"
	"testing"
)

// procInfo47 is one 4.7 process info record as pgpool sends it, written
// byte by byte from pcp-protocol.md §5.6 (no 4.7 server is in the test
// set-up): kind 'p', the length, "ProcessInfo", then 21 NUL-terminated
// fields in wire order, the last three being 4.7's client_host,
// client_port and statement.
var procInfo47 = []byte("p\x00\x00\x00\x95" +
	"ProcessInfo\x00" +
	"4242\x00" + // 1 pool_pid
	"2023-11-14 22:13:20\x00" + // 2 process_start_time
	"1\x00" + // 3 client_connection_count
	"0\x00" + // 4 pool_id
	"0\x00" + // 5 backend_id
	"testdb\x00" + // 6 database
	"alice\x00" + // 7 username
	"2023-11-14 22:14:00\x00" + // 8 backend_connection_time
	"2023-11-14 22:14:01\x00" + // 9 client_connection_time
	"\x00" + // 10 client_disconnection_time
	"0\x00" + // 11 client_idle_duration
	"3\x00" + // 12 majorversion
	"0\x00" + // 13 minorversion
	"5\x00" + // 14 pool_counter
	"7777\x00" + // 15 pool_backendpid
	"1\x00" + // 16 pool_connected
	"Idle\x00" + // 17 status
	"1\x00" + // 18 load_balance_node (4.5)
	"192.0.2.10\x00" + // 19 client_host (4.7)
	"51234\x00" + // 20 client_port (4.7)
	"SELECT 1\x00") // 21 statement (4.7)

func TestProcessInfo47Fixture(t *testing.T) {
	if n := int(procInfo47[1])<<24 | int(procInfo47[2])<<16 | int(procInfo47[3])<<8 | int(procInfo47[4]); n != len(procInfo47)-1 {
		t.Fatalf("fixture length field %d, packet body %d", n, len(procInfo47)-1)
	}
	f := NewFrontend(bytes.NewReader(procInfo47), nil)
	msg, err := f.Receive()
	if err != nil {
		t.Fatal(err)
	}
	r, ok := msg.(*ProcessInfoReply)
	if !ok || r.Tag != "ProcessInfo" {
		t.Fatalf("decoded %T %+v", msg, msg)
	}
	want := ProcessSlot{Layout: ProcessLayout47, PID: "4242", StartTime: "2023-11-14 22:13:20", ClientConnectionCount: "1",
		PoolID: "0", BackendID: "0", Database: "testdb", Username: "alice", BackendConnectionTime: "2023-11-14 22:14:00",
		ClientConnectionTime: "2023-11-14 22:14:01", ClientIdleDuration: "0", Major: "3", Minor: "0", Counter: "5",
		BackendPID: "7777", Connected: "1", Status: "Idle", LoadBalanceNode: "1", ClientHost: "192.0.2.10",
		ClientPort: "51234", Statement: "SELECT 1"}
	if !reflect.DeepEqual(r.Slot, want) {
		t.Errorf("slot\n%+v\nwant\n%+v", r.Slot, want)
	}
	// And back: the same bytes, so nothing past field 17 is lost either way.
	b, err := r.Encode(nil)
	if err != nil || !bytes.Equal(b, procInfo47) {
		t.Errorf("re-encoded %q (%v)", b, err)
	}
}

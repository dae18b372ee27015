package pcp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustEncode(t *testing.T, m interface {
	Encode([]byte) ([]byte, error)
}) []byte {
	t.Helper()
	b, err := m.Encode(nil)
	if err != nil {
		t.Fatalf("encode %T: %v", m, err)
	}
	return b
}

// packet builds kind + length + NUL-joined strings, the way pgpool does.
func packet(kind byte, strs ...string) []byte {
	var body []byte
	for _, s := range strs {
		body = append(body, s...)
		body = append(body, 0)
	}
	n := len(body) + 4
	return append([]byte{kind, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

func TestMD5ResponseVectors(t *testing.T) {
	salt := [4]byte{1, 2, 3, 4}
	for _, tc := range []struct{ user, pass, want string }{
		{"root", "secret", "5f8611a4ac29bac07e176308bdedd1d0"},
		{"pgpool", "", "546bcbbd88f36c54d410800d30fd5eba"},
	} {
		if got := MD5Response(tc.user, tc.pass, salt); got != tc.want {
			t.Errorf("MD5Response(%q) = %s, want %s", tc.user, got, tc.want)
		}
	}
}

func TestRequestBytes(t *testing.T) {
	for _, tc := range []struct {
		msg  FrontendMessage
		want string // hex
	}{
		{&SaltRequest{}, "4d00000004"},
		{&NodeCountRequest{}, "4c00000004"},
		{&NodeInfoRequest{NodeID: 0}, "49000000063000"},
		{&NodeInfoRequest{NodeID: -1}, "4900000007" + "2d3100"},
		{&AttachNode{NodeID: 2}, "43000000063200"},
		{&DetachNode{NodeID: 2}, "44000000063200"},
		{&DetachNode{NodeID: 2, Graceful: true}, "64000000063200"},
		{&RecoverNode{NodeID: 1}, "4f000000063100"},
		{&PromoteNode{NodeID: 1}, "4a00000008312000" + "6e"},
		{&PromoteNode{NodeID: 1, Graceful: true, Switchover: true}, "6a00000008312000" + "73"},
		{&WatchdogInfoRequest{ID: -1}, "5700000007" + "2d3100"},
		{&StopPgpool{Mode: 'f', Cluster: true}, "740000000566"},
		{&StopPgpool{Mode: 's'}, "540000000573"},
		{&ReloadConfig{Scope: 'c'}, "5a0000000563"},
		// 4.6: 'V' carries the scope byte like 'Z'; 'G' is bare.
		{&LogRotate{Scope: 'l'}, "56000000056c"},
		{&LogRotate{Scope: 'c'}, "560000000563"},
		{&InvalidateQueryCache{}, "4700000004"},
		{&Terminate{}, "5800000004"},
		{&Authenticate{User: "root", Response: "5f8611a4ac29bac07e176308bdedd1d0"},
			"520000002a" + hex.EncodeToString([]byte("root\x005f8611a4ac29bac07e176308bdedd1d0\x00"))},
	} {
		got := hex.EncodeToString(mustEncode(t, tc.msg))
		if got != tc.want {
			t.Errorf("%T%+v: got %s want %s", tc.msg, tc.msg, got, tc.want)
		}
	}
}

func TestRequestTooLong(t *testing.T) {
	_, err := (&Authenticate{User: strings.Repeat("u", 250), Response: strings.Repeat("0", 32)}).Encode(nil)
	if !errors.Is(err, ErrRequestTooLong) {
		t.Fatalf("got %v, want ErrRequestTooLong", err)
	}
}

// The layouts, as each release series sends them for the same node.
var layoutFixtures = []struct {
	layout Layout
	fields []string
}{
	{Layout30, []string{"db1", "5432", "2", "1073741823.500000"}},
	{Layout37, []string{"db1", "5432", "2", "1073741823.500000", "2"}},
	{Layout37Q, []string{"db1", "5432", "3", "1", "1073741823.500000", "3"}},
	{Layout40, []string{"db1", "5432", "2", "1073741823.500000", "3", "12345", "1700000000"}},
	{Layout40Q, []string{"db1", "5432", "2", "0", "1073741823.500000", "3", "12345", "1700000000"}},
	{Layout41, []string{"db1", "5432", "2", "1073741823.500000", "3", "12345", "streaming", "async", "1700000000"}},
	{Layout41Q, []string{"db1", "5432", "2", "0", "1073741823.500000", "3", "12345", "streaming", "async", "1700000000"}},
	{Layout43, []string{"db1", "5432", "2", "up", "1073741823.500000", "3", "standby", "12345", "streaming", "async", "1700000000"}},
	{Layout43Q, []string{"db1", "5432", "3", "1", "down", "1073741823.500000", "3", "unknown", "12345", "", "", "1700000000"}},
	{Layout44, []string{"db1", "5432", "2", "0", "up", "1073741823.500000", "3", "standby", "1", "1500000", "streaming", "sync", "1700000000"}},
}

func TestNodeInfoLayouts(t *testing.T) {
	for _, fx := range layoutFixtures {
		tag := "CommandComplete"
		if fx.layout.MultiRecord() {
			tag = "NodeInfo"
		}
		raw := packet('i', append([]string{tag}, fx.fields...)...)
		var m NodeInfoReply
		if err := m.Decode(raw[5:]); err != nil {
			t.Fatalf("layout %d: %v", fx.layout, err)
		}
		n := m.Node
		if !m.HasNode || n.Layout != fx.layout || n.Hostname != "db1" || n.Port != 5432 || n.Weight != 1073741823.5 {
			t.Fatalf("layout %d: decoded %+v", fx.layout, n)
		}
		if fx.layout.Has(FieldRole) != (n.Role >= 0) {
			t.Errorf("layout %d: role %d", fx.layout, n.Role)
		}
		if fx.layout.Has(FieldDelay) && n.Delay == 0 {
			t.Errorf("layout %d: delay lost", fx.layout)
		}
		if fx.layout == Layout43Q && (!n.Quarantine || n.Status != 3 || n.PgStatus != "down" || n.PgRole != "unknown") {
			t.Errorf("4.3.1+ quarantine record decoded as %+v", n)
		}
		if fx.layout == Layout44 && (!n.DelayByTime || n.Delay != 1500000 || n.ReplicationSyncState != "sync") {
			t.Errorf("4.4 record decoded as %+v", n)
		}
		// Encode must give back the server's bytes exactly.
		back := mustEncode(t, &m)
		if !bytes.Equal(back, raw) {
			t.Errorf("layout %d: re-encoded\n%q\nwant\n%q", fx.layout, back, raw)
		}
	}
}

func TestNodeInfoRejectsUnknownShapes(t *testing.T) {
	for _, strs := range [][]string{
		{"CommandComplete", "h", "1", "2"}, // 3 fields
		{"NodeInfo", "h", "1", "2", "0", "up", "1", "2", "x", "0", "a", "b", "1", "extra", "more"}, // 14
		{"ArraySize"},
		{"ArraySize", "-5"},
	} {
		var m NodeInfoReply
		if err := m.Decode(packet('i', strs...)[5:]); err == nil {
			t.Errorf("%q decoded without error: %+v", strs, m)
		}
	}
}

func TestErrorResponse(t *testing.T) {
	raw := []byte("SERROR\x00CXX000\x00Minforming node info failed\x00Dinvalid node ID : 5\x00Fpcp_worker.c\x00L1234\x00\x00")
	var m ErrorResponse
	if err := m.Decode(raw); err != nil {
		t.Fatal(err)
	}
	if m.Severity() != "ERROR" || m.Message() != "informing node info failed" || m.Detail() != "invalid node ID : 5" || m.Fatal() {
		t.Fatalf("decoded %+v", m)
	}
	text, _ := m.LibpcpText()
	if want := "ERROR:  informing node info failed\nDETAIL:  invalid node ID : 5\n"; text != want {
		t.Errorf("libpcp text %q, want %q", text, want)
	}
	back := mustEncode(t, &m)
	if !bytes.Equal(back[5:], raw) {
		t.Errorf("re-encoded %q", back)
	}
}

// libpcp does not skip the values it keeps, so a message that starts with
// 'D' is read as a detail (verified against the 4.3.5 tools).
func TestErrorResponseLibpcpQuirk(t *testing.T) {
	m := ErrorResponse{Fields: []ErrorField{{'S', "ERROR"}, {'C', "XX000"}, {'M', "Detach failed for node"}, {'F', "x.c"}, {'L', "1"}}}
	sev, msg, det, ok := m.LibpcpFields()
	if !ok || *sev != "ERROR" || *msg != "Detach failed for node" || det == nil || *det != "etach failed for node" {
		t.Fatalf("sev=%v msg=%v det=%v", sev, msg, det)
	}
	if m.Detail() != "" {
		t.Errorf("our own parser must not invent a detail, got %q", m.Detail())
	}
}

func TestWatchdogJSON(t *testing.T) {
	doc := `{"RemoteNodeCount":2,"MemberRemoteNodeCount":2,"NodesRequireForQuorum":2,"QuorumStatus":1,"AliveNodeCount":2,"Escalated":1,"LeaderNodeName":"127.0.0.1:29999 Linux vm","LeaderHostName":"127.0.0.1","NodeCount":2,"WatchdogNodes": [{"ID":0,"State":4,"Membership":0,"MembershipString":"MEMBER","NodeName":"127.0.0.1:29999 Linux vm","HostName":"127.0.0.1","StateName":"LEADER","DelegateIP":"Not_Set","WdPort":29000,"PgpoolPort":29999,"Priority":1},{"ID":1,"State":8,"Membership":3,"MembershipString":"REVOKED-LOST","NodeName":"127.0.0.1:39999 Linux vm","HostName":"127.0.0.1","StateName":"LOST","DelegateIP":"Not_Set","WdPort":39000,"PgpoolPort":39999,"Priority":1}]}`
	var m WatchdogInfo
	if err := m.Decode(packet('w', "CommandComplete", doc)[5:]); err != nil {
		t.Fatal(err)
	}
	c := m.Cluster
	if c == nil || c.RemoteNodeCount != 2 || !c.Escalated || c.LeaderNodeName != "127.0.0.1:29999 Linux vm" || len(c.Nodes) != 2 {
		t.Fatalf("decoded %+v", c)
	}
	if n := c.Nodes[1]; n.State != 8 || n.MembershipString != "REVOKED-LOST" || n.PgpoolPort != 39999 {
		t.Errorf("node 1: %+v", n)
	}
	// pgpool's own rendering is what we encode.
	if got := string(c.EncodeJSON()); got != doc {
		t.Errorf("EncodeJSON:\n%s\nwant\n%s", got, doc)
	}
}

func TestWatchdogDialects(t *testing.T) {
	// 3.5–4.1: Master* keys and no membership.
	old := `{"RemoteNodeCount":1,"QuorumStatus":1,"AliveNodeCount":1,"Escalated":0,"MasterNodeName":"a:9999 Linux a","MasterHostName":"a","NodeCount":1,"WatchdogNodes":[{"ID":0,"State":7,"NodeName":"b:9999 Linux b","HostName":"b","StateName":"STANDBY","DelegateIP":"","WdPort":9000,"PgpoolPort":9999,"Priority":1}]}`
	var m WatchdogInfo
	if err := m.Decode(packet('w', "CommandComplete", old)[5:]); err != nil {
		t.Fatal(err)
	}
	c := m.Cluster
	if !c.LeaderKeysAreMaster || c.LeaderNodeName != "a:9999 Linux a" || c.MemberRemoteNodeCount != -1 || c.Nodes[0].MembershipString != "NOT-Available" {
		t.Fatalf("old dialect decoded %+v", c)
	}
	// 3.3–3.4: four fixed fields.
	if err := m.Decode(packet('w', "CommandComplete", "host1", "9999", "9000", "3")[5:]); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Legacy, &LegacyWatchdog{"host1", 9999, 9000, 3}) {
		t.Fatalf("3.3 dialect decoded %+v", m.Legacy)
	}
	for _, bad := range []string{`{"NodeCount":1,"WatchdogNodes":[]}`, `not json`, `{"RemoteNodeCount":0}`} {
		if err := m.Decode(packet('w', "CommandComplete", bad)[5:]); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

func TestFrontendBoundsLength(t *testing.T) {
	for _, hdr := range [][]byte{
		{'i', 0, 0, 0, 0},
		{'i', 0, 0, 0, 3},
		{'i', 0x7f, 0xff, 0xff, 0xff},
		{'i', 0, 0x10, 0, 1}, // MaxPacketLength + 1
	} {
		f := NewFrontend(bytes.NewReader(hdr), nil)
		_, err := f.Receive()
		var le *ErrLength
		if !errors.As(err, &le) {
			t.Errorf("header %x: got %v, want ErrLength", hdr, err)
		}
	}
}

func TestFrontendRoundTrip(t *testing.T) {
	var stream bytes.Buffer
	for _, m := range []BackendMessage{
		&Salt{Salt: [4]byte{9, 8, 7, 6}},
		&ErrorResponse{Notice: true, Fields: []ErrorField{{'S', "NOTICE"}, {'M', "hello"}}},
		&AuthenticationResult{Tag: "AuthenticationOK"},
		&NodeCount{Tag: "CommandComplete", Count: 3, HasCount: true},
		&CommandComplete{Kind: 'd', Tag: "CommandComplete"},
		&PoolStatusReply{Tag: "ArraySize", Count: 2},
		&PoolStatusReply{Tag: "ProcessConfig", Item: ConfigItem{Name: "a", Value: "b", Description: "c"}},
		&ProcessCount{Tag: "CommandComplete", PIDs: []int{10, 11}},
		&HealthCheckStats{Tag: "CommandComplete", Stats: HealthStats{NodeID: "0", Hostname: "h"}},
		&LegacyError{Message: "Invalid Node ID"},
	} {
		stream.Write(mustEncode(t, m))
	}
	f := NewFrontend(&stream, nil)
	var kinds []byte
	for {
		m, err := f.Receive()
		if err != nil {
			break
		}
		kinds = append(kinds, mustEncode(t, m)[0])
	}
	if string(kinds) != "mNrldbbnhe" {
		t.Errorf("kinds %q", kinds)
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{
		"0": 0, "12": 12, "-1": -1, " 7x": 7, "abc": 0, "": 0, "+3": 3,
		"99999999999": 1215752191, "2147483648": -2147483648,
	} {
		if got := Atoi(in); got != want {
			t.Errorf("Atoi(%q) = %d, want %d", in, got, want)
		}
	}
	if Atof("1073741823.500000") != 1073741823.5 || Atof("x") != 0 || Atof("2.5e2junk") != 250 {
		t.Error("Atof")
	}
}

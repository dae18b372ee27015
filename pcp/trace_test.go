package pcp

import (
	"bytes"
	"strings"
	"testing"
)

// The modern trace shows what was asked and answered, and never the MD5
// response, which could be replayed against the same salt.
func TestFieldTracer(t *testing.T) {
	var b bytes.Buffer
	tr := &FieldTracer{W: &b, Prefix: "t: "}
	resp := MD5Response("pcpadmin", "s3cret", [4]byte{1, 2, 3, 4})
	tr.TraceSend(&Authenticate{User: "pcpadmin", Response: resp}, 45)
	tr.TraceSend(&NodeInfoRequest{NodeID: 2}, 6)
	tr.TraceReceive('i', 40, &NodeCount{Tag: "CommandComplete", Count: 3, HasCount: true})
	tr.TraceReceive('p', 9000, &ProcessInfoReply{Tag: "ProcessInfo", Slot: ProcessSlot{Layout: ProcessLayout43, Database: strings.Repeat("x", 5000)}})
	got := b.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	for i, want := range []string{
		"t: send Authenticate len=45 {user=pcpadmin response=********}",
		"t: send NodeInfoRequest len=6 {NodeID:2}",
		"t: recv 'i' NodeCount len=40 {Tag:CommandComplete Count:3 HasCount:true}",
		"t: recv 'p' ProcessInfoReply len=9000 {Tag:ProcessInfo",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want)
		}
	}
	if strings.Contains(got, resp) || strings.Contains(got, "s3cret") {
		t.Error("secret in trace")
	}
	if n := len([]rune(lines[3])); n > traceWidth+60 {
		t.Errorf("process line is %d runes, not cut", n)
	}
}

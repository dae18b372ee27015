package pcptest

import (
	"net"
	"strconv"
	"testing"

	"github.com/pcpctl/pcpctl/pcp"
)

func TestLeaks(t *testing.T) {
	user, pw := "pcpadmin", "pcppass"
	resp := pcp.MD5Response(user, pw, [4]byte{1, 2, 3, 4})
	for _, c := range []struct {
		text string
		n    int
	}{
		{"", 0},
		{"pcp_node_info -- Command Successful\n", 0},
		{`WARNING: password file "/tmp/x/pcppass" has group or world access`, 0},
		{"PCPPASSFILE=~/.pcppass\n", 0},
		{"ERROR: authentication failed for pcppass\n", 1},
		{"pcppass", 1},
		{"/tmp/pcppass and then pcppass", 1},
		{"DEBUG: send " + resp + "\n", 1},
		{"md5" + resp, 1},
		{md5hex(pw), 2}, // also 32 hex digits
		{"x " + md5hex(md5hex(pw)+user) + " y", 2},
		{"0123456789abcdef0123456789abcdef0", 0}, // 33 digits: not a digest
		{"1 127.0.0.1 15432 2 0.333333 up up standby standby 0 streaming async 2025-11-24 16:00:00\n", 0},
	} {
		if got := Leaks(c.text, user, pw); len(got) != c.n {
			t.Errorf("Leaks(%q) = %q, want %d findings", c.text, got, c.n)
		}
	}
}

func TestRecorderKeepsEveryByte(t *testing.T) {
	r := NewRecorder(t)
	if r.Connections() != 0 || len(r.Bytes()) != 0 {
		t.Fatal("fresh recorder is not empty")
	}
	c, err := net.Dial("tcp", net.JoinHostPort(r.Host, strconv.Itoa(r.Port)))
	if err != nil {
		t.Fatal(err)
	}
	// Half a packet: the recorder must keep bytes that frame nothing.
	c.Write([]byte{'M', 0, 0})
	c.Close()
	r.Close()
	if r.Connections() != 1 || string(r.Bytes()) != "M\x00\x00" {
		t.Errorf("recorded %d connections, %q", r.Connections(), r.Bytes())
	}
}

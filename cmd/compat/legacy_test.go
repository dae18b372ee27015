package compat

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func TestIsLegacy(t *testing.T) {
	for _, tc := range []struct {
		tool string
		args string
		want bool
	}{
		{"pcp_node_info", "10 localhost 9898 user pass 0", true},
		{"pcp_node_count", "10 localhost 9898 user pass", true},
		{"pcp_detach_node", "-g 10 db 9898 u p 1", true},
		{"pcp_detach_node", "10 db 9898 -d u p 1 -g", true}, // GNU permutation
		{"pcp_watchdog_info", "0 db 9898 u p", true},
		{"pcp_node_info", "-v -- 10 db 9898 u p 0", true},
		{"pcp_node_info", "-h 1 2 3 4 5 6", true}, // help in the 3.x form
		{"pcp_node_info", "", false},
		{"pcp_node_info", "-h db -p 9898 -U u -w -n 0", false},
		{"pcp_node_info", "-n 1 -h db -p 9898 -U u extra", false}, // 3.5+: 1 operand
		{"pcp_node_info", "--host db --port 9898 --username u 0", false},
		{"pcp_node_info", "--host=db --port=9898 -Uu 0", false},
		{"pcp_node_info", "db 10 9898 u p 0", true},  // timeout not a number: refused, not echoed
		{"pcp_node_info", "10 db port u p 0", false}, // port not a number
		{"pcp_node_info", "10 db 9898 u", false},     // too few
		{"pcp_node_info", "0", false},
		{"pcp_frobnicate", "10 db 9898 u p 0", false},
	} {
		if got := IsLegacy(tc.tool, strings.Fields(tc.args)); got != tc.want {
			t.Errorf("IsLegacy(%s %s) = %v, want %v", tc.tool, tc.args, got, tc.want)
		}
	}
}

// Every invalid argument is InvalidArgumentError on stdout, usage on
// stderr, exit 7, and nothing reaches the network (port 1 would refuse).
func TestLegacyInvalidArguments(t *testing.T) {
	long := strings.Repeat("x", 128)
	for _, tc := range []struct{ tool, args string }{
		{"pcp_node_info", "10 db 9898 u p 0 extra"},
		{"pcp_node_info", "10 db 9898 u p"},
		{"pcp_node_count", "10 db 9898 u p 0"},
		{"pcp_node_info", "10 db 1024 u p 0"},
		{"pcp_node_info", "10 db 65536 u p 0"},
		{"pcp_node_info", "10 db 9898 u p -1"}, // an unknown option in 3.x
		{"pcp_node_info", "10 db 9898 u p 129"},
		{"pcp_node_info", "-x 10 db 9898 u p 1"},
		{"pcp_node_count", "-v 10 db 9898 u p"}, // 3.x node_count had no -v
		{"pcp_node_info", "10 " + long + " 9898 u p 1"},
		{"pcp_node_info", "10 db 9898 " + long + " p 1"},
		{"pcp_node_info", "10 db 9898 u " + long + " 1"},
		{"pcp_watchdog_info", "10 db 9898 u p 129"},
		{"pcp_stop_pgpool", "10 db 9898 u p x"},
		{"pcp_detach_node", "10 db 9898 u p"},
		{"pcp_node_info", "ten db 9898 u p 0"},
		{"pcp_node_count", "1.5 db 9898 u p"},
	} {
		args := strings.Fields(tc.args)
		if !IsLegacy(tc.tool, args) {
			t.Errorf("%s %s: not recognised as legacy", tc.tool, tc.args)
			continue
		}
		out, errOut, code := runTool(tc.tool, args)
		if code != 7 || out != "InvalidArgumentError\n" || !strings.HasPrefix(errOut, tc.tool+" - ") {
			t.Errorf("%s %s: exit %d stdout %q stderr %q", tc.tool, tc.args, code, out, errOut)
		}
	}
	// An empty host would have meant the local socket: refused.
	out, _, code := runTool("pcp_detach_node", []string{"10", "", "9898", "u", "p", "1"})
	if code != 7 || out != "InvalidArgumentError\n" {
		t.Errorf("empty host: exit %d %q", code, out)
	}
}

func TestLegacyHelp(t *testing.T) {
	for _, h := range []string{"-h", "--help", "--he"} {
		out, errOut, code := runTool("pcp_detach_node", []string{h, "10", "db", "9898", "u", "p", "1"})
		want := "pcp_detach_node - detach a node from pgpool-II\n\nUsage: pcp_detach_node [-d][-g] timeout hostname port# username password nodeID\n"
		if code != 0 || out != "" || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "  -g, --gracefully ") {
			t.Errorf("%s: exit %d stdout %q stderr %q", h, code, out, errOut)
		}
	}
}

// A server that accepts and never answers: the timeout argument is a
// deadline for the whole command.
func TestLegacyTimeout(t *testing.T) {
	srv := pcptest.NewServer(t, pcptest.Silent)
	for _, tool := range []string{"pcp_node_count", "pcp_detach_node"} {
		args := []string{"1", srv.Host, strconv.Itoa(srv.Port), "u", "p"}
		if tool == "pcp_detach_node" {
			args = append(args, "1")
		}
		start := time.Now()
		out, _, code := runTool(tool, args)
		took := time.Since(start)
		if code != 6 || out != "TimeoutError\n" {
			t.Errorf("%s: exit %d stdout %q", tool, code, out)
		}
		if took < time.Second || took > 2*time.Second {
			t.Errorf("%s: timeout 1 took %s", tool, took)
		}
	}
}

func TestLegacyConnectionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	out, errOut, code := runTool("pcp_node_info", []string{"-d", "5", "127.0.0.1", port, "u", "p", "0"})
	if code != 8 || out != "ConnectionError\n" || !strings.Contains(errOut, "Connection refused") {
		t.Errorf("refused: exit %d stdout %q stderr %q", code, out, errOut)
	}
	// A socket directory given explicitly is used, as 3.x did.
	out, _, code = runTool("pcp_node_count", []string{"5", t.TempDir(), "9898", "u", "p"})
	if code != 8 || out != "ConnectionError\n" {
		t.Errorf("socket: exit %d stdout %q", code, out)
	}
}

// -d traces every packet to stderr, never the password.
func TestLegacyDebug(t *testing.T) {
	d := dialects[0]
	p := d.fake()
	srv := pcptest.NewServer(t, p.Serve)
	out, errOut, code := runTool("pcp_node_info", []string{"-d", "5", srv.Host, strconv.Itoa(srv.Port), fakeUser, fakePass, "9"})
	want := "DEBUG: send: tos=\"M\", len=4\nDEBUG: recv: tos=\"m\", len=8, data=\nDEBUG: send: tos=\"R\", len=46\n" +
		"DEBUG: recv: tos=\"r\", len=21, data=AuthenticationOK\nDEBUG: send: tos=\"I\", len=6\n" +
		"DEBUG: recv: tos=\"e\", len=20, data=Invalid Node ID\nDEBUG: command failed. reason=Invalid Node ID\nDEBUG: send: tos=\"X\", len=4\n"
	if code != 12 || out != "BackendError\n" || errOut != want {
		t.Errorf("exit %d stdout %q stderr\n%s\nwant\n%s", code, out, errOut, want)
	}
	if strings.Contains(errOut, fakePass) {
		t.Error("password in the trace")
	}
}

// pgpool 4.3.5 accepts attach/detach of any id below 128 and acts on the
// wrong node: the legacy form must not send them for an id pgpool lacks.
func TestLegacyUnknownNodeNeverSent(t *testing.T) {
	var mu sync.Mutex
	var kinds []byte
	seen := func() string { mu.Lock(); defer mu.Unlock(); return string(kinds) }
	reset := func() { mu.Lock(); kinds = nil; mu.Unlock() }
	srv := pcptest.NewServer(t, func(s *pcptest.Session) {
		if !s.Authenticate(fakeUser, fakePass, false) {
			return
		}
		for {
			kind, _, err := s.Read()
			if err != nil || kind == 'X' {
				return
			}
			mu.Lock()
			kinds = append(kinds, kind)
			mu.Unlock()
			switch kind {
			case 'L':
				s.Send(&pcp.NodeCount{Tag: "CommandComplete", Count: 3, HasCount: true})
			case 'C':
				s.Send(&pcp.CommandComplete{Kind: 'c', Tag: "CommandComplete"})
			default:
				s.Send(&pcp.CommandComplete{Kind: 'd', Tag: "CommandComplete"})
			}
		}
	})
	for _, tool := range []string{"pcp_detach_node", "pcp_attach_node"} {
		reset()
		out, errOut, code := runTool(tool, []string{"5", srv.Host, strconv.Itoa(srv.Port), fakeUser, fakePass, "3"})
		if code != 12 || out != "BackendError\n" || errOut != "" || seen() != "L" {
			t.Errorf("%s 3: exit %d stdout %q stderr %q, server saw %q", tool, code, out, errOut, seen())
		}
		reset()
		out, _, code = runTool(tool, []string{"5", srv.Host, strconv.Itoa(srv.Port), fakeUser, fakePass, "2"})
		if code != 0 || out != "" || len(seen()) != 2 {
			t.Errorf("%s 2: exit %d stdout %q, server saw %q", tool, code, out, seen())
		}
	}
}

// A 3.x server does not answer a stop request and closes the connection as
// pgpool goes; a 4.3.5 one answers 't'. Both are success, silently.
func TestLegacyStop(t *testing.T) {
	for _, d := range []dialect{dialects[0], dialects[len(dialects)-1]} {
		var mu sync.Mutex
		var got []byte
		srv := pcptest.NewServer(t, func(s *pcptest.Session) {
			if !s.Authenticate(fakeUser, fakePass, d.legacy) {
				return
			}
			kind, payload, err := s.Read()
			if err != nil {
				return
			}
			mu.Lock()
			got = append(append(got, kind), payload...)
			mu.Unlock()
			if !d.legacy {
				s.Send(&pcp.CommandComplete{Kind: 't', Tag: "CommandComplete"})
				s.Read()
			}
		})
		out, errOut, code := runTool("pcp_stop_pgpool", []string{"5", srv.Host, strconv.Itoa(srv.Port), fakeUser, fakePass, "fast"})
		mu.Lock()
		if code != 0 || out != "" || errOut != "" || string(got) != "Tf" {
			t.Errorf("%s: exit %d stdout %q stderr %q, server got %q", d.name, code, out, errOut, got)
		}
		mu.Unlock()
	}
}

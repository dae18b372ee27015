package compat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// TestProcessInfoFieldsOfEachRelease: pcp_proc_info prints every field the
// reply carries, as the tool of the reply's release does: 16 columns for
// 4.3-4.4 records (17 strings), 17 for 4.5-4.6, 20 for 4.7, and fields of a
// later release appended. The 4.7 golden file follows pcp-protocol.md §10.5
// (no 4.7 server in the test set-up); 17 and 18 were checked against the
// 4.3.5 and 4.6.1 tools by the e2e suite.
func TestProcessInfoFieldsOfEachRelease(t *testing.T) {
	passfile := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(passfile, []byte("*:*:"+fakeUser+":"+fakePass+"\n"), 0o600)
	t.Setenv("PCPPASSFILE", passfile)
	for _, n := range []int{17, 18, 21, 22} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b bytes.Buffer
			for _, a := range []string{"", "-v", "-a", "-P 4001 -v"} {
				p := &pcptest.Pgpool{User: fakeUser, Password: fakePass, Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(), Processes: pcptest.ChildrenOf(n)}
				srv := pcptest.NewServer(t, p.Serve)
				args := append(expand("-h H -p P -U U -w", srv, fakePass), strings.Fields(a)...)
				out, errOut, code := runTool("pcp_proc_info", args)
				srv.Close()
				fmt.Fprintf(&b, "$ pcp_proc_info %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n\n", a, out, errOut, code)
			}
			golden(t, filepath.Join("procinfo", fmt.Sprintf("%d-fields", n)), b.Bytes())
		})
	}
}

// TestProcessInfoSkipsSlotWithoutPid: a 4.4+ pgpool with spare children
// not yet started sends slots without a pid; its tools never print them,
// even with -a.
func TestProcessInfoSkipsSlotWithoutPid(t *testing.T) {
	passfile := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(passfile, []byte("*:*:"+fakeUser+":"+fakePass+"\n"), 0o600)
	t.Setenv("PCPPASSFILE", passfile)
	recs := pcptest.ChildrenOf(18)
	recs[2][0], recs[3][0] = "", ""
	p := &pcptest.Pgpool{User: fakeUser, Password: fakePass, Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(), Processes: recs}
	srv := pcptest.NewServer(t, p.Serve)
	defer srv.Close()
	out, _, code := runTool("pcp_proc_info", append(expand("-h H -p P -U U -w", srv, fakePass), "-a"))
	if code != 0 || strings.Count(out, "\n") != 2 || strings.Contains(out, "Wait for connection") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestNewTools plays the two 4.6 tools to a 4.6 fake (logging collector and
// query cache on and off) and to a 4.3 one, which does not know them.
func TestNewTools(t *testing.T) {
	passfile := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(passfile, []byte("*:*:"+fakeUser+":"+fakePass+"\n"), 0o600)
	t.Setenv("PCPPASSFILE", passfile)
	t.Setenv(environ.Compat, "4.6")
	type server struct {
		name          string
		rel46, lc, qc bool
	}
	var b bytes.Buffer
	for _, s := range []server{{"4.6", true, true, true}, {"4.6 without logging_collector or query cache", true, false, false}, {"4.3", false, false, false}} {
		for _, c := range []struct {
			tool, args string
			log        []string
		}{
			{"pcp_log_rotate", "", []string{"V l"}},
			{"pcp_log_rotate", "-s cluster -v", []string{"V c"}},
			{"pcp_log_rotate", "-d", []string{"V l"}},
			{"pcp_invalidate_query_cache", "", []string{"G"}},
			{"pcp_invalidate_query_cache", "-d", []string{"G"}},
			{"pcp_invalidate_query_cache", "-s local", nil},
		} {
			p := &pcptest.Pgpool{User: fakeUser, Password: fakePass, Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(),
				Release46: s.rel46, LoggingCollector: s.lc, QueryCache: s.qc}
			srv := pcptest.NewServer(t, p.Serve)
			out, errOut, code := runTool(c.tool, append(expand("-h H -p P -U U -w", srv, fakePass), strings.Fields(c.args)...))
			srv.Close()
			want := c.log
			if c.tool == "pcp_log_rotate" && !s.lc || c.tool == "pcp_invalidate_query_cache" && !s.qc {
				want = nil
			}
			if got := p.Log(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s %s: server carried out %q, want %q", s.name, c.tool, c.args, got, want)
			}
			fmt.Fprintf(&b, "# server %s\n$ %s %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n\n", s.name, c.tool, c.args, out, errOut, code)
		}
	}
	golden(t, "new-tools", b.Bytes())
}

// TestCompatRelease: PCPCTL_COMPAT picks -V and whether the tools prompt by
// default; a value it does not know is refused in one line.
func TestCompatRelease(t *testing.T) {
	for _, c := range []struct{ env, want string }{{"", "pcp_node_count (pgpool-II) 4.3.5\n"}, {"4.3", "pcp_node_count (pgpool-II) 4.3.5\n"},
		{"4.6", "pcp_node_count (pgpool-II) 4.6.1\n"}, {"4.6.1", "pcp_node_count (pgpool-II) 4.6.1\n"},
		{"4.7", "pcp_node_count (pgpool-II) 4.7.2\n"}, {"4.7.2", "pcp_node_count (pgpool-II) 4.7.2\n"}} {
		t.Setenv(environ.Compat, c.env)
		if _, errOut, code := runTool("pcp_node_count", []string{"-V"}); errOut != c.want || code != 0 {
			t.Errorf("%s=%q: -V printed %q, exit %d", environ.Compat, c.env, errOut, code)
		}
	}
	t.Setenv(environ.Compat, "5.0")
	out, errOut, code := runTool("pcp_node_count", []string{"-V"})
	if out != "" || code != 1 || errOut != "pcp_node_count: PCPCTL_COMPAT=\"5.0\": not a supported release (use 4.3, 4.6 or 4.7)\n" {
		t.Errorf("bad release: %q %q %d", out, errOut, code)
	}
}

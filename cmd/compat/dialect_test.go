package compat

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	fakeUser = "pcpadmin"
	fakePass = "s3cret"
)

// dialect is a pgpool release series as the fake server plays it.
type dialect struct {
	name   string
	layout pcp.Layout
	legacy bool   // 3.0–3.4 protocol
	wd     string // "fixed" (3.3–3.4), "master" (3.5–4.1), "leader" (4.2), "member" (4.3+)
}

var dialects = []dialect{
	{"3.3-3.4", pcp.Layout30, true, "fixed"},
	{"3.5-3.6", pcp.Layout30, false, "master"},
	{"3.7.0", pcp.Layout37, false, "master"},
	{"3.7.23", pcp.Layout37Q, false, "master"},
	{"4.0.0", pcp.Layout40, false, "master"},
	{"4.0.18", pcp.Layout40Q, false, "master"},
	{"4.1.0", pcp.Layout41, false, "master"},
	{"4.2.8", pcp.Layout41Q, false, "leader"},
	{"4.3.0", pcp.Layout43, false, "member"},
	{"4.3.1", pcp.Layout43Q, false, "member"},
	{"4.4", pcp.Layout44, false, "member"},
}

// fake is the cluster every dialect describes: a primary, a standby with
// replication delay and a quarantined (or plainly down) standby; a watchdog
// trio of a local leader, a standby and a lost pgpool.
func (d dialect) fake() *pcptest.Pgpool {
	nodes := pcptest.ThreeNodes()
	nodes[1].Delay = 12345
	if d.layout == pcp.Layout44 {
		nodes[1].DelayByTime, nodes[1].Delay = true, 1500000
	}
	nodes[2].Status, nodes[2].PgStatus, nodes[2].PgRole = 3, "down", "unknown"
	nodes[2].Quarantine = d.layout.Has(pcp.FieldQuarantine)
	p := &pcptest.Pgpool{User: fakeUser, Password: fakePass, Layout: d.layout, Legacy: d.legacy, Nodes: nodes}
	if d.wd == "fixed" {
		p.LegacyWatchdog = &pcp.LegacyWatchdog{Hostname: "host1", PgpoolPort: 9999, WdPort: 9000, Status: pcp.LegacyWdActive}
		p.LegacyOthers = []pcp.LegacyWatchdog{
			{Hostname: "host2", PgpoolPort: 9999, WdPort: 9000, Status: pcp.LegacyWdStandby},
			{Hostname: "host3", PgpoolPort: 9999, WdPort: 9000, Status: pcp.LegacyWdDown},
		}
		return p
	}
	leader := "LEADER"
	if d.wd == "master" {
		leader = "MASTER"
	}
	member := func(m int, s string) (int, string) {
		if d.wd != "member" {
			return 0, "NOT-Available"
		}
		return m, s
	}
	c := &pcp.WatchdogCluster{RemoteNodeCount: 2, MemberRemoteNodeCount: -1, NodesRequireForQuorum: -1,
		QuorumStatus: 1, AliveNodeCount: 1, Escalated: true,
		LeaderNodeName: "host1:9999 Linux host1", LeaderHostName: "host1", LeaderKeysAreMaster: d.wd == "master"}
	if d.wd == "member" {
		c.MemberRemoteNodeCount, c.NodesRequireForQuorum = 1, 2
	}
	for i, st := range []struct {
		state int
		name  string
		mem   int
		mstr  string
	}{{4, leader, 0, "MEMBER"}, {7, "STANDBY", 0, "MEMBER"}, {8, "LOST", 3, "REVOKED-LOST"}} {
		m, ms := member(st.mem, st.mstr)
		h := "host" + strconv.Itoa(i+1)
		c.Nodes = append(c.Nodes, pcp.WatchdogNode{ID: i, State: st.state, StateName: st.name,
			NodeName: h + ":9999 Linux " + h, HostName: h, DelegateIP: "Not_Set",
			WdPort: 9000, PgpoolPort: 9999, Priority: 1, Membership: m, MembershipString: ms})
	}
	p.Watchdog = c
	return p
}

// call is one command line: the tool, then arguments in which H, P, U and
// W stand for host, port, user and password.
type call struct {
	tool string
	args string
	// log is what the server must have carried out ("D 1"); nil: nothing.
	log []string
	// refuse makes the fake refuse detaches.
	refuse bool
	// badPass sends a wrong password.
	badPass bool
}

var modernCalls = []call{
	{tool: "pcp_node_info", args: "-h H -p P -U U -w"},
	{tool: "pcp_node_info", args: "-h H -p P -U U -w -v -n 1"},
	{tool: "pcp_node_info", args: "-h H -p P -U U -w -n 7"},
	{tool: "pcp_node_count", args: "-h H -p P -U U -w"},
	{tool: "pcp_watchdog_info", args: "-h H -p P -U U -w"},
	{tool: "pcp_watchdog_info", args: "-h H -p P -U U -w -v -n 1"},
	{tool: "pcp_attach_node", args: "-h H -p P -U U -w -n 2", log: []string{"C 2"}},
	{tool: "pcp_detach_node", args: "-h H -p P -U U -w -n 1", log: []string{"D 1"}},
	{tool: "pcp_detach_node", args: "-h H -p P -U U -w -n 0", refuse: true},
	{tool: "pcp_recovery_node", args: "-h H -p P -U U -w -n 2", log: []string{"O 2"}},
	{tool: "pcp_node_count", args: "-h H -p P -U U -w", badPass: true},
}

var legacyCalls = []call{
	{tool: "pcp_node_info", args: "10 H P U W 1"},
	{tool: "pcp_node_info", args: "-v 10 H P U W 2"},
	{tool: "pcp_node_info", args: "10 H P U W 7"},
	{tool: "pcp_node_count", args: "10 H P U W"},
	{tool: "pcp_watchdog_info", args: "10 H P U W"},
	{tool: "pcp_watchdog_info", args: "10 H P U W -v 1"},
	{tool: "pcp_watchdog_info", args: "10 H P U W 5"},
	{tool: "pcp_attach_node", args: "10 H P U W 2", log: []string{"C 2"}},
	{tool: "pcp_detach_node", args: "0 H P U W 1", log: []string{"D 1"}},
	{tool: "pcp_detach_node", args: "10 H P U W 0", refuse: true},
	{tool: "pcp_recovery_node", args: "10 H P U W 2", log: []string{"O 2"}},
	{tool: "pcp_recovery_node", args: "10 H P U W 9"},
	{tool: "pcp_node_count", args: "10 H P U W", badPass: true},
}

// runTool runs the front end as the named tool; argv[0] is the name.
func runTool(name string, args []string) (stdout, stderr string, code int) {
	ios, _, out, errOut := iostreams.Test()
	code = Run(name, append([]string{name}, args...), ios)
	return out.String(), errOut.String(), code
}

func expand(args string, srv *pcptest.Server, pass string) []string {
	f := strings.Fields(args)
	for i, a := range f {
		switch a {
		case "H":
			f[i] = srv.Host
		case "P":
			f[i] = strconv.Itoa(srv.Port)
		case "U":
			f[i] = fakeUser
		case "W":
			f[i] = pass
		}
	}
	return f
}

// TestDialects plays every dialect to the six core tools in both forms
// and compares the transcript with testdata/dialects/<dialect>.<form>.
func TestDialects(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()
	dir := t.TempDir()
	passfile := filepath.Join(dir, "pcppass")
	if err := os.WriteFile(passfile, []byte("*:*:"+fakeUser+":"+fakePass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PCPPASSFILE", passfile)
	t.Setenv("PCPCTL_TIMEOUT", "")
	for _, d := range dialects {
		for _, form := range []struct {
			name  string
			calls []call
		}{{"modern", modernCalls}, {"legacy", legacyCalls}} {
			t.Run(d.name+"/"+form.name, func(t *testing.T) {
				var b bytes.Buffer
				for _, c := range form.calls {
					p := d.fake()
					p.RefuseDetach = c.refuse
					pass := fakePass
					if c.badPass {
						pass = "wrong"
						os.WriteFile(passfile, []byte("*:*:"+fakeUser+":wrong\n"), 0o600)
					}
					srv := pcptest.NewServer(t, p.Serve)
					args := expand(c.args, srv, pass)
					if form.name == "legacy" != IsLegacy(c.tool, args) {
						t.Errorf("%s %s: IsLegacy = %v", c.tool, c.args, !(form.name == "legacy"))
					}
					out, errOut, code := runTool(c.tool, args)
					srv.Close()
					os.WriteFile(passfile, []byte("*:*:"+fakeUser+":"+fakePass+"\n"), 0o600)
					if got := p.Log(); !reflect.DeepEqual(got, c.log) {
						t.Errorf("%s %s: server carried out %q, want %q", c.tool, c.args, got, c.log)
					}
					if strings.Contains(out+errOut, "wrong") || strings.Contains(out+errOut, fakePass) {
						t.Errorf("%s %s: the password appears in the output", c.tool, c.args)
					}
					fmt.Fprintf(&b, "$ %s %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n\n", c.tool, c.args, out, errOut, code)
				}
				golden(t, filepath.Join("dialects", d.name+"."+form.name), b.Bytes())
			})
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

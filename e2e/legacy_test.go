package e2e

// The legacy 3.x positional form (pcp_<tool> timeout host port user password
// [id]) against the live 4.3.5 cluster. The stock 4.3.5 tools misread this
// form, so they serve only as the reference for the data the 3.x formats
// show. Every test leaves the cluster as it found it.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// legacy runs our pcp_* tool with the given arguments and no password
// source but the command line: PCPPASSFILE points nowhere.
func legacy(t *testing.T, tool string, args ...string) result {
	t.Helper()
	return run(t, filepath.Join(binDir, tool), invocation{Tool: tool, Args: args,
		Env: map[string]string{"PCPPASSFILE": filepath.Join(t.TempDir(), "none")}})
}

// pcpPassword is the cluster's PCP password, from its password file.
func pcpPassword(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(env(t, "PCPPASSFILE"))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(strings.TrimSpace(string(b)), ":")
	if len(f) != 4 {
		t.Fatalf("unexpected password file line %q", b)
	}
	return f[3]
}

// legacyBase is "timeout host port user password".
func legacyBase(t *testing.T, timeout string) []string {
	return []string{timeout, env(t, "PCP_HOST"), env(t, "PCP_PORT"), env(t, "PCP_USER"), pcpPassword(t)}
}

// stockModern runs the stock 4.3.5 tool in its own (3.5+) form.
func stockModern(t *testing.T, tool string, args ...string) result {
	conn := []string{"-h", env(t, "PCP_HOST"), "-p", env(t, "PCP_PORT"), "-U", env(t, "PCP_USER"), "-w"}
	return stock(t, invocation{Tool: tool, Args: append(conn, args...)})
}

func TestLegacyReadOnly(t *testing.T) {
	needCluster(t)
	base := legacyBase(t, "10")

	want := stockModern(t, "pcp_node_count")
	if r := legacy(t, "pcp_node_count", base...); r.Code != 0 || r.Stdout != want.Stdout || r.Stderr != "" {
		t.Errorf("node_count: %s\nstock 3.5+ form: %s", r, want)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(want.Stdout))
	if n != len(strings.Fields(env(t, "PG_PORTS"))) {
		t.Fatalf("stock node count %q", want.Stdout)
	}
	for i := 0; i < n; i++ {
		s := stockModern(t, "pcp_node_info", "-n", strconv.Itoa(i))
		f := strings.Fields(s.Stdout)
		if s.Code != 0 || len(f) < 4 {
			t.Fatalf("stock node_info %d: %s", i, s)
		}
		// 3.x: host port status weight, the first four 4.3.5 fields.
		line := strings.Join(f[:4], " ") + "\n"
		if r := legacy(t, "pcp_node_info", append(base, strconv.Itoa(i))...); r.Code != 0 || r.Stdout != line || r.Stderr != "" {
			t.Errorf("node_info %d: %s\nwant stdout %q", i, r, line)
		}
		verbose := fmt.Sprintf("Hostname: %s\nPort    : %s\nStatus  : %s\nWeight  : %s\n", f[0], f[1], f[2], f[3])
		if r := legacy(t, "pcp_node_info", append([]string{"-v"}, append(base, strconv.Itoa(i))...)...); r.Code != 0 || r.Stdout != verbose {
			t.Errorf("node_info -v %d: %s\nwant stdout %q", i, r, verbose)
		}
	}

	// This pgpool runs without watchdog: the server's error is BackendError.
	if s := stockModern(t, "pcp_watchdog_info"); !strings.Contains(s.Stderr, "watchdog is not enabled") {
		t.Fatalf("premise: stock watchdog_info %s", s)
	}
	if r := legacy(t, "pcp_watchdog_info", base...); r.Code != 12 || r.Stdout != "BackendError\n" {
		t.Errorf("watchdog_info: %s", r)
	}
	r := legacy(t, "pcp_watchdog_info", append([]string{"-d"}, base...)...)
	if r.Code != 12 || !strings.Contains(r.Stderr, "DEBUG: command failed. reason=PCP: informing watchdog info failed") {
		t.Errorf("watchdog_info -d: %s", r)
	}

	// Invalid node id: the server refuses it (4.3.5: "invalid node ID : 5").
	if r := legacy(t, "pcp_node_info", append(base, "5")...); r.Code != 12 || r.Stdout != "BackendError\n" || r.Stderr != "" {
		t.Errorf("node_info 5: %s", r)
	}
	// (pgpool 4.3.5 itself would accept the attach and act on another
	// node; pcpctl never sends it. A detach of node 5 is not tried here: a
	// regression would degenerate a real node.)
	for _, tool := range []string{"pcp_attach_node", "pcp_recovery_node"} {
		if r := legacy(t, tool, append(base, "5")...); r.Code != 12 || r.Stdout != "BackendError\n" {
			t.Errorf("%s 5: %s", tool, r)
		}
	}

	// Wrong password.
	bad := append([]string(nil), base...)
	bad[4] = "not-" + bad[4]
	if r := legacy(t, "pcp_node_count", bad...); r.Code != 13 || r.Stdout != "AuthorizationError\n" || strings.Contains(r.Stdout+r.Stderr, bad[4]) {
		t.Errorf("wrong password: %s", r)
	}

	// Refused port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	refused := append([]string(nil), base...)
	refused[1], refused[2] = "127.0.0.1", port
	if r := legacy(t, "pcp_detach_node", append(refused, "1")...); r.Code != 8 || r.Stdout != "ConnectionError\n" {
		t.Errorf("refused port: %s", r)
	}

	// -h is help in this form; nothing is sent.
	if r := legacy(t, "pcp_detach_node", append([]string{"-h"}, append(base, "1")...)...); r.Code != 0 || r.Stdout != "" ||
		!strings.HasPrefix(r.Stderr, "pcp_detach_node - detach a node from pgpool-II\n") {
		t.Errorf("-h: %s", r)
	}
}

// A server that accepts and never answers: the timeout argument bounds the
// whole command, within one second.
func TestLegacyTimeoutHonoured(t *testing.T) {
	needCluster(t)
	srv := pcptest.NewServer(t, pcptest.Silent)
	for _, tc := range []struct {
		tool    string
		timeout int
		extra   []string
	}{{"pcp_node_info", 2, []string{"0"}}, {"pcp_detach_node", 1, []string{"1"}}, {"pcp_node_count", 3, nil}} {
		args := append([]string{strconv.Itoa(tc.timeout), srv.Host, strconv.Itoa(srv.Port), "u", "p"}, tc.extra...)
		start := time.Now()
		r := legacy(t, tc.tool, args...)
		took := time.Since(start)
		limit := time.Duration(tc.timeout) * time.Second
		if r.Code != 6 || r.Stdout != "TimeoutError\n" {
			t.Errorf("%s: %s", tc.tool, r)
		}
		if took < limit || took > limit+time.Second {
			t.Errorf("%s: timeout %d took %s", tc.tool, tc.timeout, took)
		}
	}
}

// waitStatus polls pgpool until node id has one of the statuses, then
// waits out pgpool's PCP restart so that the next action is not dropped.
func waitStatus(t *testing.T, id int, statuses ...string) node {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ns := nodes(t)
		for _, s := range statuses {
			if ns[id].Status == s {
				time.Sleep(pcpRestart)
				return ns[id]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d is %s, want one of %v", id, ns[id].Status, statuses)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// Detach, recover, detach again and attach a standby with the legacy form:
// silent on success, checked by effect, the node up again at the end.
func TestLegacyDetachRecoveryAttach(t *testing.T) {
	needCluster(t)
	id := standby(t)
	sid := strconv.Itoa(id)
	t.Cleanup(func() {
		// Restarts a PostgreSQL node a failed recovery left stopped.
		if out, err := exec.Command("../scripts/cluster.sh", "start").CombinedOutput(); err != nil {
			t.Errorf("cluster.sh start: %v\n%s", err, out)
		}
		if ns := nodes(t); ns[id].Status == "down" {
			modern(t, "node", "attach", sid, "--wait", "--timeout", "60s")
		}
	})
	base := legacyBase(t, "0")

	// Detach is asynchronous on 4.3.5: the reply comes before the change.
	if r := legacy(t, "pcp_detach_node", append(base, sid)...); r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("detach: %s", r)
	}
	waitStatus(t, id, "down")

	// Online recovery needs the node detached and, with this cluster's
	// recovery_1st_stage, its PostgreSQL stopped; pgpool_remote_start starts
	// it again and pgpool answers when all is done.
	if out, err := exec.Command("../scripts/cluster.sh", "pg-stop", sid).CombinedOutput(); err != nil {
		t.Fatalf("stopping node %d: %v\n%s", id, err, out)
	}
	timed := legacyBase(t, "120")
	if r := legacy(t, "pcp_recovery_node", append(timed, sid)...); r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("recovery: %s", r)
	}
	n := waitStatus(t, id, "up", "waiting")
	if n.Role != "standby" {
		t.Errorf("after recovery node %d is %s", id, n.Role)
	}

	if r := legacy(t, "pcp_detach_node", append(base, sid)...); r.Code != 0 || r.Stdout != "" {
		t.Fatalf("detach again: %s", r)
	}
	waitStatus(t, id, "down")
	if r := legacy(t, "pcp_attach_node", append(base, sid)...); r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("attach: %s", r)
	}
	waitStatus(t, id, "up", "waiting")
}

// legacyWdStatus is the 3.3 status a 3.x tool shows for a 4.3.5 state.
var legacyWdStatus = map[string]string{"LEADER": "3", "STANDBY": "2", "LOST": "4", "SHUTDOWN": "4", "DEAD": "4"}

// The legacy watchdog_info against the watchdog trio (make test starts it):
// index 0 is the pgpool asked, k+1 its k-th other, as in 3.3, each line the
// four 3.x fields of the node the stock tool lists at that position.
func TestLegacyWatchdogTrio(t *testing.T) {
	needCluster(t)
	ports := strings.Fields(cluster["WD_PCP_PORTS"])
	if len(ports) == 0 {
		t.Skip("no watchdog trio in scripts/cluster.sh env")
	}
	pass := pcpPassword(t)
	for _, port := range ports {
		s := stock(t, invocation{Tool: "pcp_watchdog_info", Args: []string{"-h", env(t, "PCP_HOST"), "-p", port, "-U", env(t, "PCP_USER"), "-w"}})
		if s.Code != 0 {
			if strings.Contains(s.Stderr, "Connection refused") {
				t.Skipf("watchdog trio not running (scripts/cluster.sh wd-start): %s", s)
			}
			t.Fatalf("stock watchdog_info on %s: %s", port, s)
		}
		_, body, _ := strings.Cut(s.Stdout, "\n\n")
		lines := strings.Split(strings.TrimSpace(body), "\n")
		base := []string{"10", env(t, "PCP_HOST"), port, env(t, "PCP_USER"), pass}
		for i, line := range lines {
			// Node names contain spaces: read the fields from the right.
			f := strings.Fields(line)
			host, pgpoolPort, wdPort, state := f[len(f)-7], f[len(f)-6], f[len(f)-5], f[len(f)-3]
			want := fmt.Sprintf("%s %s %s %s\n", host, pgpoolPort, wdPort, legacyWdStatus[state])
			args := base
			if i > 0 {
				args = append(append([]string(nil), base...), strconv.Itoa(i-1))
			}
			if r := legacy(t, "pcp_watchdog_info", args...); r.Code != 0 || r.Stdout != want {
				t.Errorf("PCP %s, node %d: %s\nwant stdout %q (stock line %q)", port, i, r, want, line)
			}
		}
		past := append(append([]string(nil), base...), strconv.Itoa(len(lines)-1))
		if r := legacy(t, "pcp_watchdog_info", past...); r.Code != 12 || r.Stdout != "BackendError\n" {
			t.Errorf("PCP %s, index past the list: %s", port, r)
		}
	}
}

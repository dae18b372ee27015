package e2e

// Side-by-side tests of the action tools (pcp_detach_node, pcp_attach_node,
// pcp_recovery_node) on a live standby. An action cannot be run twice on the
// same state, so each step is done once by the stock tool and once by
// pcpctl from the same starting state, and their stdout, stderr and exit
// code must be identical; the effect is then read back through both
// pcp_node_info tools, which must agree. The cluster ends as it started.

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// nodeFields is pcp_node_info's record for one node, split on blanks (the
// date and time are the last two fields); ok is false when the tool failed,
// as it does when pgpool's PCP restart after a failover drops the session.
func nodeFields(t *testing.T, runner func(*testing.T, invocation) result, id int) (f []string, r result, ok bool) {
	t.Helper()
	r = runner(t, invocation{Tool: "pcp_node_info", Args: args(tcp(t), "-n", fmt.Sprint(id))})
	f = strings.Fields(r.Stdout)
	return f, r, r.Code == 0 && len(f) >= 12
}

// pcpRestart is how long pgpool 4.3.5 takes, after a failover or failback,
// to restart its PCP process (it does so on a one-second tick and drops the
// sessions open then). Waiting it out keeps the side-by-side runs on the
// same footing.
const pcpRestart = 1500 * time.Millisecond

// waitNodeStatus polls (stock tool) until node id has one of the status
// codes, waits out pgpool's PCP restart, and then checks that both
// pcp_node_info tools print the same record.
func waitNodeStatus(t *testing.T, id int, want ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, r, ok := nodeFields(t, stock, id)
		if ok && slices.Contains(want, f[2]) {
			time.Sleep(pcpRestart)
			compare(t, invocation{Tool: "pcp_node_info", Args: args(tcp(t), "-n", fmt.Sprint(id))})
			compare(t, invocation{Tool: "pcp_node_info", Args: args(tcp(t), "-v", "-n", fmt.Sprint(id))})
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d: want status %v; last pcp_node_info: %s", id, want, r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// settle gives a graceful detach more room: one in flight while pgpool
// restarts its PCP process deadlocks pgpool 4.3.5 (the request never
// returns and the main process stops reaping children).
func settle(graceful bool) {
	if graceful {
		time.Sleep(time.Second)
	}
}

var (
	statusDown = []string{"3"}
	statusUp   = []string{"1", "2"} // "waiting" until a client connects
)

// act runs one action with one tool and checks its bytes against want
// (the other tool's result for the same step from the same state).
func act(t *testing.T, runner func(*testing.T, invocation) result, tool string, extra ...string) result {
	t.Helper()
	return runner(t, invocation{Tool: tool, Args: args(tcp(t), extra...)})
}

func sameResult(t *testing.T, step string, c, g result) {
	t.Helper()
	if c != g {
		t.Errorf("%s: outputs differ\n=== stock\n%s=== pcpctl\n%s", step, c, g)
	}
}

func stopPostgres(t *testing.T, id int) {
	t.Helper()
	out, err := exec.Command("../scripts/cluster.sh", "pg-stop", fmt.Sprint(id)).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh pg-stop %d: %v\n%s", id, err, out)
	}
}

func TestCompatActions(t *testing.T) {
	needCluster(t)
	id := standby(t)
	n := fmt.Sprint(id)
	t.Cleanup(func() {
		// Whatever failed, hand the node back attached.
		if f, _, ok := nodeFields(t, stock, id); ok && f[2] == "3" {
			act(t, stock, "pcp_attach_node", "-n", n)
		}
	})
	waitNodeStatus(t, id, statusUp...)
	cases := 0

	// detach and attach, plain and verbose, graceful detach: each step is
	// done by the stock tool, undone, then done by pcpctl.
	for _, flags := range [][]string{nil, {"-v"}, {"-g"}} {
		detach := append(append([]string(nil), flags...), "-n", n)
		attach := []string{"-n", n}
		if len(flags) == 1 && flags[0] == "-v" {
			attach = append([]string{"-v"}, attach...)
		}
		graceful := flags != nil && flags[0] == "-g"
		settle(graceful)
		c := act(t, stock, "pcp_detach_node", detach...)
		waitNodeStatus(t, id, statusDown...)
		ca := act(t, stock, "pcp_attach_node", attach...)
		waitNodeStatus(t, id, statusUp...)
		settle(graceful)
		g := act(t, ours, "pcp_detach_node", detach...)
		waitNodeStatus(t, id, statusDown...)
		ga := act(t, ours, "pcp_attach_node", attach...)
		waitNodeStatus(t, id, statusUp...)
		sameResult(t, "pcp_detach_node "+strings.Join(detach, " "), c, g)
		sameResult(t, "pcp_attach_node "+strings.Join(attach, " "), ca, ga)
		if c.Stdout != "pcp_detach_node -- Command Successful\n" || c.Code != 0 {
			t.Errorf("stock detach: %s", c)
		}
		cases += 2
	}

	// Attaching a node that is up, and detaching a node that is down, are
	// accepted by pgpool; both tools must say so the same way.
	c := act(t, stock, "pcp_attach_node", "-n", n)
	g := act(t, ours, "pcp_attach_node", "-n", n)
	sameResult(t, "attach an attached node", c, g)
	cases++

	// Online recovery of a failed standby: detach it, stop its PostgreSQL,
	// recover; pgpool rebuilds it with pg_basebackup, starts and attaches it.
	for _, runner := range []func(*testing.T, invocation) result{stock, ours} {
		act(t, stock, "pcp_detach_node", "-n", n)
		waitNodeStatus(t, id, statusDown...)
		stopPostgres(t, id)
		r := act(t, runner, "pcp_recovery_node", "-n", n)
		if r.Stdout != "pcp_recovery_node -- Command Successful\n" || r.Stderr != "" || r.Code != 0 {
			t.Fatalf("pcp_recovery_node -n %s: %s", n, r)
		}
		waitNodeStatus(t, id, statusUp...)
		// pgpool reads replication state every sr_check_period (5 s).
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			f, r, ok := nodeFields(t, ours, id)
			if ok && f[9] == "streaming" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after recovery node %d is not streaming: %s", id, r)
			}
		}
	}
	cases++

	// A node that is up cannot be recovered; pgpool's refusal is printed
	// identically and both exit 0 (the 3.5+ tools' rule for server errors).
	compare(t, invocation{Tool: "pcp_recovery_node", Args: args(tcp(t), "-n", n)})
	cases++
	t.Logf("%d side-by-side action cases", cases)
}

// TestCompatRefusesUnconfiguredNode: pgpool-II 4.3.5 accepts attach and
// detach for any id below 128 and then acts on the wrong node (its log
// shows node 0 degenerated for "-n 99"), so pcpctl, unlike the stock tool,
// refuses an id pgpool does not have, sends nothing that changes state,
// and exits 1.
func TestCompatRefusesUnconfiguredNode(t *testing.T) {
	needCluster(t)
	before := nodes(t)
	for _, c := range []struct{ tool, flag string }{
		{"pcp_attach_node", ""}, {"pcp_detach_node", ""}, {"pcp_detach_node", "-g"},
	} {
		a := []string{"-n", "99"}
		if c.flag != "" {
			a = append([]string{c.flag}, a...)
		}
		r := act(t, ours, c.tool, a...)
		want := fmt.Sprintf("ERROR:  invalid node id: 99\nDETAIL:  pgpool-II has %d backend nodes (0-%d); pcpctl does not send this request for a node that does not exist\n\n", len(before), len(before)-1)
		if r.Code != 1 || r.Stdout != "" || r.Stderr != want {
			t.Errorf("%s %v: %s", c.tool, a, r)
		}
	}
	after := nodes(t)
	for i := range before {
		if before[i].Status != after[i].Status || before[i].Role != after[i].Role || before[i].LastChange != after[i].LastChange {
			t.Errorf("node %d changed: %+v -> %+v", i, before[i], after[i])
		}
	}
}

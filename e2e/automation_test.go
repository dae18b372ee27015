package e2e

// End-to-end tests of the automation commands (node reconcile, promote
// --switchover's follow check, events) on the live cluster. Each leaves
// the cluster as it found it.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// backendSQL runs statements on PostgreSQL node id, as postgres, and
// returns the value of the last SELECT.
func backendSQL(t *testing.T, id int, stmts ...string) string {
	t.Helper()
	port := strings.Fields(env(t, "PG_PORTS"))[id]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres", env(t, "PCP_HOST"), port))
	if err != nil {
		t.Fatalf("node %d: %v", id, err)
	}
	defer c.Close(context.Background())
	var last string
	for _, s := range stmts {
		if !strings.HasPrefix(s, "SELECT ") {
			if _, err := c.Exec(ctx, s); err != nil {
				t.Fatalf("node %d: %s: %v", id, s, err)
			}
			continue
		}
		var v *string
		if err := c.QueryRow(ctx, "SELECT ("+s+")::text").Scan(&v); err != nil {
			t.Fatalf("node %d: %s: %v", id, s, err)
		}
		last = ""
		if v != nil {
			last = *v
		}
	}
	return last
}

// receiverState is pg_stat_wal_receiver's status on node id ("" without
// a receiver) and the port it streams from.
func receiverState(t *testing.T, id int) (string, int) {
	s := backendSQL(t, id, "SELECT coalesce((SELECT status || ' ' || sender_port FROM pg_stat_wal_receiver), '')")
	st, p, _ := strings.Cut(s, " ")
	port, _ := strconv.Atoi(p)
	return st, port
}

// detached detaches node id with the stock tool and waits for it (and
// for pgpool's PCP restart); the cleanup attaches it again if still down.
func detached(t *testing.T, id int) {
	t.Helper()
	n := fmt.Sprint(id)
	t.Cleanup(func() {
		if f, _, ok := nodeFields(t, stock, id); ok && f[2] == "3" {
			act(t, stock, "pcp_attach_node", "-n", n)
			waitNodeStatus(t, id, statusUp...)
		}
	})
	if r := act(t, stock, "pcp_detach_node", "-n", n); r.Code != 0 {
		t.Fatalf("pcp_detach_node: %s", r)
	}
	waitNodeStatus(t, id, statusDown...)
}

func reconcile(t *testing.T, args ...string) result {
	return modern(t, append([]string{"node", "reconcile", "--sql-user", "postgres", "--timeout", "60s"}, args...)...)
}

func TestReconcileAttachesHealthyNode(t *testing.T) {
	needCluster(t)
	id := standby(t)
	if r := reconcile(t); r.Code != 0 || strings.Contains(r.Stdout, "attach") {
		t.Fatalf("nothing to do on a healthy cluster: %s", r)
	}
	detached(t, id)
	name := fmt.Sprintf("node %d (%s:%s, standby, down): ", id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])
	r := reconcile(t)
	if r.Code != 0 || !strings.Contains(r.Stdout, name+"would attach: streams from the primary node 0 (") ||
		!strings.Contains(r.Stdout, "dry run: 1 node(s) would be attached; nothing was sent") {
		t.Fatalf("dry run: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "down" {
		t.Fatalf("the dry run changed node %d: %s", id, ns[id].Status)
	}
	r = reconcile(t, "--apply")
	if r.Code != 0 || !strings.Contains(r.Stdout, name+"attaching: streams from the primary") ||
		!strings.Contains(r.Stdout, fmt.Sprintf("node %d (%s:%s): down, standby → ", id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])) {
		t.Fatalf("--apply: %s", r)
	}
	if ns := nodes(t); ns[id].Status != "up" && ns[id].Status != "waiting" {
		t.Fatalf("after --apply node %d is %s", id, ns[id].Status)
	}
	time.Sleep(pcpRestart)
	if r := reconcile(t); r.Code != 0 || strings.Contains(r.Stdout, "attach") {
		t.Errorf("after --apply nothing is left to do: %s", r)
	}
}

// TestReconcileRefusesUnsafeNode re-points a standby to stream from a
// port where nothing listens, detaches it, and checks that reconcile
// refuses it with the reason, exit 26, and sends nothing (pgpool's last
// status change time is untouched).
func TestReconcileRefusesUnsafeNode(t *testing.T) {
	needCluster(t)
	id := standby(t)
	orig := backendSQL(t, id, "SELECT current_setting('primary_conninfo')")
	if !strings.Contains(orig, "port=") {
		t.Fatalf("node %d primary_conninfo %q", id, orig)
	}
	nowhere := strings.Replace(orig, "port="+strings.Fields(env(t, "PG_PORTS"))[0], "port=1", 1)
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	t.Cleanup(func() {
		backendSQL(t, id, "ALTER SYSTEM SET primary_conninfo = "+q(orig), "SELECT pg_reload_conf()")
		waitFor(t, "streaming again", 30*time.Second, func() (bool, string) {
			st, _ := receiverState(t, id)
			return st == "streaming", st
		})
	})
	backendSQL(t, id, "ALTER SYSTEM SET primary_conninfo = "+q(nowhere), "SELECT pg_reload_conf()")
	waitFor(t, "no WAL receiver", 30*time.Second, func() (bool, string) {
		st, _ := receiverState(t, id)
		return st == "", st
	})
	detached(t, id)
	before := nodes(t)[id]
	want := fmt.Sprintf("node %d (%s:%s, standby, down): refused: it is a standby with no WAL receiver: it streams from nowhere; nothing was sent\n",
		id, env(t, "PCP_HOST"), strings.Fields(env(t, "PG_PORTS"))[id])
	for _, extra := range [][]string{nil, {"--apply"}} {
		r := reconcile(t, extra...)
		if r.Code != 26 || !strings.Contains(r.Stdout, want) || r.Stderr != "pcpctl: 1 node(s) refused; nothing was sent for them\n" || strings.Contains(r.Stdout, "attaching") {
			t.Errorf("reconcile %v: %s", extra, r)
		}
	}
	time.Sleep(pcpRestart)
	after := nodes(t)[id]
	if after.Status != "down" || after.LastChange != before.LastChange {
		t.Errorf("node %d changed: %+v -> %+v", id, before, after)
	}
}

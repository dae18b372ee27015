package e2e

// End-to-end tests of "pcpctl cluster status" and contexts against the
// project's watchdog trio (scripts/cluster.sh wd-start: three pgpool-II
// 4.3.5 with watchdog over the same PostgreSQL backends). Each test leaves
// the trio as it found it: three members, one LEADER, every node up.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// trio makes sure the watchdog trio runs (wd-start is idempotent and quick
// when it is healthy) and returns its PCP endpoints.
func trio(t *testing.T) []string {
	t.Helper()
	needCluster(t)
	if out, err := exec.Command("../scripts/cluster.sh", "wd-start").CombinedOutput(); err != nil {
		t.Fatalf("wd-start: %v\n%s", err, out)
	}
	var eps []string
	for _, p := range strings.Fields(env(t, "WD_PCP_PORTS")) {
		eps = append(eps, env(t, "PCP_HOST")+":"+p)
	}
	if len(eps) != 3 {
		t.Fatalf("WD_PCP_PORTS %q", env(t, "WD_PCP_PORTS"))
	}
	return eps
}

func clusterStatus(t *testing.T, eps []string, args ...string) (result, time.Duration) {
	t.Helper()
	a := []string{"cluster", "status", "-U", env(t, "PCP_USER"), "-w"}
	for _, e := range eps {
		a = append(a, "--pgpool", e)
	}
	start := time.Now()
	r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append(a, args...)})
	return r, time.Since(start)
}

type clusterDoc struct {
	Healthy bool `json:"healthy"`
	Pgpools []struct {
		Endpoint  string `json:"endpoint"`
		Reachable bool   `json:"reachable"`
		Error     string `json:"error"`
		Watchdog  *struct {
			State  string `json:"state"`
			Leader string `json:"leader_node_name"`
		} `json:"watchdog"`
		Nodes []node `json:"nodes"`
	} `json:"pgpools"`
	Leaders []struct {
		Pgpool string `json:"pgpool"`
	} `json:"leaders"`
	Warnings []struct {
		Message string `json:"message"`
	} `json:"warnings"`
}

func parseCluster(t *testing.T, r result) clusterDoc {
	t.Helper()
	var d clusterDoc
	if err := json.Unmarshal([]byte(r.Stdout), &d); err != nil {
		t.Fatalf("cluster status json: %v\n%s", err, r)
	}
	return d
}

// waitAgree polls until the trio agrees again (after a test restored it).
func waitAgree(t *testing.T, eps []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, _ := clusterStatus(t, eps, "-o", "json", "--timeout", "5s")
		if r.Code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trio did not agree again within 60s: %s", r)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestClusterStatusAllAgree(t *testing.T) {
	eps := trio(t)
	r, _ := clusterStatus(t, eps, "-o", "json")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("all agree: %s", r)
	}
	d := parseCluster(t, r)
	if !d.Healthy || len(d.Pgpools) != 3 || len(d.Leaders) != 1 || len(d.Warnings) != 0 {
		t.Fatalf("doc %+v", d)
	}
	ports := strings.Fields(env(t, "PG_PORTS"))
	for i, p := range d.Pgpools {
		if p.Endpoint != eps[i] || !p.Reachable || p.Watchdog == nil || len(p.Nodes) != 3 {
			t.Errorf("pgpool %d: %+v", i, p)
			continue
		}
		if p.Watchdog.Leader != d.Pgpools[0].Watchdog.Leader {
			t.Errorf("pgpool %d reports leader %q", i, p.Watchdog.Leader)
		}
		for j, n := range p.Nodes {
			if strconv.Itoa(n.Port) != ports[j] || (n.Status != "up" && n.Status != "waiting") {
				t.Errorf("pgpool %d node %d: %+v", i, j, n)
			}
		}
	}
	// The table, against its golden file once ports and the moment-dependent
	// waiting/up are normalised.
	r, _ = clusterStatus(t, eps, "-o", "table")
	if r.Code != 0 {
		t.Fatalf("table: %s", r)
	}
	// The golden file has member 0 as the leader (wd-start starts it first).
	// After a re-election elsewhere the expected table moves the LEADER
	// cell, the leader's name and the footer to that member.
	leader := -1
	for i, p := range d.Pgpools {
		if p.Watchdog.State == "LEADER" {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatalf("no member reports LEADER: %+v", d.Pgpools)
	}
	goldenTrioLedBy(t, "cluster_trio.table", leader, normalise(t, r.Stdout))
}

// goldenTrioLedBy compares got with the golden file rewritten for leader
// as the watchdog leader.
func goldenTrioLedBy(t *testing.T, name string, leader int, got string) {
	t.Helper()
	if leader == 0 || os.Getenv("PCPCTL_UPDATE_GOLDEN") == "1" {
		goldenTrio(t, name, got)
		return
	}
	want, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	states := []string{"STANDBY", "STANDBY", "STANDBY"}
	states[leader] = "LEADER"
	relabel := strings.NewReplacer(
		"│ state │ LEADER │ STANDBY │ STANDBY │", "│ state │ "+strings.Join(states, " │ ")+" │",
		"127.0.0.1:POOL0 Linux", fmt.Sprintf("127.0.0.1:POOL%d Linux", leader),
		"watchdog leader 127.0.0.1:PCP0", fmt.Sprintf("watchdog leader 127.0.0.1:PCP%d", leader),
	)
	w := relabel.Replace(string(want))
	if w == string(want) {
		t.Fatalf("%s: the leader-0 rows to rewrite are missing", name)
	}
	if got != w {
		t.Errorf("%s (led by member %d) differs\n--- got\n%s--- want\n%s", name, leader, got, w)
	}
}

// normalise replaces this cluster's ports with their role names and
// "waiting" (up, no client yet) with "up", so the golden file holds for any
// port base.
func normalise(t *testing.T, s string) string {
	pairs := []string{}
	for i, p := range strings.Fields(env(t, "WD_PCP_PORTS")) {
		pairs = append(pairs, p, fmt.Sprintf("PCP%d", i))
	}
	for i, p := range strings.Fields(env(t, "WD_PGPOOL_PORTS")) {
		pairs = append(pairs, p, fmt.Sprintf("POOL%d", i))
	}
	for i, p := range strings.Fields(env(t, "PG_PORTS")) {
		pairs = append(pairs, p, fmt.Sprintf("PG%d", i))
	}
	if h, err := os.Hostname(); err == nil {
		// Watchdog node names end in the machine's name.
		pairs = append(pairs, " Linux "+h, " Linux HOSTNAME")
	}
	s = strings.NewReplacer(pairs...).Replace(s)
	s = strings.ReplaceAll(s, "waiting", "up     ")
	// The padding tablewriter chose for the real widths differs from the
	// placeholders'.
	return squeeze(s)
}

// squeeze collapses a table's runs of spaces and of box lines, so that
// rows compare whatever the column widths.
func squeeze(s string) string {
	s = regexp.MustCompile(` +`).ReplaceAllString(s, " ")
	return regexp.MustCompile(`─+`).ReplaceAllString(s, "─")
}

func goldenTrio(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("PCPCTL_UPDATE_GOLDEN") == "1" {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (PCPCTL_UPDATE_GOLDEN=1 creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestClusterStatusOnePgpoolStopped(t *testing.T) {
	eps := trio(t)
	t.Cleanup(func() {
		if out, err := exec.Command("../scripts/cluster.sh", "wd-start-one", "2").CombinedOutput(); err != nil {
			t.Errorf("wd-start-one 2: %v\n%s", err, out)
		}
		waitAgree(t, eps)
	})
	if out, err := exec.Command("../scripts/cluster.sh", "wd-stop-one", "2").CombinedOutput(); err != nil {
		t.Fatalf("wd-stop-one 2: %v\n%s", err, out)
	}
	r, took := clusterStatus(t, eps, "-o", "json", "--timeout", "3s")
	if r.Code != 25 {
		t.Fatalf("one pgpool stopped: %s", r)
	}
	if took > 4*time.Second {
		t.Errorf("took %s with --timeout 3s", took)
	}
	d := parseCluster(t, r)
	for i, p := range d.Pgpools {
		if (i == 2) == p.Reachable || (i != 2 && len(p.Nodes) != 3) {
			t.Errorf("pgpool %d: %+v", i, p)
		}
	}
	want := "pcpctl: warning: pgpool " + eps[2] + " is unreachable: connection to host"
	if !strings.HasPrefix(r.Stderr, want) {
		t.Errorf("stderr %q, want %q...", r.Stderr, want)
	}
}

// pgpoolChild finds the child of trio member i's pgpool whose process title
// is title ("pgpool: watchdog", "pgpool: PCP: wait for connection request").
// Only processes of the trio this test suite started are ever signalled.
func pgpoolChild(t *testing.T, i int, title string) int {
	t.Helper()
	dirs := strings.Fields(env(t, "WD_SOCKET_DIRS"))
	raw, err := os.ReadFile(filepath.Join(dirs[i], "pgpool.pid"))
	if err != nil {
		t.Fatal(err)
	}
	main, _ := strconv.Atoi(strings.Trim(string(raw), "\x00 \n")) // pgpool pads it with NULs
	return childByTitle(t, main, title)
}

// childByTitle finds the child of pgpool main process main whose process
// title is title.
func childByTitle(t *testing.T, main int, title string) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, _ := strconv.Atoi(filepath.Base(p))
		if st, ok := procStat(pid); !ok || st.ppid != main {
			continue
		}
		cmdline, _ := os.ReadFile(p + "/cmdline")
		if strings.TrimSpace(strings.Trim(string(cmdline), "\x00")) == title {
			return pid
		}
	}
	t.Fatalf("no %q child of pgpool %d", title, main)
	return 0
}

// freeze stops pid (SIGSTOP) until the test ends.
func freeze(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
}

func TestClusterStatusHungPgpool(t *testing.T) {
	eps := trio(t)
	// A pgpool whose PCP process is frozen accepts connections (the kernel
	// completes the handshake) but never answers: only the deadline ends it.
	freeze(t, pgpoolChild(t, 1, "pgpool: PCP: wait for connection request"))
	r, took := clusterStatus(t, eps, "-o", "json", "--timeout", "2s")
	if r.Code != 25 || took > 3*time.Second {
		t.Fatalf("hung pgpool, %s: %s", took, r)
	}
	d := parseCluster(t, r)
	if d.Pgpools[1].Reachable || !strings.Contains(d.Pgpools[1].Error, "timed out") || !d.Pgpools[0].Reachable || !d.Pgpools[2].Reachable {
		t.Errorf("doc %+v", d)
	}
}

func TestClusterStatusDisagreement(t *testing.T) {
	eps := trio(t)
	r, _ := clusterStatus(t, eps, "-o", "json")
	d := parseCluster(t, r)
	if r.Code != 0 || len(d.Leaders) != 1 {
		t.Fatalf("trio not healthy before the test: %s", r)
	}
	leader, deaf := -1, -1
	for i, p := range d.Pgpools {
		switch {
		case p.Endpoint == d.Leaders[0].Pgpool:
			leader = i
		case deaf < 0:
			deaf = i
		}
	}
	id := 2
	pcpArgs := func(i int) []string {
		host, port, _ := strings.Cut(eps[i], ":")
		return []string{"-h", host, "-p", port, "-U", env(t, "PCP_USER"), "-w", "-n", strconv.Itoa(id)}
	}
	// With watchdog, a detach through one pgpool reaches its peers through
	// the leader's watchdog process. Freezing one standby's watchdog process
	// (its PCP and health check processes keep running) makes it a member
	// that cannot be told: the others detach the node, it keeps it up.
	wd := pgpoolChild(t, deaf, "pgpool: watchdog")
	freeze(t, wd)
	t.Cleanup(func() {
		// Thaw first (freeze's cleanup runs after this one otherwise).
		syscall.Kill(wd, syscall.SIGCONT)
		time.Sleep(time.Second)
		if r := stock(t, invocation{Tool: "pcp_attach_node", Args: pcpArgs(leader)}); r.Code != 0 {
			t.Errorf("re-attach: %s", r)
		}
		waitAgree(t, eps)
	})
	if r := stock(t, invocation{Tool: "pcp_detach_node", Args: pcpArgs(leader)}); r.Code != 0 {
		t.Fatalf("detach through the leader: %s", r)
	}
	want := fmt.Sprintf("node %d (", id)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, took := clusterStatus(t, eps, "-o", "json", "--timeout", "3s")
		d := parseCluster(t, r)
		var msg string
		for _, w := range d.Warnings {
			if strings.HasPrefix(w.Message, want) && strings.Contains(w.Message, "pgpools disagree on its status: ") {
				msg = w.Message
			}
		}
		if msg != "" {
			if r.Code != 25 || took > 4*time.Second {
				t.Errorf("exit %d after %s", r.Code, took)
			}
			// Groups are listed in the order of the pgpools: "up on" comes
			// first when the deaf member sorts before the others.
			if !strings.Contains(msg, "up on "+eps[deaf]) || !strings.Contains(msg, "down on ") || !strings.Contains(msg, eps[leader]) {
				t.Errorf("warning %q does not name the pgpools", msg)
			}
			if d.Pgpools[deaf].Nodes[id].Status == "down" || d.Pgpools[leader].Nodes[id].Status != "down" {
				t.Errorf("views: leader %s, deaf %s", d.Pgpools[leader].Nodes[id].Status, d.Pgpools[deaf].Nodes[id].Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no disagreement reported: %s", r)
		}
		time.Sleep(300 * time.Millisecond)
	}
	// The table marks the cells and carries the same warning.
	r, _ = clusterStatus(t, eps, "-o", "table", "--timeout", "3s")
	if r.Code != 25 || !strings.Contains(r.Stdout, "down standby !") || !strings.Contains(r.Stdout, "warning: node 2 (") {
		t.Errorf("table: %s", r)
	}
}

func TestContextsEndToEnd(t *testing.T) {
	eps := trio(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	var b strings.Builder
	b.WriteString("contexts:\n  - name: trio\n    user: " + env(t, "PCP_USER") + "\n    pgpools:\n")
	for _, e := range eps {
		host, port, _ := strings.Cut(e, ":")
		fmt.Fprintf(&b, "      - host: %s\n        pcp_port: %s\n", host, port)
	}
	b.WriteString("  - name: single\n    pgpools:\n      - host: " + env(t, "PCP_HOST") + "\n        pcp_port: " + env(t, "PCP_PORT") + "\n        user: " + env(t, "PCP_USER") + "\n")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	pcpctl := func(args ...string) result {
		return run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append([]string{"-w"}, args...), Env: map[string]string{"PCPCTL_CONFIG": cfg, "PCPHOST": "", "PCPPORT": "", "PCPUSER": ""}})
	}
	if r := pcpctl("context", "use", "trio"); r.Code != 0 || r.Stdout != "Switched to context \"trio\".\n" {
		t.Fatalf("use: %s", r)
	}
	// The current context: every pgpool.
	r := pcpctl("cluster", "status", "-o", "json")
	if d := parseCluster(t, r); r.Code != 0 || len(d.Pgpools) != 3 || d.Pgpools[2].Endpoint != eps[2] {
		t.Errorf("cluster status on the current context: %s", r)
	}
	// A one-pgpool command on the current context: its first pgpool.
	r = pcpctl("watchdog", "status", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"leader_node_name"`) {
		t.Errorf("watchdog status on the context: %s", r)
	}
	// --context picks another: the single instance has no watchdog.
	if r := pcpctl("--context", "single", "node", "list", "-o", "json"); r.Code != 0 || !strings.Contains(r.Stdout, `"node_id": 2`) {
		t.Errorf("node list --context single: %s", r)
	}
	if r := pcpctl("--context", "single", "cluster", "status", "-o", "table"); r.Code != 0 || !strings.Contains(r.Stdout, "1/1 pgpools reachable") {
		t.Errorf("cluster status --context single: %s", r)
	}
	if r := pcpctl("--context", "nope", "node", "list"); r.Code != 2 || !strings.Contains(r.Stderr, `no context "nope" (defined: trio, single)`) {
		t.Errorf("unknown context: %s", r)
	}
}

func TestClusterStatusWatch(t *testing.T) {
	eps := trio(t)
	args := []string{"cluster", "status", "-U", env(t, "PCP_USER"), "-w", "-o", "json", "--watch=200ms"}
	for _, e := range eps {
		args = append(args, "--pgpool", e)
	}
	cmd := exec.Command(pcpctlBin, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch after Ctrl-C: %v\n%s", err, errOut.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("watch did not end on SIGINT")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("%d refreshes in 1.5s:\n%s", len(lines), out.String())
	}
	for i, l := range lines {
		var d struct {
			Time    string `json:"time"`
			Healthy bool   `json:"healthy"`
			Pgpools []any  `json:"pgpools"`
		}
		if err := json.Unmarshal([]byte(l), &d); err != nil || !d.Healthy || len(d.Pgpools) != 3 || d.Time == "" {
			t.Errorf("refresh %d: %v %q", i, err, l)
		}
	}
}

func TestClusterStatusTTYWatch(t *testing.T) {
	eps := trio(t)
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	parts := []string{"PCPPASSFILE=" + q(env(t, "PCPPASSFILE")), q(pcpctlBin), "cluster", "status", "-U", q(env(t, "PCP_USER")), "-w", "--watch=300ms"}
	for _, e := range eps {
		parts = append(parts, "--pgpool", q(e))
	}
	capture, keys := tmux(t, strings.Join(parts, " ")+"; echo EXIT=$?; sleep 30")
	eventually(t, "watch header", capture, func(s string) bool {
		return strings.Contains(s, "Every 300ms: pcpctl cluster status, 3 pgpools") && strings.Contains(s, "3/3 pgpools reachable")
	})
	time.Sleep(1200 * time.Millisecond)
	if s := capture(); strings.Count(s, "Every 300ms") != 1 || strings.Count(s, "│ NODE") != 1 {
		t.Errorf("not redrawn in place:\n%s", s)
	}
	keys("C-c")
	screen := eventually(t, "exit after Ctrl-C", capture, func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !strings.Contains(screen, "EXIT=0") {
		t.Errorf("Ctrl-C did not exit cleanly:\n%s", screen)
	}
}

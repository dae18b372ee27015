package e2e

// End-to-end tests of "pcpctl check" (the monitoring plugin) and "pcpctl
// serve" (Prometheus metrics and probes) against the live cluster, the
// watchdog trio and a real Prometheus server. Each test leaves the cluster
// and the trio as it found them.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/e2e/testenv"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// parsePerf reads the perfdata of a plugin's first line: label → the
// value with its unit, then warn, crit, min, max.
func parsePerf(t *testing.T, stdout string) map[string][]string {
	t.Helper()
	first, _, _ := strings.Cut(stdout, "\n")
	_, perf, ok := strings.Cut(first, " | ")
	if !ok {
		t.Fatalf("no perfdata in %q", first)
	}
	out := map[string][]string{}
	for len(perf) > 0 {
		perf = strings.TrimLeft(perf, " ")
		var label string
		if strings.HasPrefix(perf, "'") {
			end := strings.Index(perf[1:], "'")
			if end < 0 {
				t.Fatalf("unterminated label in %q", perf)
			}
			label, perf = perf[1:1+end], perf[2+end:]
		} else {
			i := strings.IndexByte(perf, '=')
			if i < 0 {
				t.Fatalf("perfdata item without = in %q", perf)
			}
			label, perf = perf[:i], perf[i:]
		}
		if !strings.HasPrefix(perf, "=") {
			t.Fatalf("perfdata label %q not followed by =", label)
		}
		item, rest, _ := strings.Cut(perf[1:], " ")
		perf = rest
		parts := strings.Split(item, ";")
		if len(parts) != 5 {
			t.Fatalf("perfdata %s=%s: want value;warn;crit;min;max", label, item)
		}
		out[label] = parts
	}
	return out
}

// checkMatchesNodeInfo asserts the per-node perfdata of a check equals
// what the stock pcp_node_info says: status (field 3) and, for standbys,
// the replication delay (field 9).
func checkMatchesNodeInfo(t *testing.T, perf map[string][]string, withDelay bool) {
	t.Helper()
	for id := range strings.Fields(env(t, "PG_PORTS")) {
		f, r, ok := nodeFields(t, stock, id)
		if !ok {
			t.Fatalf("pcp_node_info -n %d: %s", id, r)
		}
		st := perf[fmt.Sprintf("node%d_status", id)]
		if st == nil || st[0] != f[2] {
			t.Errorf("node%d_status %v, pcp_node_info status %s (%s)", id, st, f[2], r.Stdout)
		}
		if withDelay && f[6] == "standby" {
			d := perf[fmt.Sprintf("node%d_delay", id)]
			if d == nil || d[0] != f[8]+"B" {
				t.Errorf("node%d_delay %v, pcp_node_info delay %s", id, d, f[8])
			}
		}
	}
}

func TestCheckThresholds(t *testing.T) {
	needCluster(t)
	thresholds := []string{"--standbys", "2,1", "--lag", "1000000,16000000", "--busy-children", "90,100", "--require-primary"}
	r := modern(t, append([]string{"check"}, thresholds...)...)
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 nodes up, primary node 0 (") || strings.Count(r.Stdout, "\n") != 1 || r.Stderr != "" {
		t.Fatalf("healthy cluster: %s", r)
	}
	perf := parsePerf(t, r.Stdout)
	if got := strings.Join(perf["standbys_up"], ";"); got != "2;2:;1:;0;2" {
		t.Errorf("standbys_up %s", got)
	}
	if got := perf["busy_children"]; got == nil || !strings.HasSuffix(got[0], "%") || got[1] != "90" || got[2] != "100" || got[3] != "0" || got[4] != "100" {
		t.Errorf("busy_children %v", got)
	}
	checkMatchesNodeInfo(t, perf, true)

	// A duration threshold where pgpool measures bytes cannot be judged.
	if r := modern(t, "check", "--lag", "10s,1m"); r.Code != 3 || !strings.HasPrefix(r.Stdout, "PGPOOL UNKNOWN - node 1: pgpool reports the replication delay by bytes") {
		t.Errorf("--lag as a duration on a byte-delay pgpool: %s", r)
	}

	id := standby(t)
	t.Cleanup(func() {
		setState(t, id, "attach")
		time.Sleep(pcpRestart)
	})
	setState(t, id, "detach")
	r = modern(t, append([]string{"check"}, thresholds...)...)
	if r.Code != 1 || !strings.HasPrefix(r.Stdout, "PGPOOL WARNING - ") {
		t.Fatalf("one standby detached, --standbys 2,1: %s", r)
	}
	for _, want := range []string{
		"\nWARNING: 1 standbys up (warning 2, critical 1)\n",
		fmt.Sprintf("\nWARNING: node %d (127.0.0.1:", id),
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.Stdout)
		}
	}
	perf = parsePerf(t, r.Stdout)
	if got := strings.Join(perf["standbys_up"], ";"); got != "1;2:;1:;0;2" {
		t.Errorf("standbys_up after detach %s", got)
	}
	checkMatchesNodeInfo(t, perf, false)
	if st := perf[fmt.Sprintf("node%d_status", id)]; st == nil || st[0] != "3" {
		t.Errorf("detached node's status %v", st)
	}
	r = modern(t, "check", "--standbys", "3,2")
	if r.Code != 2 || !strings.HasPrefix(r.Stdout, "PGPOOL CRITICAL - 1 standbys up (warning 3, critical 2)") {
		t.Errorf("--standbys 3,2 with one standby: %s", r)
	}
}

func TestCheckBadInputAndUnreachable(t *testing.T) {
	needCluster(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--standbys", "x"}, `PGPOOL UNKNOWN - invalid --standbys "x": "x" is not a number` + "\n"},
		{[]string{"--lag", "20:10"}, `PGPOOL UNKNOWN - invalid --lag "20:10": "20:10": start is above end` + "\n"},
		{[]string{"--busy-children", "1,2,3"}, `PGPOOL UNKNOWN - invalid --busy-children "1,2,3": want WARN,CRIT` + "\n"},
		{[]string{"--bogus"}, "PGPOOL UNKNOWN - unknown flag: --bogus\n"},
		{[]string{"extra"}, `PGPOOL UNKNOWN - check takes no arguments, got "extra"` + "\n"},
	} {
		r := modern(t, append([]string{"check"}, c.args...)...)
		if r.Code != 3 || r.Stdout != c.want {
			t.Errorf("%v: %s\nwant stdout %q", c.args, r, c.want)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: []string{"check", "-h", "127.0.0.1", "-p", port, "-U", env(t, "PCP_USER"), "-w"}})
	if r.Code != 2 || !strings.HasPrefix(r.Stdout, "PGPOOL CRITICAL - pgpool 127.0.0.1:"+port+" is unreachable: ") {
		t.Errorf("unreachable pgpool: %s", r)
	}
}

// trioCheck runs check over the given trio endpoints.
func trioCheck(t *testing.T, eps []string, extra ...string) result {
	t.Helper()
	a := []string{"check", "-U", env(t, "PCP_USER"), "-w", "--timeout", "3s"}
	for _, e := range eps {
		a = append(a, "--pgpool", e)
	}
	return run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append(a, extra...)})
}

// trioLeader is the index of the trio member that says it is LEADER.
func trioLeader(t *testing.T, eps []string) int {
	t.Helper()
	d := parseCluster(t, func() result { r, _ := clusterStatus(t, eps, "-o", "json"); return r }())
	for i, p := range d.Pgpools {
		if p.Watchdog != nil && p.Watchdog.State == "LEADER" {
			return i
		}
	}
	t.Fatalf("no trio member is LEADER: %+v", d)
	return -1
}

func monWd(t *testing.T, verb string, i int) {
	t.Helper()
	if err := wdScript(verb, strconv.Itoa(i)); err != nil {
		t.Fatal(err)
	}
}

func TestCheckQuorumAndLeader(t *testing.T) {
	eps := trio(t)
	r := trioCheck(t, eps, "--quorum", "--require-primary")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 pgpools agree, 3/3 nodes up, primary node 0 (") || !strings.Contains(r.Stdout, ", watchdog leader ") {
		t.Fatalf("healthy trio: %s", r)
	}
	perf := parsePerf(t, r.Stdout)
	for _, e := range eps {
		if q := perf["quorum "+e]; q == nil || q[0] != "1" {
			t.Errorf("quorum of %s: %v", e, q)
		}
	}
	leader := trioLeader(t, eps)
	var others []int
	for i := range eps {
		if i != leader {
			others = append(others, i)
		}
	}
	stopped := []int{}
	t.Cleanup(func() {
		for _, i := range stopped {
			monWd(t, "wd-start-one", i)
		}
		waitAgree(t, eps)
	})

	// The leader goes: until the others elect a new one they report no
	// leader or no quorum (CRITICAL); then one member SHUTDOWN (WARNING).
	monWd(t, "wd-stop-one", leader)
	stopped = append(stopped, leader)
	survivors := []string{eps[others[0]], eps[others[1]]}
	sawLeaderFinding := false
	var last result
	waitFor(t, "a new leader agreed by the survivors", 60*time.Second, func() (bool, string) {
		last = trioCheck(t, survivors, "--quorum")
		if strings.Contains(last.Stdout, "the watchdog cluster has no leader") || strings.Contains(last.Stdout, "knows no watchdog leader") || strings.Contains(last.Stdout, "disagree on the watchdog leader") {
			sawLeaderFinding = true
		}
		return last.Code == 1, last.String()
	})
	// The status line names the first finding, and a survivor may also
	// report quorum on the edge for a moment (pgpool 4.3 fills that in
	// late), so the line's finding is not fixed; the SHUTDOWN one is.
	want := fmt.Sprintf("\nWARNING: watchdog node %d (", leader)
	if !strings.HasPrefix(last.Stdout, "PGPOOL WARNING - ") || !strings.Contains(last.Stdout, want) || !strings.Contains(last.Stdout, ") is SHUTDOWN (seen by "+survivors[0]+", "+survivors[1]+")") {
		t.Errorf("after the election: %s\nwant %q...", last, want)
	}
	t.Logf("leader findings seen during the election: %v", sawLeaderFinding)
	// All three asked: the stopped one is CRITICAL.
	if r := trioCheck(t, eps, "--quorum"); r.Code != 2 || !strings.Contains(r.Stdout, "\nCRITICAL: pgpool "+eps[leader]+" is unreachable: ") {
		t.Errorf("trio with its old leader stopped: %s", r)
	}

	// A second member goes: the last one has no quorum.
	monWd(t, "wd-stop-one", others[1])
	stopped = append(stopped, others[1])
	waitFor(t, "quorum absent", 30*time.Second, func() (bool, string) {
		last = trioCheck(t, []string{eps[others[0]]}, "--quorum")
		return last.Code == 2 && strings.Contains(last.Stdout, "\nCRITICAL: quorum is absent: failover is blocked (seen by "+eps[others[0]]+")\n"), last.String()
	})
	perf = parsePerf(t, last.Stdout)
	if q := perf["quorum"]; q == nil || q[0] != "-1" {
		t.Errorf("quorum perfdata with one member left: %v", q)
	}
}

// server is one "pcpctl serve" the test started.
type server struct {
	base string
	cmd  *exec.Cmd
	log  *strings.Builder
	mu   *sync.Mutex
}

// startServe runs pcpctl serve on a free loopback port and stops it (by
// its pid, SIGTERM) when the test ends, checking it shut down cleanly.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	a := append([]string{"serve", "--listen", "127.0.0.1:0", "-U", env(t, "PCP_USER"), "-w"}, args...)
	cmd := exec.Command(pcpctlBin, a...)
	cmd.Env = environ(nil)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, log: &strings.Builder{}, mu: &sync.Mutex{}}
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if _, rest, ok := strings.Cut(line, "listening on http://"); ok {
				a, _, _ := strings.Cut(rest, " ")
				addr <- a
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error, 1)
		go func() { <-done; exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("serve after SIGTERM: %v\n%s", err, s.logText())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("serve did not stop within 30s of SIGTERM")
		}
		if lg := s.logText(); !strings.Contains(lg, "shutting down") {
			t.Errorf("serve log without shutdown: %s", lg)
		}
		pcptest.NoLeak(t, "serve log", cluster["PCP_USER"], clusterPassword, s.logText())
	})
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not listen within 20s: %s", s.logText())
	}
	return s
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	pcptest.NoLeak(t, "GET "+path, cluster["PCP_USER"], clusterPassword, string(b))
	return resp.StatusCode, string(b)
}

// freePort is a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func TestServePrometheus(t *testing.T) {
	needCluster(t)
	prom := testenv.NeedProgram(t, "prometheus", "prometheus")
	promtool := testenv.NeedProgram(t, "promtool", "prometheus")
	pcpEP := env(t, "PCP_HOST") + ":" + env(t, "PCP_PORT")
	s := startServe(t, "--pgpool", pcpEP, "--min-interval", "500ms")
	code, body := s.get(t, "/metrics")
	if code != 200 || !strings.Contains(body, `pgpool_up{pgpool="`+pcpEP+`"} 1`) {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	lint := exec.Command(promtool, "check", "metrics")
	lint.Stdin = strings.NewReader(body)
	if out, err := lint.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	for _, m := range []string{"pgpool_backend_status", "pgpool_backend_role", "pgpool_backend_weight",
		"pgpool_backend_replication_delay_bytes", "pgpool_backend_last_status_change_timestamp_seconds",
		"pgpool_backend_health_checks_total", "pgpool_children", "pgpool_children_busy", "pgpool_scrape_duration_seconds"} {
		if !strings.Contains(body, "\n"+m+"{") {
			t.Errorf("/metrics lacks %s", m)
		}
	}

	// A real Prometheus scrapes serve; its query API gives pcp_node_info's
	// status of every node.
	dir := t.TempDir()
	promPort := freePort(t)
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: pcpctl\n    static_configs:\n      - targets: ['%s']\n", strings.TrimPrefix(s.base, "http://"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	pc := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+promPort)
	var plog strings.Builder
	pc.Stdout, pc.Stderr = &plog, &plog
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pc.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- pc.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			pc.Process.Kill()
			<-done
		}
	})
	type sample struct {
		Metric map[string]string `json:"metric"`
		Value  []any             `json:"value"`
	}
	query := func(q string) ([]sample, error) {
		resp, err := httpClient.Get("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var doc struct {
			Status string `json:"status"`
			Data   struct {
				Result []sample `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			return nil, err
		}
		if doc.Status != "success" {
			return nil, fmt.Errorf("status %s", doc.Status)
		}
		return doc.Data.Result, nil
	}
	nodesN := len(strings.Fields(env(t, "PG_PORTS")))
	var got []sample
	waitFor(t, "Prometheus has scraped every node's status", 60*time.Second, func() (bool, string) {
		var err error
		got, err = query(`pgpool_backend_status{job="pcpctl"}`)
		return err == nil && len(got) == nodesN, fmt.Sprintf("%v %v; prometheus log:\n%s", got, err, plog.String())
	})
	for _, smp := range got {
		id, err := strconv.Atoi(smp.Metric["node"])
		if err != nil || smp.Metric["pgpool"] != pcpEP || len(smp.Value) != 2 {
			t.Fatalf("sample %+v", smp)
		}
		f, r, ok := nodeFields(t, stock, id)
		if !ok {
			t.Fatalf("pcp_node_info: %s", r)
		}
		if smp.Value[1] != f[2] || smp.Metric["host"] != f[0]+":"+f[1] {
			t.Errorf("node %d: Prometheus has status %v host %s, pcp_node_info %s", id, smp.Value[1], smp.Metric["host"], r.Stdout)
		}
	}
	if up, err := query(`up{job="pcpctl"}`); err != nil || len(up) != 1 || up[0].Value[1] != "1" {
		t.Errorf("Prometheus up for serve: %v %v", up, err)
	}
}

// countingProxy forwards loopback TCP connections to target and counts
// them: each is one PCP session.
type countingProxy struct {
	ln       net.Listener
	sessions atomic.Int64
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.sessions.Add(1)
			go func() {
				defer c.Close()
				s, err := net.DialTimeout("tcp", target, 5*time.Second)
				if err != nil {
					return
				}
				defer s.Close()
				go func() { io.Copy(s, c); s.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, s)
			}()
		}
	}()
	return p
}

func TestServeManyScrapersOneSession(t *testing.T) {
	needCluster(t)
	p := newCountingProxy(t, env(t, "PCP_HOST")+":"+env(t, "PCP_PORT"))
	ep := "127.0.0.1:" + strconv.Itoa(p.ln.Addr().(*net.TCPAddr).Port)
	s := startServe(t, "--pgpool", ep, "--min-interval", "10s")
	const scrapers = 40
	bodies := make([]string, scrapers)
	codes := make([]int, scrapers)
	paths := []string{"/metrics", "/primary?node=0", "/standby?node=1"}
	var wg sync.WaitGroup
	for i := 0; i < scrapers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := httpClient.Get(s.base + paths[i%len(paths)])
			if err != nil {
				t.Errorf("scrape %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			bodies[i], codes[i] = string(b), resp.StatusCode
		}(i)
	}
	wg.Wait()
	if n := p.sessions.Load(); n != 1 {
		t.Errorf("%d concurrent requests within --min-interval opened %d PCP sessions, want 1", scrapers, n)
	}
	for i := range bodies {
		if codes[i] != 200 {
			t.Errorf("request %d (%s): %d %s", i, paths[i%len(paths)], codes[i], bodies[i])
		}
		if i%len(paths) == 0 && bodies[i] != bodies[0] {
			t.Errorf("scrape %d saw another reading than scrape 0", i)
		}
	}
	if !strings.Contains(bodies[0], `pgpool_up{pgpool="`+ep+`"} 1`) {
		t.Errorf("metrics through the proxy:\n%s", bodies[0])
	}
}

func TestServeBadRequests(t *testing.T) {
	needCluster(t)
	pcpEP := env(t, "PCP_HOST") + ":" + env(t, "PCP_PORT")
	s := startServe(t, "--pgpool", pcpEP)
	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/nope", 404, `not found: "/nope" (try /metrics, /healthz, /primary, /standby, /leader)` + "\n"},
		{"/metrics/x", 404, ""},
		{"/primary", 400, "want ?node=N\n"},
		{"/primary?node=abc", 400, `invalid node "abc": want an integer 0-127` + "\n"},
		{"/primary?node=-1", 400, `invalid node "-1": want an integer 0-127` + "\n"},
		{"/primary?node=1&node=2", 400, "parameter node given 2 times\n"},
		{"/primary?node=0&bogus=1", 400, `unknown parameter "bogus" for /primary` + "\n"},
		{"/primary?node=%zz", 400, ""},
		{"/primary?node=9", 404, "node 9 does not exist\n"},
		{"/standby?node=0&pgpool=10.0.0.1:9898", 404, ""},
		{"/leader?pgpool=nowhere:1", 404, ""},
		{"/metrics?x=1", 400, `unknown parameter "x" for /metrics` + "\n"},
		{"/leader", 503, "pgpool " + pcpEP + " runs without watchdog\n"},
		{"/healthz", 200, "ok\n"},
	} {
		code, body := s.get(t, c.path)
		if code != c.code || (c.body != "" && body != c.body) || strings.Count(body, "\n") != 1 || !strings.HasSuffix(body, "\n") {
			t.Errorf("GET %s: %d %q, want %d %q (one line)", c.path, code, body, c.code, c.body)
		}
	}
	resp, err := httpClient.Post(s.base+"/metrics", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 405 || string(b) != "method POST not allowed: use GET\n" {
		t.Errorf("POST /metrics: %d %q", resp.StatusCode, b)
	}
	for _, a := range [][]string{{"--listen", "nonsense"}, {"--min-interval", "soon"}, {"--request-timeout", "0"}, {"extra"}} {
		r := run(t, pcpctlBin, invocation{Tool: "pcpctl", Args: append([]string{"serve", "--pgpool", pcpEP, "-U", env(t, "PCP_USER"), "-w"}, a...)})
		if r.Code != 2 || r.Stdout != "" || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("serve %v: %s", a, r)
		}
	}
}

// probe is one probe's status code.
func (s *server) probe(t *testing.T, path string) int {
	code, _ := s.get(t, path)
	return code
}

func TestProbePrimaryStandbyFlip(t *testing.T) {
	needCluster(t)
	if ok, state := healthy(t); !ok {
		t.Fatalf("cluster not in its initial state: %s", state)
	}
	restoreAtEnd(t)
	pcpEP := env(t, "PCP_HOST") + ":" + env(t, "PCP_PORT")
	s := startServe(t, "--pgpool", pcpEP, "--min-interval", "200ms")
	for path, want := range map[string]int{"/primary?node=0": 200, "/primary?node=1": 503, "/primary?node=2": 503,
		"/standby?node=0": 503, "/standby?node=1": 200, "/standby?node=2": 200} {
		if got := s.probe(t, path); got != want {
			t.Errorf("healthy cluster: %s %d, want %d", path, got, want)
		}
	}
	// A detached standby is no longer one to send reads to.
	id := standby(t)
	setState(t, id, "detach")
	standbyPath := fmt.Sprintf("/standby?node=%d", id)
	waitFor(t, standbyPath+" 503 after detach", 10*time.Second, func() (bool, string) {
		c := s.probe(t, standbyPath)
		return c == 503, strconv.Itoa(c)
	})
	setState(t, id, "attach")
	time.Sleep(pcpRestart)
	waitFor(t, standbyPath+" 200 after attach", 10*time.Second, func() (bool, string) {
		c := s.probe(t, standbyPath)
		return c == 200, strconv.Itoa(c)
	})
	// A switchover detaches the primary and promotes node 1.
	r := modern(t, "node", "promote", "1", "--switchover", "--sql-user", "postgres", "--timeout", "60s")
	if r.Code != 0 {
		t.Fatalf("switchover: %s", r)
	}
	waitFor(t, "/primary flips to node 1", 20*time.Second, func() (bool, string) {
		a, b := s.probe(t, "/primary?node=0"), s.probe(t, "/primary?node=1")
		return a == 503 && b == 200, fmt.Sprintf("node 0 %d, node 1 %d", a, b)
	})
	restoreCluster(t)
	waitFor(t, "/primary back on node 0", 20*time.Second, func() (bool, string) {
		a, b := s.probe(t, "/primary?node=0"), s.probe(t, "/primary?node=1")
		return a == 200 && b == 503, fmt.Sprintf("node 0 %d, node 1 %d", a, b)
	})
}

func TestProbeLeaderFlip(t *testing.T) {
	eps := trio(t)
	args := []string{"--min-interval", "200ms", "--timeout", "3s"}
	for _, e := range eps {
		args = append(args, "--pgpool", e)
	}
	s := startServe(t, args...)
	leader := trioLeader(t, eps)
	for i, e := range eps {
		want := 503
		if i == leader {
			want = 200
		}
		if got := s.probe(t, "/leader?pgpool="+e); got != want {
			t.Errorf("/leader?pgpool=%s %d, want %d", e, got, want)
		}
	}
	if code, body := s.get(t, "/leader"); code != 400 || !strings.HasPrefix(body, "name the pgpool: ?pgpool=HOST:PORT, one of [") {
		t.Errorf("/leader over three pgpools: %d %q", code, body)
	}
	t.Cleanup(func() {
		monWd(t, "wd-start-one", leader)
		waitAgree(t, eps)
	})
	monWd(t, "wd-stop-one", leader)
	newLeader := -1
	waitFor(t, "another member becomes leader", 60*time.Second, func() (bool, string) {
		codes := make([]int, len(eps))
		newLeader = -1
		for i, e := range eps {
			codes[i] = s.probe(t, "/leader?pgpool="+e)
			if codes[i] == 200 {
				newLeader = i
			}
		}
		n := 0
		for _, c := range codes {
			if c == 200 {
				n++
			}
		}
		return codes[leader] == 503 && n == 1, fmt.Sprint(codes)
	})
	if code, body := s.get(t, "/leader?pgpool="+eps[leader]); code != 503 || body != "pgpool "+eps[leader]+" is unreachable\n" {
		t.Errorf("old leader: %d %q", code, body)
	}
	t.Logf("leader moved from %s to %s", eps[leader], eps[newLeader])
	// The metrics say the same.
	_, body := s.get(t, "/metrics")
	if !strings.Contains(body, `pgpool_watchdog_leader{pgpool="`+eps[newLeader]+`"} 1`) || !strings.Contains(body, `pgpool_up{pgpool="`+eps[leader]+`"} 0`) {
		t.Errorf("metrics after the leader change:\n%s", body)
	}
}

// TestCheckBackends: --backends connects to every backend with pgx and
// checks its role against pgpool's; a backend that refuses the connection
// is a WARNING naming the node and the server's own error.
func TestCheckBackends(t *testing.T) {
	needCluster(t)
	r := modern(t, "check", "--backends", "--sql-user", "postgres", "--require-primary")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "PGPOOL OK - 3/3 nodes up, primary node 0 (") || r.Stderr != "" {
		t.Fatalf("healthy cluster, every backend checked: %s", r)
	}
	r = modern(t, "check", "--backends", "--sql-user", "no_such_role")
	if r.Code != 1 || !strings.HasPrefix(r.Stdout, "PGPOOL WARNING - node 0: backend unreachable: ") {
		t.Fatalf("backends refusing the role: %s", r)
	}
	for id, port := range strings.Fields(env(t, "PG_PORTS")) {
		want := fmt.Sprintf("\nWARNING: node %d: backend unreachable: 127.0.0.1:%s (127.0.0.1): server error: FATAL: role \"no_such_role\" does not exist (SQLSTATE 28000) (seen by ", id, port)
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.Stdout)
		}
	}
}

package status

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// trio starts three fake 4.3.5 pgpools of one watchdog cluster.
func trio(t *testing.T) ([]*pcptest.Server, []*pcptest.Pgpool) {
	var srvs []*pcptest.Server
	var pools []*pcptest.Pgpool
	for i := 0; i < 3; i++ {
		p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes(), Watchdog: pcptest.TrioView(i)}
		pools = append(pools, p)
		srvs = append(srvs, pcptest.NewServer(t, p.Serve))
	}
	return srvs, pools
}

// dead accepts connections and never answers: a hung pgpool.
func dead(t *testing.T) *pcptest.Server {
	return pcptest.NewServer(t, func(s *pcptest.Session) { io.Copy(io.Discard, s.Conn) })
}

func endpoint(s *pcptest.Server) string { return s.Host + ":" + strconv.Itoa(s.Port) }

// run executes "cluster status" with args over a factory whose password
// file serves every fake.
func run(t *testing.T, args ...string) (string, string, error, time.Duration) {
	t.Helper()
	f, st := factorytest.New(t, nil, "", "", nil)
	pass := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(pass, []byte("*:*:pcpadmin:pw\n"), 0o600)
	env := map[string]string{"PCPPASSFILE": pass, "PCPUSER": "pcpadmin"}
	f.Env = environ.Map(env)
	cmd := NewCmdStatus(f, func(ctx context.Context, o *StatusOptions) error {
		o.Loc = time.UTC
		return statusRun(ctx, o)
	})
	cmd.Flags().Bool("help", false, "") // -h is the host, as on the root
	f.AddConnFlags(cmd.Flags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usage(err) })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	start := time.Now()
	err := cmd.Execute()
	return st.Out.String(), st.ErrOut.String(), err, time.Since(start)
}

func code(err error) int {
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func pgpoolArgs(srvs ...*pcptest.Server) []string {
	var a []string
	for _, s := range srvs {
		a = append(a, "--pgpool", endpoint(s))
	}
	return a
}

func TestAllAgree(t *testing.T) {
	srvs, _ := trio(t)
	out, errOut, err, _ := run(t, append(pgpoolArgs(srvs...), "-o", "table")...)
	if code(err) != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code(err), errOut, out)
	}
	for _, s := range srvs {
		if !strings.Contains(out, endpoint(s)) {
			t.Errorf("no column for %s:\n%s", endpoint(s), out)
		}
	}
	if !strings.Contains(out, "3/3 pgpools reachable, watchdog leader "+endpoint(srvs[0])+", all agree\n") {
		t.Errorf("summary:\n%s", out)
	}
}

func TestDeadPgpoolDoesNotDelayTheOthers(t *testing.T) {
	srvs, _ := trio(t)
	hung := dead(t)
	args := append(pgpoolArgs(srvs[0], hung, srvs[1], srvs[2]), "-o", "json", "--timeout", "1s")
	out, errOut, err, took := run(t, args...)
	if code(err) != exitcode.Unhealthy {
		t.Fatalf("exit %d (%v)\n%s", code(err), err, errOut)
	}
	if took > 2*time.Second {
		t.Errorf("took %s with a 1s timeout", took)
	}
	var doc struct {
		Pgpools []struct {
			Endpoint  string           `json:"endpoint"`
			Reachable bool             `json:"reachable"`
			Error     *string          `json:"error"`
			Nodes     []map[string]any `json:"nodes"`
		} `json:"pgpools"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Pgpools) != 4 {
		t.Fatalf("json: %v\n%s", err, out)
	}
	for i, p := range doc.Pgpools {
		if (i == 1) == p.Reachable || (i != 1 && len(p.Nodes) != 3) {
			t.Errorf("pgpool %d: %+v", i, p)
		}
	}
	want := "pcpctl: warning: pgpool " + endpoint(hung) + " is unreachable: timed out waiting for pgpool's reply\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

func TestDisagreementNamesHostsAndNode(t *testing.T) {
	srvs, pools := trio(t)
	pools[2].Nodes[1].Status = 3
	out, errOut, err, _ := run(t, append(pgpoolArgs(srvs...), "-o", "table")...)
	if code(err) != exitcode.Unhealthy || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code(err), errOut)
	}
	want := "warning: node 1 (127.0.0.1:15433): pgpools disagree on its status: up on " + endpoint(srvs[0]) + ", " + endpoint(srvs[1]) + "; down on " + endpoint(srvs[2]) + "\n"
	if !strings.Contains(out, want) || !strings.Contains(out, "down standby !") {
		t.Errorf("no %q in\n%s", want, out)
	}
}

func TestWatchRefreshesEveryPgpool(t *testing.T) {
	srvs, _ := trio(t)
	f, _ := factorytest.New(t, nil, "", "", nil)
	pass := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(pass, []byte("*:*:pcpadmin:pw\n"), 0o600)
	env := map[string]string{"PCPPASSFILE": pass}
	f.Env = environ.Map(env)
	f.User, f.Pgpools = "pcpadmin", []string{endpoint(srvs[0]), endpoint(srvs[1]), endpoint(srvs[2])}
	targets, err := f.Targets()
	if err != nil {
		t.Fatal(err)
	}
	out := &lines{ch: make(chan string, 100)}
	o := &StatusOptions{IO: f.IOStreams, Factory: f, Targets: targets, Format: output.FormatJSON, Watch: 10 * time.Millisecond, Loc: time.UTC, Now: f.Now}
	o.IO.Out = out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- statusRun(ctx, o) }()
	type doc struct {
		Time    string `json:"time"`
		Healthy bool   `json:"healthy"`
	}
	for i := 0; i < 2; i++ {
		var d doc
		if line := <-out.ch; json.Unmarshal([]byte(line), &d) != nil || !d.Healthy || d.Time != "2025-11-24T16:00:00Z" {
			t.Fatalf("record %d: %q", i, line)
		}
	}
	// A detach through one pgpool alone shows in a later refresh.
	c, err := client.Dial(context.Background(), client.Config{Host: srvs[1].Host, Port: srvs[1].Port, User: "pcpadmin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DetachNode(context.Background(), 2, false); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for deadline := time.After(5 * time.Second); ; {
		select {
		case line := <-out.ch:
			var d doc
			json.Unmarshal([]byte(line), &d)
			if d.Healthy {
				continue
			}
		case <-deadline:
			t.Fatal("the detach never showed")
		}
		break
	}
	cancel()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			// One session per pgpool per refresh, none held in between.
			a, b, c := srvs[0].Sessions(), srvs[1].Sessions(), srvs[2].Sessions()
			if a < 3 || max(a, b, c)-min(a, b, c) > 2 { // +1: the detach session
				t.Errorf("sessions %d %d %d", srvs[0].Sessions(), srvs[1].Sessions(), srvs[2].Sessions())
			}
			return
		case <-out.ch:
		}
	}
}

type lines struct{ ch chan string }

func (l *lines) Write(p []byte) (int, error) { l.ch <- string(p); return len(p), nil }

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--pgpool", "db1:99999"}, `invalid --pgpool "db1:99999"`},
		{[]string{"--pgpool", "db1:9898", "-h", "db2"}, "--pgpool names the pgpools itself"},
		{[]string{"--pgpool", "db1", "--watch=0s"}, `invalid --watch interval "0s"`},
		{[]string{"--pgpool", "db1", "-o", "xml"}, `invalid output format "xml"`},
	} {
		_, _, err, _ := run(t, c.args...)
		if code(err) != exitcode.UsageError || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}

// The factory's per-target settings keep --timeout and -U.
func TestTargetsCarryTimeoutAndUser(t *testing.T) {
	f, _ := factorytest.New(t, nil, "", "", nil)
	f.Pgpools, f.Timeout, f.User = []string{"a:1", "[::1]:2"}, "3s", "ops"
	ts, err := f.Targets()
	if err != nil || len(ts) != 2 {
		t.Fatal(err)
	}
	for _, s := range ts {
		if s.Timeout != 3*time.Second || s.User != "ops" {
			t.Errorf("%+v", s)
		}
	}
	if ts[1].Endpoint() != "[::1]:2" {
		t.Errorf("endpoint %s", ts[1].Endpoint())
	}
}

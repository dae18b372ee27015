package list

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"

	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, got, 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func pgpool(t *testing.T, nodes []pcp.NodeInfo) (*pcptest.Server, *pcptest.Pgpool) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: nodes}
	return pcptest.NewServer(t, p.Serve), p
}

func opts(t *testing.T, srv *pcptest.Server, format output.Format) (*ListOptions, *factorytest.Streams) {
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	return &ListOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Format: format, Loc: time.UTC, Now: f.Now}, st
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

func degraded() []pcp.NodeInfo {
	n := pcptest.ThreeNodes()
	n[2].Status = 3
	return n
}

func TestListFormats(t *testing.T) {
	srv, _ := pgpool(t, degraded())
	for _, f := range output.Formats {
		o, st := opts(t, srv, output.Format(f))
		if err := listRun(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		golden(t, "list."+f, st.Out.Bytes())
		wantErr := ""
		if f != "table" {
			wantErr = "pcpctl: warning: node 2 (127.0.0.1:15434) is down\npcpctl: warning: node 2: pgpool says down but the backend is up\n"
		}
		if st.ErrOut.String() != wantErr {
			t.Errorf("%s stderr %q", f, st.ErrOut)
		}
	}
	if srv.Sessions() != len(output.Formats) {
		t.Errorf("%d sessions for %d runs: want one connection each", srv.Sessions(), len(output.Formats))
	}
}

func TestCheck(t *testing.T) {
	srv, _ := pgpool(t, degraded())
	o, _ := opts(t, srv, output.FormatJSON)
	o.Check = true
	if err := listRun(context.Background(), o); code(err) != exitcode.Unhealthy {
		t.Errorf("degraded --check: %v", err)
	}
	srv, _ = pgpool(t, pcptest.ThreeNodes())
	o, _ = opts(t, srv, output.FormatPlain)
	o.Check = true
	if err := listRun(context.Background(), o); err != nil {
		t.Errorf("healthy --check: %v", err)
	}
}

func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

func TestUnreachableEnrichmentIsNotFatal(t *testing.T) {
	nodes := pcptest.ThreeNodes()
	for i := range nodes {
		nodes[i].Port = closedPort(t)
	}
	srv, _ := pgpool(t, nodes)
	o, st := opts(t, srv, output.FormatJSON)
	o.SQL = &client.SQLTarget{Host: "127.0.0.1", Port: closedPort(t)}
	o.CheckBackends = true
	o.Settings.Timeout = 2 * time.Second
	if err := listRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(st.Out.Bytes(), &recs); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1]["backend_reachable"] != false || recs[1]["select_cnt"] != nil || recs[1]["backend_error"] == nil {
		t.Errorf("records %v", recs)
	}
	if !strings.Contains(st.ErrOut.String(), "backend unreachable") || !strings.Contains(st.ErrOut.String(), "SHOW pool_nodes failed") {
		t.Errorf("stderr %q", st.ErrOut)
	}
	if strings.Contains(st.ErrOut.String(), "pw") {
		t.Error("password in output")
	}
}

func TestParseSQLTarget(t *testing.T) {
	for in, want := range map[string]client.SQLTarget{"9999": {Host: "db", Port: 9999}, "h2:5": {Host: "h2", Port: 5}, "[::1]:7": {Host: "::1", Port: 7}} {
		got, err := ParseSQLTarget(in, "db")
		if err != nil || *got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseSQLTarget("db:x", "db"); code(err) != exitcode.UsageError || !strings.Contains(err.Error(), `"db:x"`) {
		t.Errorf("bad: %v", err)
	}
}

// syncBuffer lets the test read what the watch loop writes.
type syncBuffer struct {
	ch chan string
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.ch <- string(p)
	return len(p), nil
}

func TestWatchJSONAppendsRecords(t *testing.T) {
	srv, _ := pgpool(t, pcptest.ThreeNodes())
	o, _ := opts(t, srv, output.FormatJSON)
	o.Watch = 10 * time.Millisecond
	out := &syncBuffer{make(chan string, 100)}
	o.IO.Out = out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- listRun(ctx, o) }()
	for i := 0; i < 3; i++ {
		line := <-out.ch
		var rec struct {
			Time  string           `json:"time"`
			Nodes []map[string]any `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || len(rec.Nodes) != 3 || rec.Time != "2025-11-24T16:00:00Z" || !strings.HasSuffix(line, "}\n") {
			t.Fatalf("record %d: %q (%v)", i, line, err)
		}
	}
	cancel()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("watch ended with %v", err)
			}
			// Sessions are not held between refreshes (pgpool's failover
			// waits for every PCP session to end).
			if srv.Sessions() < 3 {
				t.Errorf("%d PCP sessions for 3 refreshes", srv.Sessions())
			}
			return
		case <-out.ch:
		}
	}
}

func TestWatchTTYRedrawsAndHighlights(t *testing.T) {
	srv, _ := pgpool(t, pcptest.ThreeNodes())
	o, _ := opts(t, srv, output.FormatTable)
	o.IO.SetStdoutTTY(true)
	o.Watch = 10 * time.Millisecond
	out := &syncBuffer{make(chan string, 100)}
	o.IO.Out = out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- listRun(ctx, o) }()
	first := <-out.ch
	if !strings.HasPrefix(first, iostreams.ClearScreen+"Every 10ms: pcpctl node list, 127.0.0.1:") || strings.Contains(first, iostreams.HighlightOn) {
		t.Fatalf("first frame %q", first)
	}
	// Detach node 2 through another session; the next frame highlights it.
	c, err := client.Dial(context.Background(), client.Config{Host: srv.Host, Port: srv.Port, User: "pcpadmin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DetachNode(context.Background(), 2, false); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case frame := <-out.ch:
			if strings.Contains(frame, iostreams.HighlightOn+"3 down !"+iostreams.HighlightOff) {
				cancel()
				for {
					select {
					case err := <-done:
						if err != nil {
							t.Fatal(err)
						}
						return
					case <-out.ch:
					}
				}
			}
		case <-deadline:
			t.Fatal("no highlighted frame")
		}
	}
}

func TestWatchReportsUnreachable(t *testing.T) {
	f, _ := factorytest.New(t, nil, "", "", nil)
	f.Host, f.Port, f.NoPassword = "127.0.0.1", itoa(closedPort(t)), true
	o := &ListOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Format: output.FormatJSON, Now: f.Now, Watch: time.Millisecond}
	out := &syncBuffer{make(chan string, 100)}
	o.IO.Out = out
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- listRun(ctx, o) }()
	line := <-out.ch
	if !strings.Contains(line, `"error":"connection to host \"127.0.0.1\" failed`) || !strings.Contains(line, `"unreachable_seconds":0`) {
		t.Errorf("record %q", line)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch ended with %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestBareSQLUsesTheContextsPort(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("current-context: c\ncontexts:\n  - name: c\n    pgpools:\n      - host: 127.0.0.2\n        pcp_port: 26920\n        sql_port: 26910\n"), 0o600)
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"PCPCTL_CONFIG": cfg}, []string{"--sql"}, "127.0.0.2:26910"},
		{map[string]string{"PCPCTL_CONFIG": cfg}, []string{"--sql=5433"}, "127.0.0.2:5433"},
		{map[string]string{"PCPHOST": "db"}, []string{"--sql"}, "db:9999"},
	} {
		f, _ := factorytest.New(t, nil, "", "", c.env)
		var got *ListOptions
		cmd := NewCmdList(f, func(_ context.Context, o *ListOptions) error { got = o; return nil })
		cmd.Flags().Bool("help", false, "")
		f.AddConnFlags(cmd.Flags())
		cmd.SetArgs(c.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.SQL == nil || got.SQL.Host+":"+strconv.Itoa(got.SQL.Port) != c.want {
			t.Errorf("%v %v: %+v, want %s", c.env, c.args, got.SQL, c.want)
		}
	}
}

package list

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func run(t *testing.T, format output.Format, slots bool) (string, string) {
	t.Helper()
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes(), Processes: pcptest.TwoChildren()}
	srv := pcptest.NewServer(t, p.Serve)
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	o := &ListOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Format: format, Slots: slots}
	if err := listRun(context.Background(), o); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	if srv.Sessions() != 1 {
		t.Errorf("%d sessions, want 1", srv.Sessions())
	}
	return st.Out.String(), st.ErrOut.String()
}

func TestListFormats(t *testing.T) {
	out, _ := run(t, output.FormatPlain, false)
	want := "4001\t2025-11-24 16:00:00\tIdle\t3\tapp\talice\t2025-11-24 16:01:00\t7\t5001 5002\n" +
		"4002\t2025-11-24 16:00:00\tWait for connection\t0\t-\t-\t-\t-\t-\n"
	if out != want {
		t.Errorf("plain:\n%q\nwant\n%q", out, want)
	}
	out, _ = run(t, output.FormatJSON, false)
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("json %v:\n%s", err, out)
	}
	if recs[0]["pid"] != 4001.0 || recs[0]["database"] != "app" || recs[0]["backend_pids"] != "5001 5002" || recs[1]["database"] != nil {
		t.Errorf("json records %v", recs)
	}
	out, _ = run(t, output.FormatTable, false)
	if !strings.Contains(out, "│ PID  │ STARTED ") || !strings.HasSuffix(out, "2 child processes, 1 with a client\n") {
		t.Errorf("table:\n%s", out)
	}
	out, _ = run(t, output.FormatCSV, true)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "pid,slot,process_start_time,") || lines[2] != "4001,0,2025-11-24 16:00:00,3,Idle,app,alice,1,5002,true,3,0,1,2025-11-24 16:01:00,2025-11-24 16:01:00,7,,,,," {
		t.Errorf("--slots csv:\n%s", out)
	}
	for _, f := range []output.Format{output.FormatYAML, output.FormatTSV} {
		if out, _ := run(t, f, false); !strings.Contains(out, "4002") {
			t.Errorf("%s:\n%s", f, out)
		}
	}
}

package health

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func run(t *testing.T, id int, format output.Format) (string, error) {
	t.Helper()
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
	srv := pcptest.NewServer(t, p.Serve)
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	o := &HealthOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), ID: id, Format: format}
	err := healthRun(context.Background(), o)
	return st.Out.String(), err
}

func TestHealth(t *testing.T) {
	out, err := run(t, -1, output.FormatJSON)
	var recs []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 3 {
		t.Fatalf("all nodes: %v\n%s", err, out)
	}
	r := recs[2]
	if r["node_id"] != 2.0 || r["port"] != 15434.0 || r["role"] != "standby" || r["total_count"] != 10.0 || r["average_duration_ms"] != 4.5 || r["last_failed_health_check"] != nil {
		t.Errorf("node 2: %v", r)
	}
	if len(r) != len(output.HealthKeys) {
		t.Errorf("%d keys, want %d", len(r), len(output.HealthKeys))
	}
	out, err = run(t, 1, output.FormatYAML)
	if err != nil || !strings.HasPrefix(out, "node_id: 1\nhostname: 127.0.0.1\nport: 15433\nstatus: up\nrole: standby\n") {
		t.Errorf("one node yaml: %v\n%s", err, out)
	}
	out, err = run(t, 0, output.FormatTable)
	if err != nil || !strings.Contains(out, "│ ID │ HOST      │ PORT  │ STATUS │ ROLE    │ CHECKS │") || !strings.Contains(out, "│ 0  │ 127.0.0.1 │ 15432 │ up     │ primary │ 10 ") {
		t.Errorf("table: %v\n%s", err, out)
	}
	// A node pgpool does not have: refused before any 'H' is sent.
	out, err = run(t, 5, output.FormatPlain)
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.UsageError || err.Error() != "node 5 does not exist: pgpool has 3 nodes (0-2)" || out != "" {
		t.Errorf("node 5: %v %q", err, out)
	}
}

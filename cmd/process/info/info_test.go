package info

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

func run(t *testing.T, pid int, format output.Format) (string, error) {
	t.Helper()
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes(), Processes: pcptest.TwoChildren()}
	srv := pcptest.NewServer(t, p.Serve)
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	o := &InfoOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), PID: pid, Format: format}
	err := infoRun(context.Background(), o)
	return st.Out.String(), err
}

func TestInfo(t *testing.T) {
	out, err := run(t, 4001, output.FormatJSON)
	var obj struct {
		PID   int              `json:"pid"`
		Slots []map[string]any `json:"slots"`
	}
	if err != nil || json.Unmarshal([]byte(out), &obj) != nil || obj.PID != 4001 || len(obj.Slots) != 2 || obj.Slots[1]["backend_pid"] != 5002.0 || obj.Slots[0]["connected"] != true {
		t.Errorf("json %v:\n%s", err, out)
	}
	out, err = run(t, 4002, output.FormatPlain)
	if err != nil || strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "4002\t0\t2025-11-24 16:00:00\t0\tWait for connection\t-\t-\t0\t0\tfalse\t") {
		t.Errorf("plain %v:\n%q", err, out)
	}
	out, err = run(t, 4003, output.FormatTable)
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.ServerError || !strings.Contains(err.Error(), "informing process info failed") || !strings.Contains(err.Error(), "invalid process ID : 4003") || out != "" {
		t.Errorf("unknown pid: %v %q", err, out)
	}
}

// TestInfoFieldsOfEachRelease: the JSON of a slot carries 4.5's and 4.7's
// fields, null when the server's release does not send them, and keeps a
// field no release sends yet under its wire position.
func TestInfoFieldsOfEachRelease(t *testing.T) {
	for _, c := range []struct {
		fields int
		want   map[string]any
	}{
		{17, map[string]any{"load_balance_node": nil, "client_host": nil, "client_port": nil, "statement": nil}},
		{18, map[string]any{"load_balance_node": 1.0, "client_host": nil, "client_port": nil, "statement": nil}},
		{21, map[string]any{"load_balance_node": 1.0, "client_host": "192.0.2.7", "client_port": 50123.0, "statement": "SELECT * FROM t WHERE a = 'x y'"}},
		{22, map[string]any{"statement": "SELECT * FROM t WHERE a = 'x y'", "field_22": "future22"}},
	} {
		p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(), Processes: pcptest.ChildrenOf(c.fields)}
		srv := pcptest.NewServer(t, p.Serve)
		f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
		o := &InfoOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), PID: 4001, Format: output.FormatJSON}
		err := infoRun(context.Background(), o)
		var obj struct {
			Slots []map[string]any `json:"slots"`
		}
		if err != nil || json.Unmarshal(st.Out.Bytes(), &obj) != nil || len(obj.Slots) != 2 {
			t.Fatalf("%d fields: %v\n%s", c.fields, err, st.Out)
		}
		for k, v := range c.want {
			got, ok := obj.Slots[1][k]
			if !ok || got != v {
				t.Errorf("%d fields: %s = %v (present %v), want %v", c.fields, k, got, ok, v)
			}
		}
		if _, ok := obj.Slots[1]["field_22"]; ok != (c.fields > 21) {
			t.Errorf("%d fields: field_22 present = %v", c.fields, ok)
		}
	}
}

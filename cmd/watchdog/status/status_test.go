package status

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// TestLegacyWatchdog feeds a 3.3–3.4 server's fixed per-index replies to
// the modern command, which used to refuse what pcp_watchdog_info reads.
func TestLegacyWatchdog(t *testing.T) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout30, Legacy: true, Nodes: pcptest.ThreeNodes(),
		LegacyWatchdog: &pcp.LegacyWatchdog{Hostname: "host1", PgpoolPort: 9999, WdPort: 9000, Status: pcp.LegacyWdActive},
		LegacyOthers: []pcp.LegacyWatchdog{
			{Hostname: "host2", PgpoolPort: 9999, WdPort: 9000, Status: pcp.LegacyWdStandby},
		}}
	srv := pcptest.NewServer(t, p.Serve)

	f, st := factorytest.New(t, nil, "", "", nil)
	pass := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(pass, []byte("*:*:pcpadmin:pw\n"), 0o600)
	env := map[string]string{"PCPPASSFILE": pass, "PCPUSER": "pcpadmin"}
	f.Env = environ.Map(env)
	cmd := NewCmdStatus(f, nil)
	cmd.Flags().Bool("help", false, "") // -h is the host, as on the root
	f.AddConnFlags(cmd.Flags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usage(err) })
	cmd.SetArgs([]string{"-h", srv.Host, "-p", strconv.Itoa(srv.Port), "-o", "json"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		var ee *exitcode.Error
		errors.As(err, &ee)
		t.Fatalf("%v (%+v); stderr %q", err, ee, st.ErrOut.String())
	}
	var got map[string]any
	if err := json.Unmarshal(st.Out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, st.Out.String())
	}
	nodes, _ := got["nodes"].([]any)
	if len(nodes) != 2 || got["leader_node_name"] != "host1:9999" || nodes[1].(map[string]any)["state_name"] != "STANDBY" {
		t.Fatalf("want host1 leading, host2 standby; got:\n%s", st.Out.String())
	}
}

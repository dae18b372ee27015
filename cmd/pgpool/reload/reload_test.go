package reload

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func TestReload(t *testing.T) {
	for _, c := range []struct {
		scope  string
		dryRun bool
		log    string
		out    string
	}{
		{"local", false, "Z l", "is reloading its configuration (scope local)\n"},
		{"c", false, "Z c", "is reloading its configuration (scope cluster)\n"},
		{"cluster", true, "", "would reload the configuration of pgpool at 127.0.0.1:"},
	} {
		p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
		srv := pcptest.NewServer(t, p.Serve)
		f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
		o := &ReloadOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Scope: c.scope, DryRun: c.dryRun}
		if err := reloadRun(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.Log(), ","); got != c.log || !strings.Contains(st.Out.String(), c.out) {
			t.Errorf("%s dry-run %v: log %q, out %q", c.scope, c.dryRun, got, st.Out)
		}
	}
	_, err := ScopeByte("everywhere")
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.UsageError || err.Error() != `invalid --scope "everywhere": want local or cluster` {
		t.Errorf("bad scope: %v", err)
	}
}

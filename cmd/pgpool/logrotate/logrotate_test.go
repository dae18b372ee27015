package logrotate

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

func TestLogRotate(t *testing.T) {
	for _, c := range []struct {
		name        string
		rel46, lc   bool
		scope       string
		dryRun      bool
		log, out    string
		errContains string
	}{
		{"local", true, true, "local", false, "V l", "is rotating its log file (scope local)\n", ""},
		{"cluster", true, true, "c", false, "V c", "is rotating its log file (scope cluster)\n", ""},
		{"dry run", true, true, "cluster", true, "", "would rotate the log file of pgpool at 127.0.0.1:", ""},
		{"collector off", true, false, "local", false, "", "", "runs with logging_collector = off: there is no log file to rotate"},
		{"4.3 server", false, false, "local", false, "", "", `it needs pgpool-II 4.6 or later (the server does not know PCP request "V")`},
	} {
		p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(), Release46: c.rel46, LoggingCollector: c.lc}
		srv := pcptest.NewServer(t, p.Serve)
		f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
		o := &LogRotateOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Scope: c.scope, DryRun: c.dryRun}
		err := logRotateRun(context.Background(), o)
		if c.errContains != "" {
			var ee *exitcode.Error
			if !errors.As(err, &ee) || ee.Code != exitcode.ServerError || !strings.Contains(err.Error(), c.errContains) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error %v", c.name, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if got := strings.Join(p.Log(), ","); got != c.log || !strings.Contains(st.Out.String(), c.out) {
			t.Errorf("%s: log %q, out %q", c.name, got, st.Out)
		}
	}
}

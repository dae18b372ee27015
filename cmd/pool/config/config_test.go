package config

import (
	"context"
	"errors"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func run(t *testing.T, format output.Format, names ...string) (string, error) {
	t.Helper()
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes(), Config: []pcptest.ConfigRow{
		{Name: "listen_addresses", Value: "127.0.0.1", Description: "host name(s) or IP address(es) to listen on"},
		{Name: "num_init_children", Value: "4", Description: "# of children initially pre-forked"},
		{Name: "max_pool", Value: "2", Description: "max # of connection pool per child"},
	}}
	srv := pcptest.NewServer(t, p.Serve)
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	o := &ConfigOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Format: format, Names: names}
	err := configRun(context.Background(), o)
	return st.Out.String(), err
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		format output.Format
		names  []string
		want   string
	}{
		{output.FormatPlain, nil, "listen_addresses\t127.0.0.1\thost name(s) or IP address(es) to listen on\nnum_init_children\t4\t# of children initially pre-forked\nmax_pool\t2\tmax # of connection pool per child\n"},
		{output.FormatCSV, []string{"max_pool", "num_init_children"}, "name,value,description\nmax_pool,2,max # of connection pool per child\nnum_init_children,4,# of children initially pre-forked\n"},
		{output.FormatJSON, []string{"max_pool"}, "[\n  {\n    \"name\": \"max_pool\",\n    \"value\": \"2\",\n    \"description\": \"max # of connection pool per child\"\n  }\n]\n"},
		{output.FormatYAML, []string{"max_pool"}, "- name: max_pool\n  value: \"2\"\n  description: 'max # of connection pool per child'\n"},
		{output.FormatTable, []string{"max_pool"}, "┌──────────┬───────┬────────────────────────────────────┐\n│ NAME     │ VALUE │ DESCRIPTION                        │\n├──────────┼───────┼────────────────────────────────────┤\n│ max_pool │ 2     │ max # of connection pool per child │\n└──────────┴───────┴────────────────────────────────────┘\n"},
	} {
		out, err := run(t, c.format, c.names...)
		if err != nil || out != c.want {
			t.Errorf("%s %v: %v\n%s\nwant\n%s", c.format, c.names, err, out, c.want)
		}
	}
	out, err := run(t, output.FormatPlain, "max_pool", "no_such", "other")
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.UsageError || err.Error() != `pgpool reports no parameter "no_such", "other" (pcpctl pool config lists them)` || out != "max_pool\t2\tmax # of connection pool per child\n" {
		t.Errorf("unknown names: %v %q", err, out)
	}
}

package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// TestInvalidateEveryPgpool: the request goes to every pgpool, and each
// refusal says why (no cache, too old) while the others still get it.
func TestInvalidateEveryPgpool(t *testing.T) {
	fakes := []*pcptest.Pgpool{
		{Release46: true, QueryCache: true},
		{Release46: true, QueryCache: false},
		{Release46: false},
		{Release46: true, QueryCache: true},
	}
	pass := filepath.Join(t.TempDir(), "pcppass")
	os.WriteFile(pass, []byte("*:*:pcpadmin:pw\n"), 0o600)
	f, st := factorytest.New(t, nil, "pcpadmin", "pw", map[string]string{"PCPPASSFILE": pass})
	f.User = "pcpadmin"
	for _, p := range fakes {
		p.User, p.Password, p.Layout, p.Nodes = "pcpadmin", "pw", pcp.Layout44, pcptest.ThreeNodes()
		srv := pcptest.NewServer(t, p.Serve)
		f.Pgpools = append(f.Pgpools, srv.Host+":"+strconv.Itoa(srv.Port))
	}
	targets, err := f.Targets()
	if err != nil {
		t.Fatal(err)
	}
	err = invalidateRun(context.Background(), &InvalidateOptions{IO: f.IOStreams, Factory: f, Targets: targets})
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.ServerError || err.Error() != "2 of 4 pgpools did not invalidate their query cache" {
		t.Errorf("error %v", err)
	}
	for i, p := range fakes {
		want := ""
		if p.QueryCache {
			want = "G"
		}
		if got := strings.Join(p.Log(), ","); got != want {
			t.Errorf("pgpool %d carried out %q, want %q", i, got, want)
		}
	}
	if n := strings.Count(st.Out.String(), ": query cache invalidated\n"); n != 2 {
		t.Errorf("stdout:\n%s", st.Out)
	}
	for _, want := range []string{"runs without the query cache (memory_cache_enabled = off)", `it needs pgpool-II 4.6 or later (the server does not know PCP request "G")`} {
		if !strings.Contains(st.ErrOut.String(), want) {
			t.Errorf("no %q in stderr:\n%s", want, st.ErrOut)
		}
	}
	if strings.Count(st.ErrOut.String(), "\n") != 2 {
		t.Errorf("want one line per refusal:\n%s", st.ErrOut)
	}
}

func TestInvalidateDryRun(t *testing.T) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout44, Nodes: pcptest.ThreeNodes(), Release46: true, QueryCache: true}
	srv := pcptest.NewServer(t, p.Serve)
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	targets, _ := f.Targets()
	if err := invalidateRun(context.Background(), &InvalidateOptions{IO: f.IOStreams, Factory: f, Targets: targets, DryRun: true}); err != nil || len(p.Log()) != 0 ||
		!strings.HasPrefix(st.Out.String(), "would invalidate the query cache of pgpool at ") {
		t.Errorf("%v %q %q", err, p.Log(), st.Out)
	}
}

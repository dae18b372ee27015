package list

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// BenchmarkWatchRefresh is one refresh of `pcpctl node list --watch` on a
// terminal (read every node, build the list, redraw the table with changed
// cells highlighted) on one reused connection. With PCP_HOST, PCP_PORT and
// PCPPASSFILE set (scripts/bench.sh exports them from cluster.sh env) it
// runs against that live pgpool, and cpu-ns/op is this process's own CPU
// per refresh; the fake servers run in this process, so there cpu-ns/op
// includes the server's side too. GOMAXPROCS is 1, as cmd/pcpctl sets it.
// make test never runs benchmarks.
func BenchmarkWatchRefresh(b *testing.B) {
	if os.Getenv("PCP_HOST") != "" && os.Getenv("PCP_PORT") != "" {
		b.Run("live", func(b *testing.B) {
			ios, _, _, _ := iostreams.Test()
			f := factory.New(ios)
			f.Host, f.Port, f.User = os.Getenv("PCP_HOST"), os.Getenv("PCP_PORT"), os.Getenv("PCP_USER")
			f.NoPassword = true
			benchRefresh(b, f)
		})
	}
	for _, n := range []int{3, 128} {
		b.Run("fake-"+strconv.Itoa(n)+"nodes", func(b *testing.B) {
			p := &pcptest.Pgpool{User: "pcpadmin", Password: "secret", Layout: pcp.Layout43Q, Nodes: pcptest.Nodes(n)}
			srv := pcptest.NewServer(b, p.Serve)
			f, _ := factorytest.New(b, srv, "pcpadmin", "secret", nil)
			benchRefresh(b, f)
		})
	}
}

func benchRefresh(b *testing.B, f *factory.Factory) {
	s, err := f.Settings()
	if err != nil {
		b.Fatal(err)
	}
	f.IOStreams.Out = io.Discard
	f.IOStreams.SetStdoutTTY(true)
	o := &ListOptions{IO: f.IOStreams, Factory: f, Settings: s, Format: output.FormatTable, Now: time.Now, Watch: time.Second}
	ctx := context.Background()
	conn, err := f.Connect(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	w, err := newWatcher(o)
	if err != nil {
		b.Fatal(err)
	}
	w.conn = conn
	// As cmd/pcpctl runs it.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.refresh(ctx, time.Now()); err != nil || w.conn == nil {
			b.Fatalf("refresh: %v", err)
		}
	}
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano()
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

package root

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// FuzzCommandLine runs the whole modern command tree, from cobra's argument
// parsing to each command's run function, on arbitrary argument vectors (NUL
// separates arguments) with buffers for streams and a dialer that refuses,
// so no input reaches the network. It must not panic, must end with a code
// from the documented table, and a usage error (2) must come before any
// attempt to connect: nothing is sent for bad input.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{
		"node\x00list",
		"node\x00list\x00-o\x00json\x00--timeout\x001s",
		"node\x00list\x00--watch=1s\x00--check",
		"node\x00list\x00--sql=127.0.0.1:9999\x00--check-backends",
		"node\x00info\x001\x00-o\x00yaml",
		"node\x00info\x00x",
		"node\x00count\x00-p\x0099999",
		"node\x00detach\x000\x00--force\x00--wait\x00--dry-run",
		"node\x00attach\x001\x00--force",
		"node\x00promote\x001\x00--switchover",
		"node\x00recover\x00200",
		"watchdog\x00status\x00-o\x00csv",
		"status-codes\x00-o\x00yaml",
		"completion\x00zsh",
		"version",
		"context\x00use\x00prod",
		"cluster\x00status\x00--pgpool\x00127.0.0.1:9898\x00--pgpool\x00[::1]:9898",
		"-h\x00/nonexistent\x00-p\x009898\x00-U\x00u\x00-w\x00-W\x00node\x00list",
		"--timeout\x00-1s\x00node\x00list",
		"__complete\x00node\x00info\x00",
		"--help",
		"bogus",
	} {
		f.Add(s)
	}
	codes := map[int]bool{}
	for _, e := range exitcode.Table {
		codes[e.Code] = true
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		for _, a := range args {
			// "context use" writes the contexts file; only ever the
			// temporary one below, never a path the fuzzer made up.
			if a == "--config" || strings.HasPrefix(a, "--config=") {
				return
			}
		}
		ios, _, _, errOut := iostreams.Test()
		fac := factory.New(ios)
		cfg := filepath.Join(t.TempDir(), "config.yaml")
		fac.Env = environ.Map(map[string]string{environ.Config: cfg})
		fac.Prompt = func(string) (string, error) { return "", errors.New("no terminal in this test") }
		var dialed atomic.Bool
		fac.Dial = func(context.Context, client.Config) (*client.Conn, error) {
			dialed.Store(true)
			return nil, &client.Error{Kind: client.KindConnect, Addr: "127.0.0.1", Err: syscall.ECONNREFUSED}
		}
		cmd := NewCmdRootWith(fac)
		// --watch and --wait run until their context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		cmd.SetContext(ctx)
		cmd.SetArgs(args)
		code := run(cmd, ios)
		if !codes[code] {
			t.Fatalf("%q: exit %d is not in the documented table (stderr %q)", args, code, errOut.String())
		}
		// pcpctl check speaks the monitoring-plugin codes, where 2 is
		// CRITICAL (an unreachable pgpool), not a usage error.
		leaf, _, _ := cmd.Find(args)
		plugin := leaf != nil && leaf.Name() == "check"
		if code == exitcode.UsageError && dialed.Load() && !plugin {
			t.Fatalf("%q: usage error after trying to connect (stderr %q)", args, errOut.String())
		}
	})
}

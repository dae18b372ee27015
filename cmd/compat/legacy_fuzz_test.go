package compat

import (
	"strings"
	"testing"
)

// FuzzLegacyArgs feeds arbitrary argument vectors (NUL-separated) to the
// legacy recogniser and parser: never a panic, and whatever parses must be
// within the 3.x limits, so nothing out of range can reach a server.
func FuzzLegacyArgs(f *testing.F) {
	for _, s := range []string{
		"10\x00localhost\x009898\x00user\x00pass\x000",
		"-d\x00-g\x0010\x00db\x009898\x00u\x00p\x001",
		"--\x00-1\x00db\x009898\x00u\x00p",
		"10\x00\x009898\x00u\x00p\x000",
		"-h\x00db\x00-p\x009898\x00-n\x001\x00x\x00y",
		"--verb\x0099999999999999999999\x00/tmp\x0065535\x00u\x00p\x00128",
		"0\x00db\x001025\x00u\x00p\x00f",
	} {
		f.Add("pcp_node_info", s)
		f.Add("pcp_stop_pgpool", s)
		f.Add("pcp_watchdog_info", s)
	}
	f.Fuzz(func(t *testing.T, name, joined string) {
		args := strings.Split(joined, "\x00")
		legacy := IsLegacy(name, args)
		tl, ok := lookup(name)
		if !ok {
			if legacy {
				t.Fatalf("unknown tool %q recognised", name)
			}
			return
		}
		o, help, why := tl.legacyParse(args)
		if help || why != nil {
			if o != nil {
				t.Fatalf("options returned with help=%v err=%v", help, why)
			}
			return
		}
		switch {
		case o.host == "" || len(o.host) >= maxLegacyHost:
			t.Fatalf("host %q accepted", o.host)
		case o.port <= 1024 || o.port > 65535:
			t.Fatalf("port %d accepted", o.port)
		case len(o.user) >= maxLegacyName || len(o.password) >= maxLegacyName:
			t.Fatal("over-long name accepted")
		case o.timeout < 0:
			t.Fatalf("timeout %s", o.timeout)
		case tl.requiresNodeID() && (o.nodeID < 0 || o.nodeID > maxNumBackends):
			t.Fatalf("node id %d accepted", o.nodeID)
		case tl.kind == watchdogInfo && (o.nodeID < 0 || o.nodeID > maxLegacyWdID+1):
			t.Fatalf("watchdog index %d accepted", o.nodeID)
		case tl.kind == stopPgpool && strings.IndexByte("sfi", o.mode) < 0:
			t.Fatalf("mode %q accepted", o.mode)
		case tl.kind == procInfo && o.processID < 0:
			t.Fatalf("process id %d accepted", o.processID)
		}
	})
}

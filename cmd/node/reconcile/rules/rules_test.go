package rules

import (
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/client"
)

func primary() *Backend {
	return &Backend{ID: 0, Host: "10.0.0.1", Port: 5432, Rep: &client.Replication{Timeline: 2, LSN: 100 << 20}}
}

func standby(mod func(*client.Replication)) Backend {
	r := &client.Replication{InRecovery: true, Timeline: 2, LSN: 100 << 20,
		Receiver: &client.WALReceiver{Status: "streaming", SenderHost: "10.0.0.1", SenderPort: 5432, ReceivedTLI: 2}}
	if mod != nil {
		mod(r)
	}
	return Backend{ID: 2, Host: "10.0.0.3", Port: 5432, Rep: r}
}

func TestDecide(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     Input
		attach bool
		reason string
	}{
		{"healthy standby", Input{Mode: "streaming_replication", Primary: primary(), Node: standby(nil), MaxLag: 1 << 20}, true,
			"streams from the primary node 0 (10.0.0.1:5432) on timeline 2, replay lag 0B (limit 1MB)"},
		{"mode unknown (pre-4.2) is streaming", Input{Primary: primary(), Node: standby(nil)}, true, "streams from the primary"},
		{"lag at the limit", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.LSN -= 1 << 20 }), MaxLag: 1 << 20}, true, "replay lag 1MB (limit 1MB)"},
		{"lag over the limit", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.LSN -= 1<<20 + 1 }), MaxLag: 1 << 20}, false,
			"its replay lags 1048577B behind the primary, over the limit of 1MB (--max-lag)"},
		{"read-write next to the primary", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.InRecovery = false; r.Receiver = nil })}, false,
			"it is read-write (not in recovery) while node 0 (10.0.0.1:5432) is the primary: attaching it would make two primaries"},
		{"streams from nowhere", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Receiver = nil })}, false,
			"it is a standby with no WAL receiver: it streams from nowhere"},
		{"receiver not streaming", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Receiver.Status = "waiting" })}, false,
			"its WAL receiver is waiting, not streaming"},
		{"streams from elsewhere", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Receiver.SenderHost = "10.0.0.9" })}, false,
			"it streams from 10.0.0.9:5432, not from the primary node 0 (10.0.0.1:5432)"},
		{"streams from the primary's host, other port", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Receiver.SenderPort = 5433 })}, false,
			"it streams from 10.0.0.1:5433"},
		{"sender hidden", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Receiver.SenderHost = "" })}, false, "pg_read_all_stats"},
		{"old timeline", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Timeline = 1 }), MaxLag: 1 << 30}, false,
			"it is on an old timeline 1; the primary is on timeline 2"},
		{"newer timeline", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.Timeline = 3 })}, false, "a newer timeline 3"},
		{"replay position unknown", Input{Primary: primary(), Node: standby(func(r *client.Replication) { r.LSN = 0 }), MaxLag: 1 << 40}, false, "replay position is unknown"},
		{"backend unreachable", Input{Primary: primary(), Node: Backend{ID: 2, Host: "h", Port: 1, Err: "connection refused"}}, false, "backend unreachable: connection refused"},
		{"primary unreachable", Input{Primary: &Backend{ID: 0, Host: "10.0.0.1", Port: 5432, Err: "timeout"}, Node: standby(nil)}, false,
			"the primary node 0 (10.0.0.1:5432) cannot be checked: timeout"},
		{"primary in recovery", Input{Primary: &Backend{ID: 0, Host: "10.0.0.1", Port: 5432, Rep: &client.Replication{InRecovery: true}}, Node: standby(nil)}, false,
			"pgpool's primary node 0 (10.0.0.1:5432) is in recovery itself"},
		{"no primary", Input{Mode: "streaming_replication", Node: standby(nil)}, false, "pgpool has no primary"},
		{"native replication", Input{Mode: "native_replication", Primary: primary(), Node: standby(nil)}, false,
			"pgpool runs in native_replication mode, where a node's data must be copied back by online recovery (pcpctl node recover 2), not attached"},
		{"snapshot isolation", Input{Mode: "snapshot_isolation", Primary: primary(), Node: standby(nil)}, false, "snapshot_isolation mode"},
		{"raw mode", Input{Mode: "raw", Primary: primary(), Node: standby(nil)}, false, "streaming replication only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Decide(c.in)
			if v.Attach != c.attach || !strings.Contains(v.Reason, c.reason) {
				t.Errorf("got attach=%v %q; want attach=%v containing %q", v.Attach, v.Reason, c.attach, c.reason)
			}
		})
	}
}

func TestSameEndpoint(t *testing.T) {
	for _, c := range []struct {
		h1   string
		p1   int
		h2   string
		p2   int
		want bool
	}{
		{"db1", 5432, "DB1", 5432, true},
		{"127.0.0.1", 5432, "localhost", 5432, true},
		{"::1", 5432, "127.0.0.2", 5432, true},
		{"127.0.0.1", 5432, "127.0.0.1", 5433, false},
		{"10.0.0.1", 5432, "localhost", 5432, false},
		{"db1", 5432, "db2", 5432, false},
	} {
		if got := SameEndpoint(c.h1, c.p1, c.h2, c.p2); got != c.want {
			t.Errorf("SameEndpoint(%s:%d, %s:%d) = %v", c.h1, c.p1, c.h2, c.p2, got)
		}
	}
}

func TestParseFormatBytes(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "512": 512, "512B": 512, "16MB": 16 << 20, "1 kB": 1024, "2GB": 2 << 30} {
		got, err := ParseBytes(in)
		if err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
		if back, _ := ParseBytes(FormatBytes(want)); back != want {
			t.Errorf("FormatBytes(%d) = %q does not read back", want, FormatBytes(want))
		}
	}
	for _, bad := range []string{"", "-1", "1TB", "MB", "1.5MB", "99999999999999GB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func TestClusteringMode(t *testing.T) {
	// pgpool 4.3.5 src/include/pool_config.h: ClusteringModes, from 1.
	for in, want := range map[string]string{"1": "streaming_replication", "2": "native_replication", "3": "logical_replication", "4": "slony", "5": "raw", "6": "snapshot_isolation", "streaming_replication": "streaming_replication"} {
		if got := ClusteringMode(in); got != want {
			t.Errorf("ClusteringMode(%q) = %q, want %q", in, got, want)
		}
	}
}

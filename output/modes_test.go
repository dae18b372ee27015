package output

import (
	"bytes"
	"testing"

	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// modeList is the three-node list as pgpool in mode m reports it, checked
// on the backends (--check-backends), with node 2 in recovery: a standby
// in streaming mode, a replica that cannot take writes in the others.
func modeList(m health.Mode) *NodeList {
	infos := pcptest.ThreeNodes()
	l := NewNodeList(infos, utc3)
	l.Mode, l.Backends = m, true
	for i := range l.Nodes {
		n := &l.Nodes[i]
		if m != health.ModeStreaming {
			// pgpool's words outside streaming: the role and, copied, pg_role.
			n.Info.Role, n.Info.PgRole = 1, "replica"
			if i == 0 {
				n.Info.Role, n.Info.PgRole = 0, "main"
			}
			n.Info.ReplicationState, n.Info.ReplicationSyncState, n.Info.Delay = "", "", 0
		}
		n.Backend = &BackendCheck{Reachable: true, InRecovery: i != 0 && (m == health.ModeStreaming || i == 2)}
	}
	return l
}

func TestModeGoldenTables(t *testing.T) {
	for _, m := range []health.Mode{health.ModeStreaming, health.ModeNative, health.ModeSnapshot, health.ModeRaw} {
		t.Run(string(m), func(t *testing.T) {
			var b bytes.Buffer
			if err := Print(&b, FormatTable, modeList(m)); err != nil {
				t.Fatal(err)
			}
			golden(t, "nodes_mode_"+string(m)+".table", b.Bytes())
		})
	}
}

func TestModeFindings(t *testing.T) {
	for _, c := range []struct {
		m     health.Mode
		codes []string
	}{
		{health.ModeStreaming, nil},
		{health.ModeNative, []string{health.CodeReadOnly}},
		{health.ModeSnapshot, []string{health.CodeReadOnly}},
		// raw: pgpool writes to one node; the others' roles are not judged.
		{health.ModeRaw, nil},
	} {
		fs := health.NodeFindings(modeList(c.m).Health())
		var got []string
		for _, f := range fs {
			got = append(got, f.Code)
		}
		if len(got) != len(c.codes) || (len(got) == 1 && got[0] != c.codes[0]) {
			t.Errorf("%s: findings %v, want %v", c.m, health.Texts(fs), c.codes)
		}
	}
	// No node up: "no primary" is streaming's finding; in native
	// replication the words are main, and raw has no such finding.
	for m, want := range map[health.Mode]string{health.ModeStreaming: "no primary node is up", health.ModeLogical: "no main node is up", health.ModeNative: "", health.ModeRaw: ""} {
		l := modeList(m)
		l.Backends = false
		for i := range l.Nodes {
			l.Nodes[i].Backend, l.Nodes[i].Info.Status = nil, 3
		}
		got := ""
		for _, f := range health.NodeFindings(l.Health()) {
			if f.Code == health.CodeNoPrimary {
				got = f.Text
			}
		}
		if got != want {
			t.Errorf("%s, every node down: no-primary finding %q, want %q", m, got, want)
		}
	}
}

func TestModeSummaries(t *testing.T) {
	l := modeList(health.ModeNative)
	if got := l.Summary(); got != "3/3 nodes up (native_replication), main: node 0 (127.0.0.1:15432)" {
		t.Errorf("native: %q", got)
	}
	l.Mode = health.ModeUnknown // pgpool did not say: the roles do not name a mode
	if got := l.Summary(); got != "3/3 nodes up, main: node 0 (127.0.0.1:15432)" {
		t.Errorf("unknown: %q", got)
	}
	l.Partial = true
	if got := l.Summary(); got != "" {
		t.Errorf("a partial list speaks for the cluster: %q", got)
	}
}

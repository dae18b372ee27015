package health

import (
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/pcp"
)

func TestParseModeFollowsPgpoolsEnum(t *testing.T) {
	// pgpool 4.3.5 src/include/pool_config.h, ClusteringModes from 1.
	for in, want := range map[string]Mode{"1": ModeStreaming, "2": ModeNative, "3": ModeLogical, "4": ModeSlony, "5": ModeRaw, "6": ModeSnapshot, " raw ": ModeRaw, "7": "7"} {
		if got := ParseMode(in); got != want {
			t.Errorf("ParseMode(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"2": "native_replication [2]", "6": "snapshot_isolation [6]", "raw": "raw", "9": "9"} {
		if got := ConfigValue("backend_clustering_mode", in); got != want {
			t.Errorf("ConfigValue(%q) = %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string]string{"log_standby_delay": "if_over_threshold [2]", "memqcache_method": "shmem [1]",
		"wd_lifecheck_method": "heartbeat [2]", "disable_load_balance_on_write": "trans_transaction [3]",
		"relcache_query_target": "primary [1]", "check_temp_table": "catalog [1]",
		"log_error_verbosity": "terse [0]", "client_min_messages": "notice [18]", "log_min_messages": "warning [19]"} {
		v := want[strings.Index(want, "[")+1 : len(want)-1]
		if got := ConfigValue(name, v); got != want {
			t.Errorf("ConfigValue(%s, %s) = %q, want %q", name, v, got, want)
		}
	}
	for _, c := range [][2]string{{"log_min_messages", "16"}, {"log_min_messages", "9"}, {"log_min_messages", "23"}, {"log_error_verbosity", "3"}} {
		if got := ConfigValue(c[0], c[1]); got != c[1] {
			t.Errorf("ConfigValue(%s, %s) = %q: a number without a name stays as sent", c[0], c[1], got)
		}
	}
	if got := ConfigValue("num_init_children", "2"); got != "2" {
		t.Errorf("other parameters are left alone: %q", got)
	}
}

func TestModeRefusals(t *testing.T) {
	down := &Node{ID: 2, Info: pcp.NodeInfo{Status: 3}}
	up := &Node{ID: 2, Info: pcp.NodeInfo{Status: 2}}
	for _, m := range []Mode{ModeNative, ModeSnapshot} {
		if why := AttachRefusal(m, down); !strings.Contains(why, "may have missed writes") || !strings.HasSuffix(why, "pcpctl node recover 2") {
			t.Errorf("%s: attach of a down node: %q", m, why)
		}
		if why := PromoteRefusal(m); !strings.Contains(why, string(m)+" mode, which has no primary to promote") {
			t.Errorf("%s: promote: %q", m, why)
		}
		if !strings.Contains(RecoveryStages(m), "2nd stage") {
			t.Errorf("%s: recovery stages %q", m, RecoveryStages(m))
		}
	}
	for _, m := range []Mode{ModeStreaming, ModeRaw, ModeUnknown} {
		if why := AttachRefusal(m, down); why != "" {
			t.Errorf("%s: attach refused: %q", m, why)
		}
	}
	if why := AttachRefusal(ModeNative, up); why != "" {
		t.Errorf("an up node: %q", why)
	}
	if PromoteRefusal(ModeStreaming) != "" || PromoteRefusal(ModeUnknown) != "" || PromoteRefusal(ModeRaw) == "" {
		t.Error("promote: streaming (or unknown: pgpool decides) allowed, raw refused")
	}
}

// Only streaming and logical replication have a primary; the main node of
// the other modes leads but takes no more writes than its replicas.
func TestPrimaryIsModeAware(t *testing.T) {
	node := func(id, role, status int) Node {
		return Node{ID: id, Info: pcp.NodeInfo{Role: role, Status: status, Layout: pcp.Layout43Q}}
	}
	native := &Nodes{Mode: ModeNative, Nodes: []Node{node(0, 0, 2), node(1, 1, 2)}}
	if p := native.Primary(); p != nil {
		t.Errorf("native replication: primary node %d, want none", p.ID)
	}
	if l := native.Lead(); l == nil || l.ID != 0 {
		t.Errorf("native replication: lead %v, want the main node 0", l)
	}
	streaming := &Nodes{Mode: ModeStreaming, Nodes: []Node{node(0, 3, 2), node(1, 2, 2)}}
	if p := streaming.Primary(); p == nil || p.ID != 1 {
		t.Errorf("streaming: primary %v, want node 1", p)
	}
	if l := streaming.Lead(); l == nil || l.ID != 1 {
		t.Errorf("streaming: lead %v, want node 1", l)
	}
	down := &Nodes{Mode: ModeStreaming, Nodes: []Node{node(0, 2, 3), node(1, 3, 2)}}
	if p := down.Primary(); p != nil {
		t.Errorf("a down primary is no primary: node %d", p.ID)
	}
}

// TestSecondaries: check --standbys counts the nodes besides the primary
// or main one, in the mode's word; where the roles are main and replica,
// check --require-primary requires the main node.
func TestSecondaries(t *testing.T) {
	nodes := func(mode Mode, layout pcp.Layout, roles ...int) *Nodes {
		l := &Nodes{Mode: mode}
		for i, r := range roles {
			status := 2
			if i == len(roles)-1 {
				status = 3 // the last one down
			}
			l.Nodes = append(l.Nodes, Node{ID: i, Info: pcp.NodeInfo{Status: status, Role: r, Layout: layout}})
		}
		return l
	}
	for _, c := range []struct {
		name    string
		l       *Nodes
		all, up int
		word    string
	}{
		{"streaming", nodes(ModeUnknown, pcp.Layout43Q, 2, 3, 3), 2, 1, "standbys"},
		{"native, mode told", nodes(ModeNative, pcp.Layout43Q, 0, 1, 1), 2, 1, "replicas"},
		{"snapshot, mode not told", nodes(ModeUnknown, pcp.Layout43Q, 0, 1, 1, 1), 3, 2, "replicas"},
		{"raw", nodes(ModeRaw, pcp.Layout43Q, 0, 1), 1, 0, "replicas"},
		{"no roles (3.0)", nodes(ModeUnknown, pcp.Layout30, 0, 0), 0, 0, "standbys"},
	} {
		if all, up, word := c.l.Secondaries(), c.l.UpSecondaries(), c.l.SecondaryWord(); all != c.all || up != c.up || word != c.word {
			t.Errorf("%s: %d %s, %d up; want %d %s, %d up", c.name, all, word, up, c.all, c.word, c.up)
		}
		if got := c.l.MainAndReplicas(); got != (c.word == "replicas") {
			t.Errorf("%s: MainAndReplicas %v", c.name, got)
		}
	}
}

// pgpool reports logical replication's nodes as main and replica over PCP
// (pcp_worker.c gives primary and standby in streaming replication only):
// a cluster whose main node is up has the node it needs.
func TestLogicalModeMainNodeIsEnough(t *testing.T) {
	node := func(id, role, status int) Node {
		return Node{ID: id, Info: pcp.NodeInfo{Role: role, Status: status, Layout: pcp.Layout43Q}}
	}
	up := &Nodes{Mode: ModeLogical, Nodes: []Node{node(0, 0, 2), node(1, 1, 2)}}
	for _, f := range NodeFindings(up) {
		t.Errorf("healthy logical cluster: %+v", f)
	}
	down := &Nodes{Mode: ModeLogical, Nodes: []Node{node(0, 0, 3), node(1, 1, 3)}}
	found := false
	for _, f := range NodeFindings(down) {
		found = found || (f.Code == CodeNoPrimary && f.Text == "no main node is up")
	}
	if !found {
		t.Errorf("logical cluster with every node down: %+v, want %q", NodeFindings(down), "no main node is up")
	}
	if w := up.LeadWord(); w != "main" {
		t.Errorf("LeadWord = %q", w)
	}
}

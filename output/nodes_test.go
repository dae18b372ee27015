package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var utc3 = time.FixedZone("UTC+3", 3*3600)

// degraded is the three-node cluster with node 2 detached while its
// backend is still up, and node 1's backend claiming to be primary.
func degraded() *NodeList {
	nodes := pcptest.ThreeNodes()
	nodes[2].Status = 3
	nodes[2].StatusChanged = 1764000060
	nodes[1].PgRole = "primary"
	nodes[1].Delay = 16384
	return NewNodeList(nodes, utc3)
}

func healthy() *NodeList { return NewNodeList(pcptest.ThreeNodes(), utc3) }

func TestNodePrinters(t *testing.T) {
	for _, f := range Formats {
		for name, l := range map[string]*NodeList{"healthy": healthy(), "degraded": degraded()} {
			t.Run(f+"_"+name, func(t *testing.T) {
				var b bytes.Buffer
				if err := Print(&b, Format(f), l); err != nil {
					t.Fatal(err)
				}
				golden(t, "nodes_"+name+"."+f, b.Bytes())
			})
		}
	}
}

func TestNodeKeysAreShowPoolNodesNames(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, FormatJSON, healthy()); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"node_id", "hostname", "port", "status", "pg_status", "lb_weight", "role", "pg_role",
		"replication_delay", "replication_state", "replication_sync_state", "last_status_change", "status_code", "replication_delay_unit"}
	if len(got) != 3 || len(got[0]) != len(want) {
		t.Fatalf("got %d nodes with %d keys, want 3 with %d", len(got), len(got[0]), len(want))
	}
	for _, k := range want {
		if _, ok := got[0][k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if got[0]["last_status_change"] != "2025-11-24T19:00:00+03:00" {
		t.Errorf("last_status_change = %v", got[0]["last_status_change"])
	}
	if got[0]["lb_weight"] != 0.333333 {
		t.Errorf("lb_weight = %v", got[0]["lb_weight"])
	}
	// YAML carries the same keys in the same order.
	b.Reset()
	Print(&b, FormatYAML, healthy())
	var y []yaml.Node
	if err := yaml.Unmarshal(b.Bytes(), &y); err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	yaml.Unmarshal(b.Bytes(), &doc)
	m := doc.Content[0].Content[0]
	for i, k := range want {
		if m.Content[2*i].Value != k {
			t.Errorf("yaml key %d = %q, want %q", i, m.Content[2*i].Value, k)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	l := degraded()
	l.Nodes[0].Info.Hostname = `db "one", east`
	var b bytes.Buffer
	Print(&b, FormatCSV, l)
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][1] != `db "one", east` || rows[3][3] != "down" || len(rows) != 4 {
		t.Errorf("rows = %q", rows)
	}
}

func TestOldLayoutHasNulls(t *testing.T) {
	n := pcptest.ThreeNodes()[:1]
	n[0].Layout = pcp.Layout37
	l := NewNodeList(n, utc3)
	var b bytes.Buffer
	Print(&b, FormatJSON, l)
	for _, k := range []string{`"pg_status": null`, `"replication_delay": null`, `"last_status_change": null`, `"role": "primary"`} {
		if !strings.Contains(b.String(), k) {
			t.Errorf("missing %s in\n%s", k, b.String())
		}
	}
	if !l.Healthy() {
		t.Errorf("old layout without pg_status reported unhealthy: %v", l.Warnings())
	}
}

func TestWarningsAndHealth(t *testing.T) {
	if w := healthy().Warnings(); len(w) != 0 {
		t.Errorf("healthy cluster warns: %v", w)
	}
	l := degraded()
	want := []string{
		"node 1: pgpool says standby but the backend is primary",
		"node 2 (127.0.0.1:15434) is down",
		"node 2: pgpool says down but the backend is up",
		"2 backends report themselves primary (split brain?)",
	}
	got := l.Warnings()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if l.Summary() != "2/3 nodes up, primary: node 0 (127.0.0.1:15432)" {
		t.Errorf("summary %q", l.Summary())
	}
	q := healthy()
	q.Nodes[0].Info.Status, q.Nodes[0].Info.Quarantine = 3, true
	if q.Summary() != "2/3 nodes up, no primary" {
		t.Errorf("summary %q", q.Summary())
	}
	if got := q.Warnings(); len(got) != 3 || !strings.Contains(got[0], "quarantined") || got[2] != "no primary node is up" {
		t.Errorf("quarantine warnings %q", got)
	}
}

func TestEnrichedPrinters(t *testing.T) {
	l := healthy()
	l.SQL, l.Backends = true, true
	lag := int64(4096)
	l.Nodes[0].SQL = &SQLNode{SelectCnt: 12, LoadBalanceNode: false}
	l.Nodes[1].SQL = &SQLNode{SelectCnt: 7, LoadBalanceNode: true}
	l.Nodes[0].Backend = &BackendCheck{Reachable: true}
	l.Nodes[1].Backend = &BackendCheck{Reachable: true, InRecovery: true, ReplayLag: &lag}
	l.Nodes[2].Backend = &BackendCheck{Error: "dial tcp 127.0.0.1:15434: connect: connection refused"}
	for _, f := range []string{"table", "json"} {
		var b bytes.Buffer
		if err := Print(&b, Format(f), l); err != nil {
			t.Fatal(err)
		}
		golden(t, "nodes_enriched."+f, b.Bytes())
	}
	if l.Healthy() {
		t.Error("unreachable backend counted as healthy")
	}
}

func TestWatchHighlight(t *testing.T) {
	prev, cur := healthy(), degraded()
	out := secondFrame(t, prev, cur)
	for _, want := range []string{"<3 down !>", "<standby !>", "<16384 B>", "<primary>"} {
		if !strings.Contains(out, want) {
			t.Errorf("%s not highlighted:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<0>") || strings.Contains(out, "<127.0.0.1:15432>") {
		t.Errorf("unchanged cells highlighted:\n%s", out)
	}
}

func TestParseFormat(t *testing.T) {
	if f, _ := ParseFormat("", true); f != FormatTable {
		t.Error("tty default is not table")
	}
	if f, _ := ParseFormat("", false); f != FormatPlain {
		t.Error("pipe default is not plain")
	}
	if _, err := ParseFormat("xml", true); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("xml: %v", err)
	}
}

// One standby on its own (node info) is not a cluster without a primary.
func TestPartialListHasNoClusterWarnings(t *testing.T) {
	standby := pcptest.ThreeNodes()[1:2]
	l := NewNodeList(standby, time.UTC)
	if w := strings.Join(l.Warnings(), "; "); !strings.Contains(w, "no primary node is up") {
		t.Fatalf("whole-list warnings: %q", w)
	}
	l.Partial = true
	if w := l.Warnings(); len(w) != 0 {
		t.Errorf("partial list warns: %q", w)
	}
}

// Tables are reused: a table drawn after a wider one must come out as if
// drawn first.
func TestRenderTableReuse(t *testing.T) {
	wide := [][]string{{"a-very-long-cell-value", "x"}, {"y", "another-long-one"}}
	narrow := [][]string{{"1", "2"}}
	var fresh bytes.Buffer
	if err := renderTable(&fresh, []string{"h1", "h2"}, narrow); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		var a, b bytes.Buffer
		if err := renderTable(&a, []string{"first", "second", "third"}, wide); err != nil {
			t.Fatal(err)
		}
		if err := renderTable(&b, []string{"h1", "h2"}, narrow); err != nil {
			t.Fatal(err)
		}
		if b.String() != fresh.String() {
			t.Fatalf("after a wider table:\n%s\nwant\n%s", b.String(), fresh.String())
		}
	}
}

// A 4.4+ server under delay_threshold_by_time sends microseconds; every
// machine-readable format must say the number is seconds, not bytes.
func TestDelayUnitInEveryFormat(t *testing.T) {
	byTime := func() *NodeList {
		n := pcptest.ThreeNodes()
		for i := range n {
			n[i].DelayByTime = true
		}
		n[1].Delay = 1500000
		return NewNodeList(n, utc3)
	}
	for _, c := range []struct {
		l          *NodeList
		unit, json string
	}{
		{healthy(), "bytes", `"replication_delay": 0,`},
		{byTime(), "seconds", `"replication_delay": 1.5,`},
	} {
		var j, y, cs bytes.Buffer
		Print(&j, FormatJSON, c.l)
		Print(&y, FormatYAML, c.l)
		Print(&cs, FormatCSV, c.l)
		if !strings.Contains(j.String(), `"replication_delay_unit": "`+c.unit+`"`) || !strings.Contains(j.String(), c.json) {
			t.Errorf("json lacks unit %s / %s:\n%s", c.unit, c.json, j.String())
		}
		if !strings.Contains(y.String(), "replication_delay_unit: "+c.unit) {
			t.Errorf("yaml lacks unit %s:\n%s", c.unit, y.String())
		}
		rows, err := csv.NewReader(&cs).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for i, k := range rows[0] {
			if k == "replication_delay_unit" {
				col = i
			}
		}
		if col < 0 || rows[2][col] != c.unit {
			t.Errorf("csv unit column %d in %q, want %s", col, rows, c.unit)
		}
	}
}

package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pcpctl/pcpctl/health"
)

// secondFrame is what a terminal watch draws for cur after prev, changed
// cells marked <like this>.
func secondFrame(t *testing.T, prev, cur Streamable) string {
	t.Helper()
	var b bytes.Buffer
	s, err := NewStream(FormatTable, StreamOptions{Out: &b, ErrOut: &b, Title: "watch", TTY: true,
		Highlight: func(s string) string { return "<" + s + ">" }})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)
	if err := s.Frame(now, prev, ""); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := s.Frame(now, cur, ""); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// watchOut is what one refresh of a watch carried, parsed back from the
// format it was written in.
type watchOut struct {
	// keys are the record keys: the column header of csv, tsv (and plain,
	// which has none: its width is checked against tsv's); for json and
	// yaml every key path of the frame, and under rows the keys of the
	// value's records.
	keys     []string
	rowKeys  []string
	rows     int
	warnings []string
}

// parseWatch reads one frame of format f back; rows names the frame's
// list of records in json and yaml ("" when the document has none).
func parseWatch(t *testing.T, f Format, out, errOut, rows string) watchOut {
	t.Helper()
	var w watchOut
	stderrWarnings := func() {
		for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
			if _, msg, ok := strings.Cut(l, " warning: "); ok && strings.HasPrefix(l, "pcpctl: 2025-11-24T16:00:00Z") {
				w.warnings = append(w.warnings, msg)
			}
		}
	}
	switch f {
	case FormatTable:
		for _, l := range strings.Split(out, "\n") {
			if msg, ok := strings.CutPrefix(l, "warning: "); ok {
				w.warnings = append(w.warnings, msg)
			}
		}
		if !strings.Contains(out, "    2025-11-24T16:00:00Z\n") {
			t.Errorf("table frame without its time:\n%s", out)
		}
	case FormatJSON, FormatYAML:
		var doc map[string]any
		if f == FormatJSON {
			if strings.Count(out, "\n") != 1 {
				t.Errorf("json frame is not one line: %q", out)
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
		} else {
			if !strings.HasPrefix(out, "---\n") {
				t.Errorf("yaml frame does not start a document: %q", out)
			}
			if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("yaml: %v\n%s", err, out)
			}
		}
		w.keys = keyPaths("", doc)
		if rows != "" {
			list, _ := doc[rows].([]any)
			w.rows = len(list)
			for _, r := range list {
				w.rowKeys = keyPaths("", r.(map[string]any))
			}
			// The frame's time is the csv rows' time column.
			w.rowKeys = slices.Sorted(slices.Values(append(w.rowKeys, "time")))
		}
		ws, ok := doc["warnings"].([]any)
		if !ok {
			t.Errorf("%s frame without a warnings list: %v", f, doc["warnings"])
		}
		for _, m := range ws {
			w.warnings = append(w.warnings, m.(map[string]any)["message"].(string))
		}
		if doc["time"] != "2025-11-24T16:00:00Z" {
			t.Errorf("%s frame time %v", f, doc["time"])
		}
	case FormatCSV, FormatTSV:
		r := csv.NewReader(strings.NewReader(out))
		if f == FormatTSV {
			r.Comma, r.LazyQuotes = '\t', true
		}
		recs, err := r.ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
		w.keys, w.rowKeys, w.rows = recs[0], recs[0], len(recs)-1
		stderrWarnings()
	case FormatPlain:
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		w.rows = len(lines)
		for _, l := range lines {
			w.keys = make([]string, len(strings.Split(l, "\t"))) // widths only
		}
		stderrWarnings()
	}
	return w
}

// keyPaths lists every key of doc, nested ones as a.b (lists of records
// as a[].b), in sorted order.
func keyPaths(prefix string, doc map[string]any) []string {
	var paths []string
	for k, v := range doc {
		p := prefix + k
		paths = append(paths, p)
		switch x := v.(type) {
		case map[string]any:
			paths = append(paths, keyPaths(p+".", x)...)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					paths = append(paths, keyPaths(p+"[].", m)...)
				}
			}
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// TestWatchFormatsCarryTheSameKeysAndWarnings runs one stream per format
// over the same refreshes and reads each back: json and yaml carry the
// same keys at every depth, csv, tsv and plain the same columns, the node
// list's json and yaml records the keys of its csv rows, and every format
// the same warnings, which are the health rules' findings.
func TestWatchFormatsCarryTheSameKeysAndWarnings(t *testing.T) {
	enriched := healthy()
	enriched.SQL, enriched.Backends = true, true
	enriched.Nodes[2].Backend = &BackendCheck{Error: "connection refused"}
	for _, c := range []struct {
		name   string
		frames []Streamable
		// rows is the list in the json frame that holds the csv rows.
		rows string
	}{
		{"nodes", []Streamable{healthy(), degraded(), enriched}, "nodes"},
		{"cluster", []Streamable{trioCluster(), splitCluster()}, ""},
	} {
		for i, v := range c.frames {
			got := map[Format]watchOut{}
			for _, f := range Formats {
				for _, tty := range []bool{false, true} {
					if tty && f != "table" {
						continue
					}
					var out, errOut bytes.Buffer
					s, err := NewStream(Format(f), StreamOptions{Out: &out, ErrOut: &errOut, Title: "Every 2s: test", TTY: tty,
						Clear: "\x1b[H\x1b[2J", Highlight: func(s string) string { return "<" + s + ">" }})
					if err != nil {
						t.Fatal(err)
					}
					now := time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)
					// Twice: the second frame is the one a stream repeats
					// (csv's header once, the table's highlighting).
					for range 2 {
						out.Reset()
						errOut.Reset()
						if err := s.Frame(now, v, ""); err != nil {
							t.Fatal(err)
						}
					}
					if f == "csv" || f == "tsv" {
						if strings.Contains(out.String(), "time") {
							t.Errorf("%s %d: %s header repeated", c.name, i, f)
						}
						// Read back with the header of the first frame.
						out.Reset()
						errOut.Reset()
						s, _ = NewStream(Format(f), StreamOptions{Out: &out, ErrOut: &errOut})
						s.Frame(now, v, "")
					}
					got[Format(f)] = parseWatch(t, Format(f), out.String(), errOut.String(), c.rows)
				}
			}
			want := v.(interface{ Warnings() []string }).Warnings()
			if (i > 0) != (len(want) > 0) {
				t.Fatalf("%s %d: fixture warnings %q", c.name, i, want)
			}
			for f, w := range got {
				if !slices.Equal(w.warnings, want) {
					t.Errorf("%s %d: %s warnings %q, want %q", c.name, i, f, w.warnings, want)
				}
			}
			if j, y := got[FormatJSON], got[FormatYAML]; !slices.Equal(j.keys, y.keys) || !slices.Equal(j.rowKeys, y.rowKeys) || j.rows != y.rows {
				t.Errorf("%s %d: json keys %q\nyaml keys %q", c.name, i, j.keys, y.keys)
			}
			csvOut, tsvOut, plain := got[FormatCSV], got[FormatTSV], got[FormatPlain]
			if csvOut.keys[0] != "time" || !slices.Equal(csvOut.keys, tsvOut.keys) || len(plain.keys) != len(csvOut.keys) ||
				csvOut.rows != tsvOut.rows || plain.rows != csvOut.rows {
				t.Errorf("%s %d: csv %q (%d rows), tsv %q (%d), plain %d columns (%d)", c.name, i, csvOut.keys, csvOut.rows, tsvOut.keys, tsvOut.rows, len(plain.keys), plain.rows)
			}
			if c.rows != "" {
				if j := got[FormatJSON]; !slices.Equal(j.rowKeys, slices.Sorted(slices.Values(csvOut.keys))) || j.rows != csvOut.rows {
					t.Errorf("%s %d: json records %q (%d), csv rows %q (%d)", c.name, i, j.rowKeys, j.rows, csvOut.keys, csvOut.rows)
				}
			}
		}
	}
}

// counted counts the health rules' runs of the value it wraps.
type counted struct {
	Streamable
	n int
}

func (c *counted) Findings() []health.Finding { c.n++; return c.Streamable.Findings() }

// TestOnePrintJudgesOnce: the findings are the costly part of a draw, so
// a printer computes them at most once (plain, csv and tsv carry none),
// a watch frame exactly once.
func TestOnePrintJudgesOnce(t *testing.T) {
	for _, v := range []Streamable{splitCluster(), degraded()} {
		for _, f := range Formats {
			c := &counted{Streamable: v}
			if err := Print(io.Discard, Format(f), c); err != nil || c.n > 1 {
				t.Errorf("%T %s: %d runs (%v)", v, f, c.n, err)
			}
			c.n = 0
			s, _ := NewStream(Format(f), StreamOptions{Out: io.Discard, ErrOut: io.Discard, TTY: true, Highlight: strings.ToUpper})
			s.Frame(time.Now(), c, "")
			s.Frame(time.Now(), c, "")
			if c.n != 2 {
				t.Errorf("%T %s: %d runs in 2 frames", v, f, c.n)
			}
		}
	}
}

// TestCountIsBare: node count's number alone on a terminal and in a pipe,
// a record everywhere else.
func TestCountIsBare(t *testing.T) {
	for f, want := range map[Format]string{
		FormatTable: "3\n", FormatPlain: "3\n", FormatCSV: "node_count\n3\n", FormatTSV: "node_count\n3\n",
		FormatJSON: "{\n  \"node_count\": 3\n}\n", FormatYAML: "node_count: 3\n",
	} {
		var b bytes.Buffer
		if err := Print(&b, f, &Count{Key: "node_count", N: 3}); err != nil || b.String() != want {
			t.Errorf("%s: %q (%v), want %q", f, b.String(), err, want)
		}
	}
}

// TestDownIsTheSameRecordInJSONAndYAML: an unreachable refresh is one
// record in both document formats, a line on stderr in the row formats
// (which stay rows), and the last known table on a terminal.
func TestDownIsTheSameRecordInJSONAndYAML(t *testing.T) {
	now := time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)
	rec := Record{{"error", "connection refused"}, {"unreachable_seconds", int64(3)}}
	docs := map[Format]map[string]any{}
	for _, f := range Formats {
		var out, errOut bytes.Buffer
		s, _ := NewStream(Format(f), StreamOptions{Out: &out, ErrOut: &errOut, Title: "Every 1s: test", TTY: true, Highlight: strings.ToUpper})
		s.Frame(now, healthy(), "")
		out.Reset()
		if err := s.Down(now, "pgpool unreachable", rec); err != nil {
			t.Fatal(err)
		}
		switch Format(f) {
		case FormatJSON, FormatYAML:
			var d map[string]any
			if err := yaml.Unmarshal(out.Bytes(), &d); err != nil || errOut.Len() > 0 {
				t.Fatalf("%s: %v %q", f, err, errOut.String())
			}
			docs[Format(f)] = d
		case FormatTable:
			if !strings.Contains(out.String(), "last known state:\n") || !strings.HasSuffix(out.String(), "PGPOOL UNREACHABLE\n") {
				t.Errorf("table:\n%s", out.String())
			}
		default:
			if out.Len() > 0 || errOut.String() != "pcpctl: 2025-11-24T16:00:00Z pgpool unreachable\n" {
				t.Errorf("%s: out %q err %q", f, out.String(), errOut.String())
			}
		}
	}
	j, y := docs[FormatJSON], docs[FormatYAML]
	if len(j) != 3 || j["time"] != y["time"] || j["error"] != y["error"] || fmt.Sprint(j["unreachable_seconds"]) != fmt.Sprint(y["unreachable_seconds"]) {
		t.Errorf("json %v, yaml %v", j, y)
	}
}

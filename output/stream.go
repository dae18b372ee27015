package output

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/pcpctl/pcpctl/health"
)

// Streamable is a value a watch can show refresh after refresh.
type Streamable interface {
	Printable
	// Frame is one refresh as a record for json and yaml, before the
	// warnings: the stream appends those itself, so that no value can
	// leave them out of one format.
	Frame(findings []health.Finding) Record
}

// StreamOptions say where a watch goes and how it looks.
type StreamOptions struct {
	Out, ErrOut io.Writer
	// Title heads each table frame, the time after it ("Every 2s: pcpctl
	// node list, db1:9898").
	Title string
	// TTY is a terminal on Out: the table is redrawn in place (Clear
	// first) and cells that changed since the last refresh pass through
	// Highlight. The escapes come from the caller, which owns the
	// terminal.
	TTY       bool
	Clear     string
	Highlight func(string) string
}

// Stream is the one printer of every watch. Each format carries the same
// things every refresh: the time, the value's records and its warnings
// (table: below it; json lines and yaml documents: a warnings list;
// plain, csv, tsv: a time column and the warnings on ErrOut, since a
// row-per-line stream has no place for them).
type Stream struct {
	f      Format
	o      StreamOptions
	redraw bool
	// prev is the last table drawn, for highlighting and for the last
	// known state while the source is unreachable.
	prev *Table
	// header says the csv or tsv header was written (once per stream).
	header bool
}

// NewStream checks f and starts a stream.
func NewStream(f Format, o StreamOptions) (*Stream, error) {
	if _, err := NewPrinter(f); err != nil {
		return nil, err
	}
	return &Stream{f: f, o: o, redraw: o.TTY && f == FormatTable}, nil
}

func (s *Stream) title(stamp string) string { return s.o.Title + "    " + stamp + "\n" }

// Frame writes one refresh of v. A note (such as "reachable again") goes
// below the table, or to ErrOut in the other formats.
func (s *Stream) Frame(now time.Time, v Streamable, note string) error {
	stamp := now.Format(time.RFC3339)
	findings := v.Findings()
	var b bytes.Buffer
	switch s.f {
	case FormatTable:
		t := v.Table(findings)
		var cell func(r, c int, v string) string
		if s.redraw {
			b.WriteString(s.o.Clear)
			cell = s.diff(&t)
		}
		b.WriteString(s.title(stamp) + "\n")
		if err := writeTable(&b, t, cell); err != nil {
			return err
		}
		if note != "" {
			b.WriteString(note + "\n")
		}
		if !s.redraw {
			b.WriteByte('\n')
		}
		s.prev = &t
	case FormatJSON, FormatYAML:
		rec := append(Record{{"time", stamp}}, v.Frame(findings)...)
		rec = append(rec, Field{"warnings", warningRecords(findings)})
		if err := s.doc(&b, rec); err != nil {
			return err
		}
	default:
		recs := v.Records()
		for i := range recs {
			recs[i] = append(Record{{"time", stamp}}, recs[i]...)
		}
		if err := s.rows(&b, recs, append([]string{"time"}, v.Keys()...)); err != nil {
			return err
		}
		for _, w := range health.Texts(findings) {
			fmt.Fprintf(s.o.ErrOut, "pcpctl: %s warning: %s\n", stamp, w)
		}
	}
	if note != "" && s.f != FormatTable {
		fmt.Fprintf(s.o.ErrOut, "pcpctl: %s\n", note)
	}
	_, err := s.o.Out.Write(b.Bytes())
	return err
}

// Down writes a refresh that could not read the source: on a terminal the
// last known table and msg; in json and yaml rec (its time added); else
// msg on ErrOut, so that a row stream stays rows.
func (s *Stream) Down(now time.Time, msg string, rec Record) error {
	stamp := now.Format(time.RFC3339)
	var b bytes.Buffer
	switch {
	case s.redraw:
		b.WriteString(s.o.Clear + s.title(stamp) + "\n")
		if s.prev != nil {
			b.WriteString("last known state:\n")
			if err := writeTable(&b, *s.prev, nil); err != nil {
				return err
			}
		}
		b.WriteString(s.highlight(msg) + "\n")
	case s.f == FormatJSON || s.f == FormatYAML:
		if err := s.doc(&b, append(Record{{"time", stamp}}, rec...)); err != nil {
			return err
		}
	default:
		_, err := fmt.Fprintf(s.o.ErrOut, "pcpctl: %s %s\n", stamp, msg)
		return err
	}
	_, err := s.o.Out.Write(b.Bytes())
	return err
}

// End finishes the stream: a terminal's cursor leaves the redrawn frame.
// The watch is over, so a failed write has nobody left to tell.
func (s *Stream) End() {
	if s.redraw {
		io.WriteString(s.o.Out, "\n")
	}
}

// doc writes one json line or one yaml document.
func (s *Stream) doc(b *bytes.Buffer, rec Record) error {
	if s.f == FormatJSON {
		return WriteJSONLine(b, rec)
	}
	b.WriteString("---\n")
	return WriteYAML(b, rec)
}

// rows writes plain, csv or tsv rows; csv and tsv write the header once.
func (s *Stream) rows(b *bytes.Buffer, recs []Record, keys []string) error {
	if s.f == FormatPlain {
		return WritePlain(b, recs, keys)
	}
	var tmp bytes.Buffer
	if err := WriteDelimited(&tmp, recs, keys, s.f == FormatTSV); err != nil {
		return err
	}
	out := tmp.Bytes()
	if s.header {
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
	}
	s.header = true
	b.Write(out)
	return nil
}

func (s *Stream) highlight(v string) string {
	if s.o.Highlight == nil {
		return v
	}
	return s.o.Highlight(v)
}

// diff highlights the cells of t that differ from the last table's cell
// in the same row (by id) and column. Tables of another shape (a pgpool
// more or less) are not compared.
func (s *Stream) diff(t *Table) func(r, c int, v string) string {
	prev := s.prev
	if prev == nil || s.o.Highlight == nil || len(prev.Header) != len(t.Header) {
		return nil
	}
	old := map[int][]string{}
	for r, row := range prev.Rows {
		old[rowID(prev, r)] = row
	}
	return func(r, c int, v string) string {
		o, ok := old[rowID(t, r)]
		if ok && c < len(o) && o[c] != v {
			return s.o.Highlight(v)
		}
		return v
	}
}

func rowID(t *Table, r int) int {
	if t.IDs != nil {
		return t.IDs[r]
	}
	return r
}

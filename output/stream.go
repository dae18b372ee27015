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
	o StreamOptions
	// table: notes go below it; redraw: in place, on a terminal.
	table, redraw bool
	// frame writes one refresh in the stream's format; encode is the
	// json or yaml encoder (nil in the other formats).
	frame  func(b *bytes.Buffer, stamp string, v Streamable, findings []health.Finding) error
	encode func(b *bytes.Buffer, rec Record) error
	// prev is the last table drawn, for highlighting and for the last
	// known state while the source is unreachable.
	prev *Table
	// rowsOf writes plain, csv or tsv rows; header says the csv or tsv
	// header was written (once per stream).
	rowsOf func(b *bytes.Buffer, recs []Record, keys []string) error
	header bool
}

// NewStream picks the stream's frame writer for f, once.
func NewStream(f Format, o StreamOptions) (*Stream, error) {
	s := &Stream{o: o}
	switch f {
	case FormatTable:
		s.frame, s.table, s.redraw = s.tableFrame, true, o.TTY
	case FormatJSON:
		s.frame, s.encode = s.docFrame, func(b *bytes.Buffer, rec Record) error { return WriteJSONLine(b, rec) }
	case FormatYAML:
		s.frame, s.encode = s.docFrame, func(b *bytes.Buffer, rec Record) error {
			b.WriteString("---\n")
			return WriteYAML(b, rec)
		}
	case FormatPlain:
		s.frame, s.rowsOf = s.rowFrame, func(b *bytes.Buffer, recs []Record, keys []string) error { return WritePlain(b, recs, keys) }
	case FormatCSV, FormatTSV:
		tsv := f == FormatTSV
		s.frame, s.rowsOf = s.rowFrame, func(b *bytes.Buffer, recs []Record, keys []string) error { return s.delimited(b, recs, keys, tsv) }
	default:
		return nil, fmt.Errorf("unknown format %q", f)
	}
	return s, nil
}

func (s *Stream) title(stamp string) string { return s.o.Title + "    " + stamp + "\n" }

// Frame writes one refresh of v. A note (such as "reachable again") goes
// below the table, or to ErrOut in the other formats.
func (s *Stream) Frame(now time.Time, v Streamable, note string) error {
	stamp := now.Format(time.RFC3339)
	var b bytes.Buffer
	if err := s.frame(&b, stamp, v, v.Findings()); err != nil {
		return err
	}
	switch {
	case note == "":
	case s.table:
		b.WriteString(note + "\n")
	default:
		fmt.Fprintf(s.o.ErrOut, "pcpctl: %s\n", note)
	}
	if s.table && !s.redraw {
		b.WriteByte('\n')
	}
	_, err := s.o.Out.Write(b.Bytes())
	return err
}

func (s *Stream) tableFrame(b *bytes.Buffer, stamp string, v Streamable, findings []health.Finding) error {
	t := v.Table(findings)
	var cell func(r, c int, v string) string
	if s.redraw {
		b.WriteString(s.o.Clear)
		cell = s.diff(&t)
	}
	b.WriteString(s.title(stamp) + "\n")
	s.prev = &t
	return writeTable(b, t, cell)
}

func (s *Stream) docFrame(b *bytes.Buffer, stamp string, v Streamable, findings []health.Finding) error {
	rec := append(Record{{"time", stamp}}, v.Frame(findings)...)
	return s.encode(b, append(rec, Field{"warnings", warningRecords(findings)}))
}

func (s *Stream) rowFrame(b *bytes.Buffer, stamp string, v Streamable, findings []health.Finding) error {
	recs := v.Records()
	for i := range recs {
		recs[i] = append(Record{{"time", stamp}}, recs[i]...)
	}
	if err := s.rowsOf(b, recs, append([]string{"time"}, v.Keys()...)); err != nil {
		return err
	}
	for _, w := range health.Texts(findings) {
		fmt.Fprintf(s.o.ErrOut, "pcpctl: %s warning: %s\n", stamp, w)
	}
	return nil
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
	case s.encode != nil:
		if err := s.encode(&b, append(Record{{"time", stamp}}, rec...)); err != nil {
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

// delimited writes csv or tsv rows, the header once per stream.
func (s *Stream) delimited(b *bytes.Buffer, recs []Record, keys []string, tsv bool) error {
	var tmp bytes.Buffer
	if err := WriteDelimited(&tmp, recs, keys, tsv); err != nil {
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

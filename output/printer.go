package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/pcpctl/pcpctl/health"
)

// Printable is a value every printer can show. Each form is built from
// the same value, so the formats cannot disagree on what they show; the
// findings are computed once per print (Findings) and handed to the forms
// that carry them, because the health rules are the costly part of a
// draw.
type Printable interface {
	// Findings are the health rules' findings; nil for a value no rule
	// judges.
	Findings() []health.Finding
	// Records is the flat form (plain, csv, tsv): one record per row,
	// read in the order of Keys.
	Records() []Record
	Keys() []string
	// Document is the whole value for json and yaml: a Record or a
	// []Record.
	Document(findings []health.Finding) any
	// Table is the form for a person.
	Table(findings []health.Finding) Table
}

// Table is a drawn table and the lines around it.
type Table struct {
	// Title lines come before the table.
	Title  []string
	Header []string
	Rows   [][]string
	// IDs name the rows for watch highlighting, so that a row is compared
	// with the same backend's row of the last refresh; nil compares rows
	// by position.
	IDs []int
	// Notes come after it: summary, legend, warnings.
	Notes []string
}

// Printer writes a value in one format.
type Printer interface {
	Print(w io.Writer, v Printable) error
}

// NewPrinter is the one place a format picks its printer.
func NewPrinter(f Format) (Printer, error) {
	switch f {
	case FormatTable:
		return tablePrinter{}, nil
	case FormatPlain:
		return plainPrinter{}, nil
	case FormatJSON:
		return jsonPrinter{}, nil
	case FormatYAML:
		return yamlPrinter{}, nil
	case FormatCSV:
		return delimitedPrinter{}, nil
	case FormatTSV:
		return delimitedPrinter{tsv: true}, nil
	}
	return nil, fmt.Errorf("unknown format %q", f)
}

// Print writes v in format f.
func Print(w io.Writer, f Format, v Printable) error {
	p, err := NewPrinter(f)
	if err != nil {
		return err
	}
	return p.Print(w, v)
}

type tablePrinter struct{}

func (tablePrinter) Print(w io.Writer, v Printable) error {
	return writeTable(w, v.Table(v.Findings()), nil)
}

// writeTable draws t; cell, when set, may rewrite each cell (watch
// highlighting) after the notes were worked out from the plain cells.
func writeTable(w io.Writer, t Table, cell func(row, col int, s string) string) error {
	var b strings.Builder
	for _, l := range t.Title {
		b.WriteString(l + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if t.Header != nil {
		rows := t.Rows
		if cell != nil {
			rows = make([][]string, len(t.Rows))
			for r, row := range t.Rows {
				rows[r] = make([]string, len(row))
				for c, s := range row {
					rows[r][c] = cell(r, c, s)
				}
			}
		}
		if err := renderTable(w, t.Header, rows); err != nil {
			return err
		}
	}
	b.Reset()
	for _, l := range t.Notes {
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type plainPrinter struct{}

func (plainPrinter) Print(w io.Writer, v Printable) error {
	return WritePlain(w, v.Records(), v.Keys())
}

type jsonPrinter struct{}

func (jsonPrinter) Print(w io.Writer, v Printable) error {
	return WriteJSON(w, v.Document(v.Findings()))
}

type yamlPrinter struct{}

func (yamlPrinter) Print(w io.Writer, v Printable) error {
	return WriteYAML(w, v.Document(v.Findings()))
}

type delimitedPrinter struct{ tsv bool }

func (p delimitedPrinter) Print(w io.Writer, v Printable) error {
	return WriteDelimited(w, v.Records(), v.Keys(), p.tsv)
}

// warningLines are the findings as the table's closing lines.
func warningLines(findings []health.Finding) []string {
	ws := health.Texts(findings)
	lines := make([]string, len(ws))
	for i, w := range ws {
		lines[i] = "warning: " + w
	}
	return lines
}

// warningRecords are the findings as json and yaml carry them: a list,
// empty when healthy, so a reader need not tell null from none.
func warningRecords(findings []health.Finding) []Record {
	ws := health.Texts(findings)
	recs := make([]Record, len(ws))
	for i, t := range ws {
		recs[i] = Record{{"message", t}}
	}
	return recs
}

// Judged is v with its findings computed once, for a caller that acts on
// them after printing (--check, the warnings on stderr): the printers then
// reuse them instead of judging v again.
func Judged(v Printable) (Printable, []health.Finding) {
	f := v.Findings()
	return judged{v, f}, f
}

type judged struct {
	Printable
	findings []health.Finding
}

func (j judged) Findings() []health.Finding { return j.findings }

// Single shows a one-element value (node info, a process, one node's
// health) as an object, not a list of one, in json and yaml; every other
// form is v's own.
func Single(v Printable) Printable { return single{v} }

type single struct{ Printable }

func (s single) Document(findings []health.Finding) any {
	d := s.Printable.Document(findings)
	if l, ok := d.([]Record); ok && len(l) == 1 {
		return l[0]
	}
	return d
}

// Records is a list of records with no rules of its own: process info,
// pool config, health check statistics.
type Records struct {
	List []Record
	// Fields is the column order of List.
	Fields []string
	// TableFields are the table's columns (nil: Fields) and Header their
	// titles.
	TableFields []string
	Header      []string
	// Whole, when set, is the json and yaml document instead of List.
	Whole Record
}

func (r *Records) Findings() []health.Finding { return nil }
func (r *Records) Records() []Record          { return r.List }
func (r *Records) Keys() []string             { return r.Fields }

func (r *Records) Document([]health.Finding) any {
	if r.Whole != nil {
		return r.Whole
	}
	return r.List
}

func (r *Records) Table([]health.Finding) Table {
	keys := r.TableFields
	if keys == nil {
		keys = r.Fields
	}
	rows := make([][]string, len(r.List))
	for i, rec := range r.List {
		row := make([]string, len(keys))
		for j, k := range keys {
			row[j] = dash(scalar(rec.Get(k)))
		}
		rows[i] = row
	}
	return Table{Header: r.Header, Rows: rows}
}

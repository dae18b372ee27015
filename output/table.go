package output

import (
	"bytes"
	"io"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// pooledTable is a configured table and the buffer it draws into, reused
// across watch-mode redraws so each one does not build a table again.
type pooledTable struct {
	t   *tablewriter.Table
	buf bytes.Buffer
}

var tables = sync.Pool{New: func() any {
	p := &pooledTable{}
	p.t = tablewriter.NewTable(&p.buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	return p
}}

// renderTable draws a light box table with left-aligned, unformatted
// headers. ANSI escapes in cells (watch highlighting) do not count toward
// widths.
func renderTable(w io.Writer, header []string, rows [][]string) error {
	p := tables.Get().(*pooledTable)
	defer tables.Put(p)
	p.t.Reset()
	p.buf.Reset()
	p.t.Header(header)
	if err := p.t.Bulk(rows); err != nil {
		return err
	}
	if err := p.t.Render(); err != nil {
		return err
	}
	_, err := w.Write(p.buf.Bytes())
	return err
}

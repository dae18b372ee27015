package status

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
)

// watchRun redraws until ctx ends (Ctrl-C). Each refresh opens one short
// session per pgpool, concurrently, and closes it: pgpool completes a
// failover or failback only once every PCP session has ended, so sessions
// held between refreshes would stall the very change being watched. An
// unreachable pgpool costs at most one timeout per refresh and is shown as
// such; the others keep refreshing.
func watchRun(ctx context.Context, o *StatusOptions) error {
	var prev *output.Cluster
	for first := true; ; first = false {
		now := o.Now()
		c := Fetch(ctx, o.Factory, o.Targets, o.Loc, first)
		if ctx.Err() != nil {
			break
		}
		c.Context = o.Context
		if err := render(o, now, c, prev); err != nil {
			return err
		}
		prev = c
		select {
		case <-ctx.Done():
		case <-time.After(o.Watch):
			continue
		}
		break
	}
	if o.IO.IsStdoutTTY() && o.Format == output.FormatTable {
		io.WriteString(o.IO.Out, "\n")
	}
	return nil
}

func render(o *StatusOptions, now time.Time, c, prev *output.Cluster) error {
	var b bytes.Buffer
	stamp := now.Format(time.RFC3339)
	header := fmt.Sprintf("Every %s: pcpctl cluster status, %d pgpools    %s\n\n", o.Watch, len(o.Targets), stamp)
	switch {
	case o.Format == output.FormatTable && o.IO.IsStdoutTTY():
		b.WriteString(iostreams.ClearScreen + header)
		hl := func(s string) string { return iostreams.HighlightOn + s + iostreams.HighlightOff }
		if err := c.WriteTableDiff(&b, prev, hl); err != nil {
			return err
		}
	case o.Format == output.FormatTable:
		b.WriteString(header)
		if err := c.WriteTableDiff(&b, nil, nil); err != nil {
			return err
		}
		b.WriteByte('\n')
	case o.Format == output.FormatJSON:
		rec := append(output.Record{{Key: "time", Value: stamp}}, c.Record()...)
		if err := output.WriteJSONLine(&b, rec); err != nil {
			return err
		}
	case o.Format == output.FormatYAML:
		b.WriteString("---\n")
		rec := append(output.Record{{Key: "time", Value: stamp}}, c.Record()...)
		if err := output.WriteYAML(&b, rec); err != nil {
			return err
		}
	default: // plain, csv, tsv: rows with a leading time column
		recs := c.Rows()
		for i := range recs {
			recs[i] = append(output.Record{{Key: "time", Value: stamp}}, recs[i]...)
		}
		keys := append([]string{"time"}, output.ClusterRowKeys...)
		if o.Format == output.FormatPlain {
			if err := output.WritePlain(&b, recs, keys); err != nil {
				return err
			}
		} else {
			var tmp bytes.Buffer
			if err := output.WriteDelimited(&tmp, recs, keys, o.Format == output.FormatTSV); err != nil {
				return err
			}
			out := tmp.Bytes()
			if prev != nil { // the header once
				if i := bytes.IndexByte(out, '\n'); i >= 0 {
					out = out[i+1:]
				}
			}
			b.Write(out)
		}
		for _, w := range c.Warnings() {
			fmt.Fprintf(o.IO.ErrOut, "pcpctl: %s warning: %s\n", stamp, w)
		}
	}
	_, err := o.IO.Out.Write(b.Bytes())
	return err
}

// Package info implements "pcpctl process info <pid>".
package info

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// InfoOptions are process info's inputs.
type InfoOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	PID      int
	Format   output.Format
}

// NewCmdInfo builds the command; runF replaces the run function in tests.
func NewCmdInfo(f *factory.Factory, runF func(context.Context, *InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "info <pid>",
		Short: "Show every connection slot of one child process (pcp_proc_info -a -P)",
		Example: `  pcpctl process info 4242
  pcpctl process info 4242 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.PID, err = strconv.Atoi(args[0]); err != nil || opts.PID <= 0 {
				return exitcode.Usage(fmt.Errorf("invalid process id %q: want a positive number (pcpctl process list shows them)", args[0]))
			}
			if opts.Format, opts.Settings, err = cmdutil.Prepare(f, format, f.IOStreams.IsStdoutTTY()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return infoRun(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func infoRun(ctx context.Context, o *InfoOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var slots []pcp.ProcessSlot
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		slots, err = c.ProcessInfo(ctx, o.PID)
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	recs := make([]output.Record, len(slots))
	for i := range slots {
		recs[i] = output.ProcessSlot(&slots[i])
	}
	v := &output.Records{List: recs, Fields: output.ProcessSlotKeys, Header: output.ProcessSlotHeader}
	if len(recs) > 0 {
		// One object for the process, its slots inside.
		first := recs[0]
		v.Whole = output.Record{
			{Key: "pid", Value: first.Get("pid")},
			{Key: "process_start_time", Value: first.Get("process_start_time")},
			{Key: "status", Value: first.Get("status")},
			{Key: "client_connection_count", Value: first.Get("client_connection_count")},
			{Key: "slots", Value: recs},
		}
	}
	return output.Print(o.IO.Out, o.Format, v)
}

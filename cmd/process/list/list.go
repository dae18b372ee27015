// Package list implements "pcpctl process list".
package list

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// ListOptions are process list's inputs.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	Format   output.Format
	// Slots lists every connection slot instead of one row per child.
	Slots bool
}

// NewCmdList builds the command; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List pgpool's child processes (pcp_proc_count and pcp_proc_info)",
		Long: `List pgpool's child processes, one row each in pgpool's order: start time,
status, client connections served, the connected client's database and
user, and the pids of its backend connections. --slots shows every
connection slot of every child instead (pcp_proc_info -a).`,
		Example: `  pcpctl process list
  pcpctl process list --slots -o json`,
		Args: cobra.NoArgs,
		RunE: cmdutil.ReadRunE(f, &format, true, &opts.Format, &opts.Settings, opts, runF, listRun),
	}
	cmdutil.FormatFlag(cmd, &format)
	cmd.Flags().BoolVar(&opts.Slots, "slots", false, "one row per connection slot (pool id) instead of per process")
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var pids []int
	var slots []pcp.ProcessSlot
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		if pids, err = c.ProcessCount(ctx); err != nil {
			return exitcode.FromClient(err)
		}
		slots, err = c.ProcessInfo(ctx, 0)
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	if o.Slots {
		recs := make([]output.Record, len(slots))
		for i := range slots {
			recs[i] = output.ProcessSlot(&slots[i])
		}
		return output.Print(o.IO.Out, o.Format, &output.Records{List: recs, Fields: output.ProcessSlotKeys, Header: output.ProcessSlotHeader})
	}
	recs := output.Processes(pids, slots)
	if err := output.Print(o.IO.Out, o.Format, &output.Records{List: recs, Fields: output.ProcessKeys, Header: output.ProcessHeader}); err != nil {
		return err
	}
	if o.Format == output.FormatTable {
		busy := 0
		for _, r := range recs {
			if r.Get("database") != nil {
				busy++
			}
		}
		_, err = fmt.Fprintf(o.IO.Out, "%d child processes, %d with a client\n", len(recs), busy)
	}
	return err
}

// Package health implements "pcpctl node health [node-id]".
package health

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// HealthOptions are node health's inputs.
type HealthOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	// ID is the node, or -1 for every node.
	ID     int
	Format output.Format
}

// NewCmdHealth builds the command; runF replaces the run function in tests.
func NewCmdHealth(f *factory.Factory, runF func(context.Context, *HealthOptions) error) *cobra.Command {
	opts := &HealthOptions{IO: f.IOStreams, Factory: f, ID: -1}
	var format string
	cmd := &cobra.Command{
		Use:   "health [node-id]",
		Short: "Show health check statistics of every backend, or of one (pcp_health_check_stats)",
		Long: `Show pgpool's health check statistics: counts of checks, successes,
failures, skips and retries, durations in milliseconds, and when the last
check, success, skip and failure happened (pgpool's local time). The table
shows the main columns; plain, json, yaml, csv and tsv carry all twenty.`,
		Example: `  pcpctl node health
  pcpctl node health 1 -o yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return exitcode.Usage(fmt.Errorf("%s takes at most one node id, got %d arguments", cmd.CommandPath(), len(args)))
			}
			// Set on every call: root probes validators with a dummy
			// argument before the real one (JoinOptionalValues).
			var err error
			opts.ID = -1
			if len(args) == 1 {
				opts.ID, err = factory.NodeID(args[0])
			}
			return err
		},
		ValidArgsFunction: shared.CompleteNodeIDs(f),
		RunE:              cmdutil.ReadRunE(f, &format, true, &opts.Format, &opts.Settings, opts, runF, healthRun),
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func healthRun(ctx context.Context, o *HealthOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var recs []output.Record
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) error {
		n, err := c.NodeCount(ctx)
		if err != nil {
			return exitcode.FromClient(err)
		}
		ids := []int{o.ID}
		if o.ID < 0 {
			ids = make([]int, n)
			for i := range ids {
				ids[i] = i
			}
		} else if err := shared.CheckNodeID(o.ID, make([]pcp.NodeInfo, n)); err != nil {
			return err
		}
		recs = make([]output.Record, 0, len(ids))
		for _, id := range ids {
			f, err := c.HealthCheckStats(ctx, id)
			if err != nil {
				return exitcode.FromClient(err)
			}
			recs = append(recs, output.HealthRecord(f))
		}
		return nil
	})
	if err != nil {
		return err
	}
	var v output.Printable = output.HealthList(recs)
	if o.ID >= 0 {
		v = output.Single(v)
	}
	return output.Print(o.IO.Out, o.Format, v)
}

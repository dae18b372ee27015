// Package count implements "pcpctl node count".
package count

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
)

// CountOptions are node count's inputs.
type CountOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	Format   output.Format
}

// NewCmdCount builds the command; runF replaces the run function in tests.
func NewCmdCount(f *factory.Factory, runF func(context.Context, *CountOptions) error) *cobra.Command {
	opts := &CountOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "count",
		Short: "Print the number of configured backends",
		Args:  cobra.NoArgs,
		RunE:  cmdutil.ReadRunE(f, &format, false, &opts.Format, &opts.Settings, opts, runF, countRun),
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func countRun(ctx context.Context, o *CountOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var n int
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		n, err = c.NodeCount(ctx)
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	return output.Print(o.IO.Out, o.Format, &output.Count{Key: "node_count", N: n})
}

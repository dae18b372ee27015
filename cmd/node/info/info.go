// Package info implements "pcpctl node info <id>".
package info

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// InfoOptions are node info's inputs.
type InfoOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	ID       int
	Format   output.Format
	Loc      *time.Location
}

// NewCmdInfo builds the command; runF replaces the run function in tests.
func NewCmdInfo(f *factory.Factory, runF func(context.Context, *InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "info <node-id>",
		Short: "Show one backend (same columns as node list)",
		Example: `  pcpctl node info 1
  pcpctl node info 1 -o json`,
		Args:              factory.ExactNodeID(&opts.ID),
		ValidArgsFunction: shared.CompleteNodeIDs(f),
		RunE:              cmdutil.ReadRunE(f, &format, true, &opts.Format, &opts.Settings, opts, runF, infoRun),
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func infoRun(ctx context.Context, o *InfoOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var infos []pcp.NodeInfo
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		infos, err = c.NodeInfo(ctx, o.ID)
		if err != nil {
			if e, ok := exitcode.FromClient(err).(*exitcode.Error); ok && e.Code == exitcode.ServerError {
				// pgpool's "invalid node ID": say which ids exist.
				if n, cerr := c.NodeCount(ctx); cerr == nil && o.ID >= n {
					return shared.CheckNodeID(o.ID, make([]pcp.NodeInfo, n))
				}
			}
		}
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	if len(infos) != 1 {
		return &exitcode.Error{Code: exitcode.Protocol, Err: fmt.Errorf("pgpool sent %d records for node %d", len(infos), o.ID)}
	}
	l := output.NewNodeList(infos, o.Loc)
	l.Nodes[0].ID = o.ID
	l.Partial = true
	_, err = cmdutil.PrintJudged(o.IO, o.Format, output.Single(l))
	return err
}

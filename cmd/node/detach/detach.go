// Package detach implements "pcpctl node detach <id>".
package detach

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
)

// NewCmdDetach builds the command; runF replaces the run function in tests.
func NewCmdDetach(f *factory.Factory, runF func(context.Context, *shared.ActionOptions) error) *cobra.Command {
	opts := &shared.ActionOptions{IO: f.IOStreams, Factory: f, Action: shared.Detach}
	cmd := &cobra.Command{
		Use:   "detach <node-id>",
		Short: "Detach a backend from pgpool (refuses the primary and the last up node)",
		Long: `Ask pgpool to detach a backend (degenerate it). Without --force pcpctl refuses,
sending nothing, to detach the primary or the last node that is up. --wait
polls until the node is down; --graceful lets clients leave first.`,
		Example: `  pcpctl node detach 2 --wait
  pcpctl node detach 0 --force     # the primary: failover follows`,
		Args:              factory.ExactNodeID(&opts.ID),
		ValidArgsFunction: shared.CompleteNodeIDs(f),
	}
	shared.SetUpAction(cmd, f, opts, true, runF)
	cmd.Flags().BoolVarP(&opts.Graceful, "graceful", "g", false, "wait for clients to disconnect before detaching")
	return cmd
}

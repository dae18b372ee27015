// Package promote implements "pcpctl node promote <id>".
package promote

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
)

// NewCmdPromote builds the command; runF replaces the run function in tests.
func NewCmdPromote(f *factory.Factory, runF func(context.Context, *shared.ActionOptions) error) *cobra.Command {
	opts := &shared.ActionOptions{IO: f.IOStreams, Factory: f, Action: shared.Promote}
	cmd := &cobra.Command{
		Use:   "promote <node-id>",
		Short: "Make a standby the primary (refuses while another primary is up)",
		Long: `Tell pgpool to treat a backend as the new primary. With --switchover pgpool
detaches the current primary so that failover_command promotes the node.
Because that takes the role away from the current primary, pcpctl refuses
without --force while another primary is up, sending nothing. --wait polls
until pgpool reports the node as primary.`,
		Example:           `  pcpctl node promote 1 --switchover --force --wait`,
		Args:              factory.ExactNodeID,
		ValidArgsFunction: shared.CompleteNodeIDs(f),
	}
	shared.SetUpAction(cmd, f, opts, true, runF)
	cmd.Flags().BoolVarP(&opts.Switchover, "switchover", "s", false, "detach the current primary so that failover promotes this node")
	cmd.Flags().BoolVarP(&opts.Graceful, "graceful", "g", false, "wait for clients to disconnect first")
	return cmd
}

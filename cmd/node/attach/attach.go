// Package attach implements "pcpctl node attach <id>".
package attach

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
)

// NewCmdAttach builds the command; runF replaces the run function in tests.
func NewCmdAttach(f *factory.Factory, runF func(context.Context, *shared.ActionOptions) error) *cobra.Command {
	opts := &shared.ActionOptions{IO: f.IOStreams, Factory: f, Action: shared.Attach}
	cmd := &cobra.Command{
		Use:   "attach <node-id>",
		Short: "Attach (fail back) a detached backend",
		Long: `Ask pgpool to attach a detached backend again (failback). pgpool accepts the
request and changes the status a moment later; --wait polls until the node is
up (status 1 waiting or 2 up) and prints the change. An already attached
node is left alone.

In native replication and snapshot isolation mode pgpool sends every write
to every node, so a node that was down missed the writes made meanwhile:
attaching it serves diverged data. pcpctl refuses it, sending nothing, and
advises pcpctl node recover (online recovery copies the data back); --force
attaches it anyway.`,
		Example: `  pcpctl node attach 2 --wait
  pcpctl node attach 2 --dry-run`,
		Args:              factory.ExactNodeID(&opts.ID),
		ValidArgsFunction: shared.CompleteNodeIDs(f),
	}
	shared.SetUpAction(cmd, f, opts, false, runF)
	return cmd
}

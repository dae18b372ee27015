// Package recover implements "pcpctl node recover <id>".
package recover

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
)

// NewCmdRecover builds the command; runF replaces the run function in tests.
func NewCmdRecover(f *factory.Factory, runF func(context.Context, *shared.ActionOptions) error) *cobra.Command {
	opts := &shared.ActionOptions{IO: f.IOStreams, Factory: f, Action: shared.Recover}
	cmd := &cobra.Command{
		Use:   "recover <node-id>",
		Short: "Run online recovery of a detached backend",
		Long: `Run pgpool's online recovery for a detached backend: recovery_1st_stage,
in native replication and snapshot isolation mode recovery_2nd_stage (run
once no client is connected, while pgpool holds new connections), then
pgpool_remote_start and attach. pgpool answers only
when it is all done; pcpctl shows the elapsed time meanwhile on a terminal.
Without --timeout the deadline is 2 hours. --wait then polls until the
node is up.`,
		Example:           `  pcpctl node recover 2 --wait`,
		Args:              factory.ExactNodeID(&opts.ID),
		ValidArgsFunction: shared.CompleteNodeIDs(f),
	}
	shared.SetUpAction(cmd, f, opts, false, runF)
	return cmd
}

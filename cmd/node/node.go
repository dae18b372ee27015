// Package node groups the "pcpctl node" commands.
package node

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/attach"
	"github.com/pcpctl/pcpctl/cmd/node/count"
	"github.com/pcpctl/pcpctl/cmd/node/detach"
	"github.com/pcpctl/pcpctl/cmd/node/health"
	"github.com/pcpctl/pcpctl/cmd/node/info"
	"github.com/pcpctl/pcpctl/cmd/node/list"
	"github.com/pcpctl/pcpctl/cmd/node/promote"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile"
	"github.com/pcpctl/pcpctl/cmd/node/recover"
)

// NewCmdNode builds "pcpctl node".
func NewCmdNode(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "node <command>",
		Short: "List, inspect, attach, detach, recover, promote and reconcile backends; health check stats",
	}
	cmd.AddCommand(
		list.NewCmdList(f, nil),
		info.NewCmdInfo(f, nil),
		count.NewCmdCount(f, nil),
		attach.NewCmdAttach(f, nil),
		detach.NewCmdDetach(f, nil),
		recover.NewCmdRecover(f, nil),
		promote.NewCmdPromote(f, nil),
		health.NewCmdHealth(f, nil),
		reconcile.NewCmdReconcile(f, nil),
	)
	return cmd
}

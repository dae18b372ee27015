// Package cluster groups the "pcpctl cluster" commands: views over every
// pgpool of a context at once.
package cluster

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/cluster/status"
	"github.com/pcpctl/pcpctl/cmd/factory"
)

// NewCmdCluster builds "pcpctl cluster".
func NewCmdCluster(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster <command>",
		Short: "Look at every pgpool of a cluster at once",
	}
	cmd.AddCommand(status.NewCmdStatus(f, nil))
	return cmd
}

// Package pool groups the "pcpctl pool" commands.
package pool

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/pool/config"
)

// NewCmdPool builds "pcpctl pool".
func NewCmdPool(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pool <command>",
		Short: "Show pgpool's running configuration",
	}
	cmd.AddCommand(config.NewCmdConfig(f, nil))
	return cmd
}

// Package watchdog groups the "pcpctl watchdog" commands.
package watchdog

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/watchdog/status"
)

// NewCmdWatchdog builds "pcpctl watchdog".
func NewCmdWatchdog(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watchdog <command>",
		Short: "Inspect pgpool's watchdog cluster",
	}
	cmd.AddCommand(status.NewCmdStatus(f, nil))
	return cmd
}

// Package process groups the "pcpctl process" commands.
package process

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/process/info"
	"github.com/pcpctl/pcpctl/cmd/process/list"
)

// NewCmdProcess builds "pcpctl process".
func NewCmdProcess(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "process <command>",
		Short: "List pgpool's child processes and their connection slots",
	}
	cmd.AddCommand(list.NewCmdList(f, nil), info.NewCmdInfo(f, nil))
	return cmd
}

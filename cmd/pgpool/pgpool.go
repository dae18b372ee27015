// Package pgpool groups the "pcpctl pgpool" commands, which act on the
// pgpool process itself.
package pgpool

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/pgpool/logrotate"
	"github.com/pcpctl/pcpctl/cmd/pgpool/reload"
	"github.com/pcpctl/pcpctl/cmd/pgpool/stop"
)

// NewCmdPgpool builds "pcpctl pgpool".
func NewCmdPgpool(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pgpool <command>",
		Short: "Reload, rotate the log of, or stop pgpool itself",
	}
	cmd.AddCommand(reload.NewCmdReload(f, nil), logrotate.NewCmdLogRotate(f, nil), stop.NewCmdStop(f, nil))
	return cmd
}

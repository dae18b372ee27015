// Package version implements "pcpctl version".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Version is set at build time with -ldflags "-X .../cmd/version.Version=v1.2.3".
var Version = ""

// String is the version line.
func String() string {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	tools := compat.Version
	if r, err := compat.CurrentRelease(); err == nil {
		tools = r.Version // PCPCTL_COMPAT's choice
	}
	return fmt.Sprintf("pcpctl %s (pcp_* tools compatible with pgpool-II %s; %s)", v, tools, runtime.Version())
}

// NewCmdVersion builds the command.
func NewCmdVersion(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print pcpctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(ios.Out, String())
			return err
		},
	}
}

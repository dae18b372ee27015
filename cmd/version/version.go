// Package version implements "pcpctl version".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Version is set at build time with -ldflags "-X .../cmd/version.Version=v1.2.3".
var Version = ""

// String is the version line; env's PCPCTL_COMPAT names the tools' release.
func String(env environ.Env) string {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	tools := compat.Version
	if r, err := compat.CurrentRelease(env); err == nil {
		tools = r.Version // PCPCTL_COMPAT's choice
	}
	return fmt.Sprintf("pcpctl %s (pcp_* tools compatible with pgpool-II %s; %s)", v, tools, runtime.Version())
}

// NewCmdVersion builds the command.
func NewCmdVersion(ios *iostreams.IOStreams, env environ.Env) *cobra.Command {
	var tools bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print pcpctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if tools {
				for _, n := range compat.Names() {
					if _, err := fmt.Fprintln(ios.Out, n); err != nil {
						return err
					}
				}
				return nil
			}
			_, err := fmt.Fprintln(ios.Out, String(env))
			return err
		},
	}
	// The packaging (scripts/deb.sh, make build) asks the binary which
	// pcp_* names it implements, so a tool added to compat gets its
	// symlink and dpkg diversion without a second list to keep in step.
	// Hidden: it is for build scripts, not users.
	cmd.Flags().BoolVar(&tools, "tools", false, "print the pcp_* names this binary implements, one a line")
	_ = cmd.Flags().MarkHidden("tools")
	return cmd
}

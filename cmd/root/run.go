package root

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// NewCmdRoot builds the command tree. It is built per invocation, never at
// package init, so the pcp_* path pays nothing for it.
func NewCmdRoot(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:           "pcpctl <command>",
		Short:         "Inspect and steer pgpool-II over PCP",
		SilenceErrors: true,
		SilenceUsage:  true,
		// -h is the pgpool host everywhere, as in the pcp_* tools, so help
		// is --help only.
	}
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.PersistentFlags().Bool("help", false, "show help for a command")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.Usage(err)
	})
	return cmd
}

func run(cmd *cobra.Command, ios *iostreams.IOStreams) int {
	err := cmd.Execute()
	if err == nil {
		return exitcode.OK
	}
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		if ee.Err != nil && !ee.Silent {
			fmt.Fprintf(ios.ErrOut, "pcpctl: %s\n", ee.Err)
		}
		return ee.Code
	}
	// cobra's own complaints (unknown command, bad args) are usage errors.
	fmt.Fprintf(ios.ErrOut, "pcpctl: %s\n", err)
	return exitcode.UsageError
}

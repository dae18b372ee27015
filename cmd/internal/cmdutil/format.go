package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/output"
)

// FormatFlag registers -o/--output with completion of the format names.
func FormatFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVarP(dst, "output", "o", "", "output format: table (default on a terminal), plain (default when piped), json, yaml, csv, tsv")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats, cobra.ShellCompDirectiveNoFileComp))
}

// Prepare resolves what every command checks before it connects: the
// output format (a bad one is a usage error) and the connection settings.
func Prepare(f *factory.Factory, format string, tty bool) (output.Format, *factory.Settings, error) {
	of, err := output.ParseFormat(format, tty)
	if err != nil {
		return of, nil, exitcode.Usage(err)
	}
	s, err := f.Settings()
	return of, s, err
}

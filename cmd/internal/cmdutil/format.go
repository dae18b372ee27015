package cmdutil

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/health"
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

// ReadRunE is the RunE of a command that prints what it reads: -o and the
// connection settings go into *of and *s before anything else, then runF
// (a test's) or run gets the options. table lets a terminal get a table
// by default.
func ReadRunE[O any](f *factory.Factory, format *string, table bool, of *output.Format, s **factory.Settings, opts O, runF, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		var err error
		if *of, *s, err = Prepare(f, *format, table && f.IOStreams.IsStdoutTTY()); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return run(cmd.Context(), opts)
	}
}

// RunOnTargets ends the RunE of a command over every pgpool of the context
// (or of --pgpool): it resolves them into *dst, asks for the password at
// most once for all, then runs runF (a test's) or run.
func RunOnTargets[O any](ctx context.Context, f *factory.Factory, dst *[]*factory.Settings, opts O, runF, run func(context.Context, O) error) error {
	var err error
	if *dst, err = f.Targets(); err != nil {
		return err
	}
	if err := f.PreparePassword(*dst); err != nil {
		return err
	}
	if runF != nil {
		return runF(ctx, opts)
	}
	return run(ctx, opts)
}

// PrintJudged prints v and returns its findings, judged once. A table
// carries them below it; in every other format they also go to stderr as
// "pcpctl: warning: …" lines, where a script reading stdout does not trip
// over them.
func PrintJudged(ios *iostreams.IOStreams, f output.Format, v output.Printable) ([]health.Finding, error) {
	v, findings := output.Judged(v)
	if err := output.Print(ios.Out, f, v); err != nil {
		return nil, err
	}
	if f != output.FormatTable {
		for _, w := range health.Texts(findings) {
			fmt.Fprintf(ios.ErrOut, "pcpctl: warning: %s\n", w)
		}
	}
	return findings, nil
}

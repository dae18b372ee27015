// Package logrotate implements "pcpctl pgpool log-rotate".
package logrotate

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/pgpool/reload"
)

// LogRotateOptions are pgpool log-rotate's inputs.
type LogRotateOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	// Scope is "local" or "cluster".
	Scope  string
	DryRun bool
}

// NewCmdLogRotate builds the command; runF replaces the run function in tests.
func NewCmdLogRotate(f *factory.Factory, runF func(context.Context, *LogRotateOptions) error) *cobra.Command {
	opts := &LogRotateOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "log-rotate",
		Short: "Make pgpool start a new log file (pcp_log_rotate, pgpool-II 4.6+)",
		Long: `Make pgpool's logging collector close its log file and open a new one,
named after log_filename at this moment. With --scope cluster every pgpool of
the watchdog cluster rotates (without watchdog pgpool rotates only its own).
It needs pgpool-II 4.6 or later with logging_collector = on; an older
pgpool, or one that logs to stderr or syslog, is refused with a message that
says which.`,
		Example: `  pcpctl pgpool log-rotate
  pcpctl pgpool log-rotate --scope cluster`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if _, err = reload.ScopeByte(opts.Scope); err != nil {
				return err
			}
			if opts.Settings, err = f.Settings(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logRotateRun(cmd.Context(), opts)
		},
	}
	reload.ScopeFlag(cmd, &opts.Scope, "rotate the log of")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "connect and authenticate, then say what would be done; send nothing that changes state")
	return cmd
}

func logRotateRun(ctx context.Context, o *LogRotateOptions) error {
	scope, _ := reload.ScopeByte(o.Scope)
	word := map[byte]string{'l': "local", 'c': "cluster"}[scope]
	target := o.Settings.Endpoint()
	_, err := cmdutil.Act(ctx, o.Factory, o.Settings, o.IO.Out, o.DryRun,
		fmt.Sprintf("rotate the log file of pgpool at %s (scope %s)", target, word),
		func(ctx context.Context, conn *client.Conn) error {
			if err := conn.LogRotate(ctx, scope); err != nil {
				return explain(err, target, "log rotation", "V")
			}
			_, err := fmt.Fprintf(o.IO.Out, "pgpool at %s is rotating its log file (scope %s)\n", target, word)
			return err
		})
	return err
}

// explain turns the refusals a 4.6 request meets into what to do about
// them; other errors keep their usual exit codes.
func explain(err error, target, what, kind string) error {
	switch {
	case client.Unsupported(err):
		return &exitcode.Error{Code: exitcode.ServerError, Err: fmt.Errorf("pgpool at %s has no %s: it needs pgpool-II 4.6 or later (the server does not know PCP request %q)", target, what, kind)}
	case client.ServerDetail(err) == "logging_collector is disabled":
		return &exitcode.Error{Code: exitcode.ServerError, Err: errors.New("pgpool at " + target + " runs with logging_collector = off: there is no log file to rotate (turn it on in pgpool.conf; it needs a restart)")}
	}
	return exitcode.FromClient(err)
}

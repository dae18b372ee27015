// Package cache implements "pcpctl cache", the in-memory query cache of
// pgpool-II 4.6+.
package cache

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
)

// NewCmdCache builds "pcpctl cache".
func NewCmdCache(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache <command>",
		Short: "Act on pgpool's in-memory query cache (pgpool-II 4.6+)",
	}
	cmd.AddCommand(NewCmdInvalidate(f, nil))
	return cmd
}

// InvalidateOptions are cache invalidate's inputs.
type InvalidateOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Targets []*factory.Settings
	DryRun  bool
}

// NewCmdInvalidate builds "pcpctl cache invalidate"; runF replaces the run
// function in tests.
func NewCmdInvalidate(f *factory.Factory, runF func(context.Context, *InvalidateOptions) error) *cobra.Command {
	opts := &InvalidateOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "invalidate",
		Short: "Drop every entry of the query cache on every pgpool (pcp_invalidate_query_cache)",
		Long: `Drop every entry of pgpool's in-memory query cache. A pgpool invalidates
only its own cache (PCP has no cluster scope for it, and the watchdog does not
pass it on), so this runs on every pgpool of the context, or of --pgpool,
one after the other; -h/-p name a single pgpool. Each pgpool clears its cache
at its next client round, a moment after it answers.

It needs pgpool-II 4.6 or later with memory_cache_enabled = on; an older
pgpool, or one without the cache, is refused with a message that says which.
The exit status is 0 only if every pgpool took the request.`,
		Example: `  pcpctl cache invalidate
  pcpctl cache invalidate --pgpool db1:9898 --pgpool db2:9898`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmdutil.RunOnTargets(cmd.Context(), f, &opts.Targets, opts, runF, invalidateRun)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "connect and authenticate to each pgpool, then say what would be done; send nothing that changes state")
	return cmd
}

func invalidateRun(ctx context.Context, o *InvalidateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var first error
	failed := 0
	for _, s := range o.Targets {
		err := invalidateOne(ctx, o, s)
		if err == nil {
			continue
		}
		failed++
		fmt.Fprintf(o.IO.ErrOut, "pcpctl: %v\n", err)
		if first == nil {
			first = err
		}
	}
	if first == nil {
		return nil
	}
	code := exitcode.Failure
	var ee *exitcode.Error
	if errors.As(first, &ee) {
		code = ee.Code
	}
	return &exitcode.Error{Code: code, Err: fmt.Errorf("%d of %d pgpools did not invalidate their query cache", failed, len(o.Targets)), Silent: true}
}

func invalidateOne(ctx context.Context, o *InvalidateOptions, s *factory.Settings) error {
	target := s.Endpoint()
	connected, err := cmdutil.Act(ctx, o.Factory, s, o.IO.Out, o.DryRun, "invalidate the query cache of pgpool at "+target,
		func(ctx context.Context, conn *client.Conn) error {
			if err := conn.InvalidateQueryCache(ctx); err != nil {
				switch {
				case client.Unsupported(err):
					return &exitcode.Error{Code: exitcode.ServerError, Err: fmt.Errorf("pgpool at %s has no query cache invalidation: it needs pgpool-II 4.6 or later (the server does not know PCP request \"G\")", target)}
				case client.ServerMessage(err) == "query cache is not enabled":
					return &exitcode.Error{Code: exitcode.ServerError, Err: fmt.Errorf("pgpool at %s runs without the query cache (memory_cache_enabled = off): there is nothing to invalidate", target)}
				}
				return &exitcode.Error{Code: codeOf(err), Err: fmt.Errorf("pgpool at %s: %w", target, err)}
			}
			_, err := fmt.Fprintf(o.IO.Out, "pgpool at %s: query cache invalidated\n", target)
			return err
		})
	if !connected {
		return fmt.Errorf("pgpool at %s: %w", target, err)
	}
	return err
}

func codeOf(err error) int {
	var ee *exitcode.Error
	if errors.As(exitcode.FromClient(err), &ee) {
		return ee.Code
	}
	return exitcode.Failure
}

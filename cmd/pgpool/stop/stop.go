// Package stop implements "pcpctl pgpool stop".
package stop

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/pgpool/reload"
)

// StopOptions are pgpool stop's inputs.
type StopOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings

	Mode   string // smart, fast or immediate
	Scope  string // local or cluster
	Force  bool
	DryRun bool
	Wait   bool
	// PollInterval is how often --wait probes the PCP port (300ms default).
	PollInterval time.Duration
}

// NewCmdStop builds the command; runF replaces the run function in tests.
func NewCmdStop(f *factory.Factory, runF func(context.Context, *StopOptions) error) *cobra.Command {
	opts := &StopOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Shut pgpool down (pcp_stop_pgpool); asks first unless --force",
		Long: `Shut pgpool down. --mode smart waits for clients to disconnect, fast
disconnects them, immediate exits at once; --scope cluster stops every
pgpool of the watchdog cluster (without watchdog, only this one).

Stopping pgpool cuts every application off, so pcpctl asks for
confirmation when stdin is a terminal, and otherwise refuses without
--force, sending nothing (exit 2). --dry-run connects and authenticates,
then only says what would be done. --wait polls until the PCP port refuses
connections, which it does once pgpool's main process has exited; a port
that accepts but no longer answers is a shutdown still under way
(deadline: --timeout).`,
		Example: `  pcpctl pgpool stop --mode fast
  pcpctl pgpool stop --mode fast --force --wait     # from a script`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if _, err = modeByte(opts.Mode); err != nil {
				return err
			}
			if _, err = reload.ScopeByte(opts.Scope); err != nil {
				return err
			}
			if opts.DryRun && opts.Wait {
				return exitcode.Usage(errors.New("--dry-run and --wait contradict each other: a dry run stops nothing"))
			}
			if opts.Settings, err = f.Settings(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return stopRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Mode, "mode", "m", "smart", "smart (wait for clients), fast (disconnect them) or immediate")
	cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"smart", "fast", "immediate"}, cobra.ShellCompDirectiveNoFileComp))
	reload.ScopeFlag(cmd, &opts.Scope, "stop")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "do not ask for confirmation (required when stdin is not a terminal)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "connect and authenticate, then say what would be done; send nothing that changes state")
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "poll until pgpool's PCP port refuses connections (deadline: --timeout)")
	return cmd
}

func modeByte(m string) (byte, error) {
	switch m {
	case "smart", "s":
		return 's', nil
	case "fast", "f":
		return 'f', nil
	case "immediate", "i":
		return 'i', nil
	}
	return 0, exitcode.Usage(fmt.Errorf("invalid --mode %q: want smart, fast or immediate", m))
}

func modeWord(mode byte) string {
	switch mode {
	case 'f':
		return "fast"
	case 'i':
		return "immediate"
	}
	return "smart"
}

func stopRun(ctx context.Context, o *StopOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	mode, _ := modeByte(o.Mode)
	scope, _ := reload.ScopeByte(o.Scope)
	target := o.Settings.Endpoint()
	what := fmt.Sprintf("pgpool at %s (%s shutdown", target, modeWord(mode))
	if scope == 'c' {
		what += ", every pgpool of its watchdog cluster"
	}
	what += ")"
	if !o.DryRun && !o.Force {
		if !o.IO.IsStdinTTY() {
			return exitcode.Usage(fmt.Errorf("refusing to stop %s without confirmation: stdin is not a terminal; nothing was sent (use --force)", what))
		}
		fmt.Fprintf(o.IO.ErrOut, "Stop %s? Every client loses its connection. [y/N] ", what)
		line, _ := bufio.NewReader(o.IO.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return &exitcode.Error{Code: exitcode.Failure, Err: errors.New("not confirmed; nothing was sent")}
		}
	}
	conn, err := o.Factory.Connect(ctx, o.Settings)
	if err != nil {
		return err
	}
	defer conn.Close()
	if o.DryRun {
		_, err := fmt.Fprintf(o.IO.Out, "would stop %s; dry run, nothing was sent\n", what)
		return err
	}
	start := time.Now()
	qctx, cancel := o.Settings.Query(ctx)
	defer cancel()
	if err := conn.StopPgpool(qctx, mode, scope == 'c'); err != nil {
		return exitcode.FromClient(err)
	}
	conn.Close()
	if !o.Wait {
		_, err := fmt.Fprintf(o.IO.Out, "%s: shutdown requested, pgpool accepted it; --wait confirms it has stopped\n", what)
		return err
	}
	if err := o.waitGone(ctx); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.IO.Out, "%s: stopped after %s\n", what, time.Since(start).Round(100*time.Millisecond))
	return err
}

// waitGone polls until a PCP connection is refused: only then has the
// last process holding pgpool's PCP socket (its main process) gone. A
// port that accepts but does not answer is a shutdown still under way,
// not a stopped pgpool: pgpool's PCP child exits before the main process,
// which first waits for every child to end.
func (o *StopOptions) waitGone(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, o.Settings.Timeout)
	defer cancel()
	interval := o.PollInterval
	if interval <= 0 {
		interval = 300 * time.Millisecond
	}
	poll := *o.Settings
	poll.ConnectTimeout = min(poll.ConnectTimeout, 2*time.Second)
	state := "it still answers"
	for {
		c, err := o.Factory.ConnectQuiet(wctx, &poll)
		switch {
		case err == nil:
			c.Close()
			state = "it still answers"
		case client.KindOf(err) == client.KindConnect:
			return nil
		case client.Unanswered(err):
			state = "its PCP port still accepts connections but does not answer: pgpool's shutdown has not finished, and a pgpool process may be hung in it"
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return &exitcode.Error{Code: exitcode.Failure, Err: errors.New("interrupted")}
			}
			return &exitcode.Error{Code: exitcode.Connection, Err: fmt.Errorf("timed out after %s waiting for pgpool at %s to stop (%s); raise --timeout to wait longer", o.Settings.Timeout, o.Settings.Endpoint(), state)}
		case <-time.After(interval):
		}
	}
}

// Package status implements "pcpctl cluster status": every pgpool of a
// context read concurrently and shown side by side, with the
// disagreements that precede a split brain.
package status

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/output"
)

// StatusOptions are cluster status's inputs.
type StatusOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	// Targets are the pgpools, in the context's order.
	Targets []*factory.Settings
	// Context names the context in use ("" for --pgpool or -h).
	Context string
	Format  output.Format
	// Watch is the refresh interval; zero means print once.
	Watch time.Duration
	// Loc pins the zone of last_status_change (tests); nil is local time.
	Loc *time.Location
	Now func() time.Time
}

// NewCmdStatus builds the command; runF replaces the run function in tests.
func NewCmdStatus(f *factory.Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Factory: f, Now: f.Now}
	var format, watch string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Every pgpool of a cluster side by side, with disagreements flagged",
		Long: `Read every pgpool of the context (or of --pgpool) concurrently, each under
its own deadline (--timeout, default 10s), and show per backend node the
status and role as each pgpool sees it, with the backend's own pg_status and
pg_role, then each pgpool's watchdog state, the leader it reports and its
quorum. A slow or dead pgpool is shown as unreachable once its deadline
passes; it never holds up the others.

Exit status 25 (cluster unhealthy), with one warning per finding naming the
pgpools and the node, when: a pgpool is unreachable; pgpools disagree on a
node's status, on the primary, on the number of backends or on the
watchdog leader; more than one pgpool claims to be leader; a node is down;
pgpool's view contradicts the backend's (pg_status, pg_role); quorum is not
solid or a watchdog member is not LEADER/STANDBY.

-o json and -o yaml give the whole view, warnings included, as one
document; plain, csv and tsv give one row per pgpool and node.
--watch redraws every interval with one short PCP session per pgpool per
refresh (a PCP session held open stalls pgpool's failover and failback).`,
		Example: `  pcpctl cluster status                      # the current context
  pcpctl cluster status --context prod -o json
  pcpctl cluster status --pgpool db1:9898 --pgpool db2:9898 --pgpool db3:9898 -U pcpadmin
  pcpctl cluster status --watch=2s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, err = output.ParseFormat(format, f.IOStreams.IsStdoutTTY()); err != nil {
				return exitcode.Usage(err)
			}
			if opts.Targets, err = f.Targets(); err != nil {
				return err
			}
			if len(f.Pgpools) == 0 && f.Host == "" && f.Port == "" {
				opts.Context = contextName(f)
			}
			if cmd.Flags().Changed("watch") {
				if opts.Watch, err = factory.ParseDuration(watch); err != nil {
					return exitcode.Usage(fmt.Errorf("invalid --watch interval %q: want a duration such as 2s", watch))
				}
			}
			if err := f.PreparePassword(opts.Targets); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	cmd.Flags().StringVar(&watch, "watch", "", "refresh every interval (default 2s) until Ctrl-C: --watch or --watch=5s")
	cmd.Flags().Lookup("watch").NoOptDefVal = "2s"
	return cmd
}

// contextName is the context in effect, for the summary line.
func contextName(f *factory.Factory) string {
	if f.Context != "" {
		return f.Context
	}
	if f.Env.Get(environ.Host) != "" || f.Env.Get(environ.Port) != "" {
		return ""
	}
	if c, _, err := f.LoadConfig(); err == nil {
		return c.CurrentContext
	}
	return ""
}

func statusRun(ctx context.Context, o *StatusOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Watch > 0 {
		return watchRun(ctx, o)
	}
	c := Fetch(ctx, o.Factory, o.Targets, o.Loc, true)
	c.Context = o.Context
	findings, err := cmdutil.PrintJudged(o.IO, o.Format, c)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return &exitcode.Error{Code: exitcode.Unhealthy, Err: errors.New("cluster unhealthy"), Silent: true}
	}
	return nil
}

// Fetch reads every target concurrently, each with one session under its
// own deadline (the target's --timeout covers connecting and both
// requests), so the whole call returns within about one timeout however
// many pgpools are slow or dead. interactive=false never warns (watch
// refreshes after the first).
func Fetch(ctx context.Context, f *factory.Factory, targets []*factory.Settings, loc *time.Location, interactive bool) *output.Cluster {
	return FetchWith(ctx, f, targets, loc, interactive, nil)
}

// More reads what else a caller needs from pgpool i, in the same session
// and under the same deadline, after the node list and watchdog status.
type More func(ctx context.Context, i int, c *client.Conn, p *output.PgpoolView)

// FetchWith is Fetch with more requests per session (check, serve), so
// they judge exactly the view cluster status shows.
func FetchWith(ctx context.Context, f *factory.Factory, targets []*factory.Settings, loc *time.Location, interactive bool, more More) *output.Cluster {
	c := &output.Cluster{Pgpools: make([]output.PgpoolView, len(targets))}
	var wg sync.WaitGroup
	for i, s := range targets {
		wg.Add(1)
		go func(i int, p *output.PgpoolView, s *factory.Settings) {
			defer wg.Done()
			*p = fetchOne(ctx, f, s, loc, interactive, func(ctx context.Context, c *client.Conn, p *output.PgpoolView) {
				if more != nil {
					more(ctx, i, c, p)
				}
			})
		}(i, &c.Pgpools[i], s)
	}
	wg.Wait()
	return c
}

func fetchOne(ctx context.Context, f *factory.Factory, s *factory.Settings, loc *time.Location, interactive bool, more func(context.Context, *client.Conn, *output.PgpoolView)) output.PgpoolView {
	p := output.PgpoolView{Endpoint: s.Endpoint()}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var conn *client.Conn
	var err error
	if interactive {
		conn, err = f.Connect(ctx, s)
	} else {
		conn, err = f.ConnectQuiet(ctx, s)
	}
	if err != nil {
		p.Error = cmdutil.OneLine(err)
		return p
	}
	defer conn.Close()
	infos, err := shared.Nodes(ctx, conn, s)
	if err != nil {
		p.Error = cmdutil.OneLine(err)
		return p
	}
	p.Nodes = output.NewNodeList(infos, loc)
	// The findings' words and rules depend on it (check, serve too).
	p.Nodes.Mode = shared.Mode(ctx, conn, s, infos)
	cl, err := conn.WatchdogCluster(ctx, -1)
	switch {
	case client.WatchdogOff(err):
		p.WatchdogOff = true
		p.WatchdogError = "watchdog is not enabled"
	case err != nil:
		p.WatchdogError = cmdutil.OneLine(err)
	default:
		p.Watchdog = cl
	}
	more(ctx, conn, &p)
	return p
}

// Package list implements "pcpctl node list": the role table.
package list

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// DefaultSQLPort is pgpool's SQL port, used by a bare --sql when the
// context names none.
const DefaultSQLPort = 9999

// bareSQL is what a bare --sql parses to: the context's sql_port, else
// DefaultSQLPort.
const bareSQL = "auto"

// ListOptions are node list's inputs.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings

	Format        output.Format
	Check         bool
	SQL           *client.SQLTarget
	CheckBackends bool
	// SQLUser is the user for --sql and --check-backends ("" = PGUSER).
	SQLUser string
	// MaxLag is the replay lag a streaming standby may have (--max-lag).
	MaxLag uint64
	// Watch is the refresh interval; zero means print once.
	Watch time.Duration
	// Loc pins the zone of last_status_change (tests); nil is local time.
	Loc *time.Location
	// Now is the clock for watch mode headers.
	Now func() time.Time
}

// NewCmdList builds the command; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Factory: f, Now: f.Now}
	var format, sql, watch string
	maxLag := rules.FormatBytes(rules.DefaultMaxLag)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show every backend: status, roles, replication, with disagreement markers",
		Long: `Show every backend pgpool knows, read in one PCP request: node id,
host:port, status code and name, the backend's own status (pg_status), role
and pg_role, load-balance weight, replication delay with its unit,
replication state, sync state and the last status change (ISO-8601).

A "!" marks a cell where pgpool's view and the backend's disagree (status
against pg_status, role against pg_role). Below the table: a one-line
summary (nodes up/total, the primary) and warnings.

--sql adds SHOW pool_nodes' select_cnt and load_balance_node, read through
pgpool's SQL port; --check-backends connects to every backend and adds
pg_is_in_recovery() and the replay lag in bytes, and judges each backend by
pgpool's clustering mode: in streaming replication every up standby must
stream from pgpool's primary (its WAL receiver's sender), on its timeline,
within --max-lag; in native replication and snapshot isolation every up
node must be read-write; raw mode has no roles to judge. Both use the libpq
environment (PGUSER or --sql-user, PGDATABASE, PGPASSWORD, PGPASSFILE/.pgpass); a backend
that cannot be reached is shown as unreachable.

--check exits 25 when a node is down, anything disagrees or a backend
check finds a fault (marked "!" in the table).`,
		Example: `  pcpctl node list -h 127.0.0.1 -p 9898 -U pcpadmin
  pcpctl node list -o json | jq '.[] | select(.status != "up")'
  pcpctl node list --check || page-oncall
  pcpctl node list --sql=9999 --check-backends
  pcpctl node list --watch=1s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, opts.Settings, err = cmdutil.Prepare(f, format, f.IOStreams.IsStdoutTTY()); err != nil {
				return err
			}
			if cmd.Flags().Changed("sql") {
				if sql == bareSQL {
					port := opts.Settings.SQLPort
					if port == 0 {
						port = DefaultSQLPort
					}
					sql = strconv.Itoa(port)
				}
				if opts.SQL, err = ParseSQLTarget(sql, opts.Settings.Host); err != nil {
					return err
				}
			}
			if opts.MaxLag, err = rules.ParseBytes(maxLag); err != nil {
				return exitcode.Usage(fmt.Errorf("--max-lag: %v", err))
			}
			if cmd.Flags().Changed("max-lag") && !opts.CheckBackends {
				return exitcode.Usage(errors.New("--max-lag is for --check-backends only"))
			}
			if cmd.Flags().Changed("watch") {
				d, err := factory.ParseDuration(watch)
				if err != nil {
					return exitcode.Usage(fmt.Errorf("invalid --watch interval %q: want a duration such as 2s", watch))
				}
				if opts.Check {
					return exitcode.Usage(errors.New("--check and --watch cannot be combined: --check gives one exit code, --watch runs until interrupted"))
				}
				opts.Watch = d
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	cmd.Flags().BoolVar(&opts.Check, "check", false, "exit 25 when a node is down or pgpool and a backend disagree")
	cmd.Flags().StringVar(&sql, "sql", "", "add SHOW pool_nodes columns through pgpool's SQL port: --sql (the context's sql_port, else 9999), --sql=PORT or --sql=HOST:PORT")
	cmd.Flags().Lookup("sql").NoOptDefVal = bareSQL
	cmd.Flags().BoolVar(&opts.CheckBackends, "check-backends", false, "connect to every backend: pg_is_in_recovery() and replay lag in bytes")
	cmd.Flags().StringVar(&maxLag, "max-lag", maxLag, "with --check-backends, streaming replication: largest replay lag a standby may have: bytes, or kB, MB, GB")
	cmd.Flags().StringVar(&opts.SQLUser, "sql-user", "", "user for --sql and --check-backends (default: PGUSER, else the OS user)")
	cmd.Flags().StringVar(&watch, "watch", "", "refresh every interval (default 2s) until Ctrl-C: --watch or --watch=5s")
	cmd.Flags().Lookup("watch").NoOptDefVal = "2s"
	return cmd
}

// ParseSQLTarget reads --sql's value: PORT, HOST:PORT or [V6]:PORT; the
// host defaults to the PCP host.
func ParseSQLTarget(v, pcpHost string) (*client.SQLTarget, error) {
	host, port := pcpHost, v
	if i := strings.LastIndex(v, ":"); i >= 0 {
		host, port = strings.Trim(v[:i], "[]"), v[i+1:]
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return nil, exitcode.Usage(fmt.Errorf("invalid --sql %q: want PORT or HOST:PORT", v))
	}
	return &client.SQLTarget{Host: host, Port: p}, nil
}

func (o *ListOptions) enrich() shared.Enrich {
	return shared.Enrich{SQL: o.SQL, Backends: o.CheckBackends, User: o.SQLUser, Timeout: o.Settings.Timeout, MaxLag: o.MaxLag}
}

func listRun(ctx context.Context, o *ListOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Watch > 0 {
		return watchRun(ctx, o)
	}
	var infos []pcp.NodeInfo
	var mode health.Mode
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		if infos, err = shared.Nodes(ctx, c, o.Settings); err != nil {
			return err
		}
		mode = shared.Mode(ctx, c, o.Settings, infos)
		return nil
	})
	if err != nil {
		return err
	}
	l := output.NewNodeList(infos, o.Loc)
	l.Mode = mode
	o.enrich().Apply(ctx, l)
	findings, err := cmdutil.PrintJudged(o.IO, o.Format, l)
	if err != nil {
		return err
	}
	if o.Check && len(findings) > 0 {
		return &exitcode.Error{Code: exitcode.Unhealthy, Err: errors.New("cluster unhealthy"), Silent: true}
	}
	return nil
}

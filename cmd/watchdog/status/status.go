// Package status implements "pcpctl watchdog status".
package status

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// StatusOptions are watchdog status's inputs.
type StatusOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	Format   output.Format
	Check    bool
}

// NewCmdStatus builds the command; runF replaces the run function in tests.
func NewCmdStatus(f *factory.Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the watchdog cluster: leader, quorum, escalation, members",
		Long: `Show the watchdog cluster as the pgpool you connect to sees it: the
leader, quorum state, whether this pgpool holds the escalation (VIP), and
every pgpool's state and membership. --check exits 25 when quorum is not
solid, there is no leader, or a member is not LEADER/STANDBY.`,
		Example: `  pcpctl watchdog status -p 29898
  pcpctl watchdog status -o json | jq .leader_node_name`,
		Args: cobra.NoArgs,
		RunE: cmdutil.ReadRunE(f, &format, true, &opts.Format, &opts.Settings, opts, runF, statusRun),
	}
	cmdutil.FormatFlag(cmd, &format)
	cmd.Flags().BoolVar(&opts.Check, "check", false, "exit 25 unless quorum exists and every pgpool is LEADER or STANDBY")
	return cmd
}

func statusRun(ctx context.Context, o *StatusOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// WatchdogCluster is the dialect code pcp_watchdog_info reads through,
	// so a 3.3–3.4 server's per-index replies arrive as one cluster view.
	var cl *pcp.WatchdogCluster
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		cl, err = c.WatchdogCluster(ctx, -1)
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	w := &output.Watchdog{Cluster: cl}
	findings, err := cmdutil.PrintJudged(o.IO, o.Format, w)
	if err != nil {
		return err
	}
	if o.Check && len(findings) > 0 {
		return &exitcode.Error{Code: exitcode.Unhealthy, Err: errors.New("watchdog unhealthy"), Silent: true}
	}
	return nil
}

// Package promote implements "pcpctl node promote <id>".
package promote

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
)

// NewCmdPromote builds the command; runF replaces the run function in tests.
func NewCmdPromote(f *factory.Factory, runF func(context.Context, *shared.ActionOptions) error) *cobra.Command {
	opts := &shared.ActionOptions{IO: f.IOStreams, Factory: f, Action: shared.Promote}
	maxLag := rules.FormatBytes(rules.DefaultMaxLag)
	cmd := &cobra.Command{
		Use:   "promote <node-id>",
		Short: "Make a standby the primary; --switchover verifies that the others follow",
		Long: `Tell pgpool to treat a backend as the new primary.

pgpool promotes in streaming replication mode only; in any other clustering
mode (native replication, snapshot isolation, raw, ...) there is no primary,
and pcpctl says so and sends nothing, --force or not.

Without --switchover pgpool only relabels the node, so pcpctl refuses without
--force while another primary is up, sending nothing. --wait polls until
pgpool reports the node as primary.

--switchover is the verified switchover of a streaming cluster. Before
sending anything it checks on the backends (pgx; --sql-user, else PGUSER)
that the node is a standby streaming from the current primary, on its
timeline, within --max-lag (--force skips that check). It then asks pgpool to
detach the primary so that failover_command promotes the node (-g: after
the clients have gone), waits until pgpool names it primary, and waits up to
--follow-timeout until every other standby is up in pgpool and streams from
the new primary, as the backends themselves say. pgpool reports success even
when follow_primary_command failed for a standby: pcpctl names each standby
that did not follow, with what it shows, and exits 27. The old primary is
left detached, as pgpool leaves it; rebuild it with pcpctl node recover.`,
		Example: `  pcpctl node promote 1 --switchover --dry-run
  pcpctl node promote 1 --switchover --sql-user postgres
  pcpctl node promote 1 --force --wait`,
		Args:              factory.ExactNodeID(&opts.ID),
		ValidArgsFunction: shared.CompleteNodeIDs(f),
	}
	shared.SetUpAction(cmd, f, opts, true, runF)
	inner := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if err := inner(c, args); err != nil {
			return err
		}
		for _, name := range []string{"max-lag", "sql-user", "follow-timeout"} {
			if c.Flags().Changed(name) && !opts.Switchover {
				return exitcode.Usage(fmt.Errorf("--%s is for --switchover only", name))
			}
		}
		var err error
		if opts.MaxLag, err = rules.ParseBytes(maxLag); err != nil {
			return exitcode.Usage(fmt.Errorf("--max-lag: %v", err))
		}
		if opts.FollowTimeout <= 0 {
			return exitcode.Usage(fmt.Errorf("--follow-timeout must be positive, got %s", opts.FollowTimeout))
		}
		return nil
	}
	cmd.Flags().BoolVarP(&opts.Switchover, "switchover", "s", false, "detach the current primary so that failover promotes this node, then verify that the other standbys follow")
	cmd.Flags().BoolVarP(&opts.Graceful, "graceful", "g", false, "wait for clients to disconnect first")
	cmd.Flags().StringVar(&maxLag, "max-lag", maxLag, "with --switchover: largest replay lag the node may have: bytes, or kB, MB, GB")
	cmd.Flags().StringVar(&opts.SQLUser, "sql-user", "", "with --switchover: user for the backends (default: PGUSER, else the OS user)")
	cmd.Flags().DurationVar(&opts.FollowTimeout, "follow-timeout", shared.DefaultFollowTimeout, "with --switchover: how long the other standbys get to follow the new primary")
	return cmd
}

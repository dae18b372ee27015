// Package config implements "pcpctl pool config [name...]".
package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// ConfigOptions are pool config's inputs.
type ConfigOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	Format   output.Format
	// Names selects parameters (all when empty), in the order given.
	Names []string
}

// NewCmdConfig builds the command; runF replaces the run function in tests.
func NewCmdConfig(f *factory.Factory, runF func(context.Context, *ConfigOptions) error) *cobra.Command {
	opts := &ConfigOptions{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "config [name...]",
		Short: "Show pgpool's configuration as it runs (pcp_pool_status)",
		Long: `Show the configuration pgpool is running with, as name, value and
description (pcp_pool_status). Names select parameters; a name pgpool does
not report is an error (exit 2) after the others have been printed.

pgpool sends enumerations as numbers; pcpctl prints pgpool.conf's name with
the number in brackets: backend_clustering_mode "native_replication [2]"
(1 streaming_replication, 2 native_replication, 3 logical_replication,
4 slony, 5 raw, 6 snapshot_isolation), and so log_standby_delay,
disable_load_balance_on_write, check_temp_table, relcache_query_target,
wd_lifecheck_method, memqcache_method, log_error_verbosity (terse [0]),
client_min_messages and log_min_messages (warning [19]). pcpctl
status-codes lists the modes.`,
		Example: `  pcpctl pool config
  pcpctl pool config num_init_children max_pool -o plain
  pcpctl pool config -o json | jq -r '.[] | select(.name=="health_check_period") | .value'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			opts.Names = args
			if opts.Format, opts.Settings, err = cmdutil.Prepare(f, format, f.IOStreams.IsStdoutTTY()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return configRun(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func configRun(ctx context.Context, o *ConfigOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var rows []pcp.ConfigItem
	err := o.Factory.Read(ctx, o.Settings, func(ctx context.Context, c *client.Conn) (err error) {
		rows, err = c.PoolStatus(ctx)
		return exitcode.FromClient(err)
	})
	if err != nil {
		return err
	}
	var recs []output.Record
	var missing []string
	for i := range rows {
		rows[i].Value = health.ConfigValue(rows[i].Name, rows[i].Value)
	}
	if len(o.Names) == 0 {
		for _, r := range rows {
			recs = append(recs, output.ConfigRecord(r))
		}
	}
	for _, name := range o.Names {
		found := false
		for _, r := range rows {
			if r.Name == name {
				recs = append(recs, output.ConfigRecord(r))
				found = true
			}
		}
		if !found {
			missing = append(missing, name)
		}
	}
	if len(recs) > 0 || len(missing) == 0 {
		if err := output.Print(o.IO.Out, o.Format, &output.Records{List: recs, Fields: output.ConfigKeys, Header: []string{"NAME", "VALUE", "DESCRIPTION"}}); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return exitcode.Usage(fmt.Errorf("pgpool reports no parameter %s (pcpctl pool config lists them)", strings.Join(quote(missing), ", ")))
	}
	return nil
}

func quote(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return q
}

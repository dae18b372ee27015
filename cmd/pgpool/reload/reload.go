// Package reload implements "pcpctl pgpool reload".
package reload

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// ReloadOptions are pgpool reload's inputs.
type ReloadOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings
	// Scope is "local" or "cluster".
	Scope  string
	DryRun bool
}

// NewCmdReload builds the command; runF replaces the run function in tests.
func NewCmdReload(f *factory.Factory, runF func(context.Context, *ReloadOptions) error) *cobra.Command {
	opts := &ReloadOptions{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:   "reload",
		Short: "Make pgpool re-read pgpool.conf (pcp_reload_config)",
		Long: `Make pgpool re-read its configuration file, as SIGHUP does. With
--scope cluster every pgpool of the watchdog cluster reloads (without
watchdog pgpool reloads only itself). Parameters that need a restart are
not applied, and a parameter removed from the file keeps its value.`,
		Example: `  pcpctl pgpool reload
  pcpctl pgpool reload --scope cluster`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if _, err = ScopeByte(opts.Scope); err != nil {
				return err
			}
			if opts.Settings, err = f.Settings(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return reloadRun(cmd.Context(), opts)
		},
	}
	ScopeFlag(cmd, &opts.Scope, "reload")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "connect and authenticate, then say what would be done; send nothing that changes state")
	return cmd
}

// ScopeFlag adds --scope (local|cluster, default local).
func ScopeFlag(cmd *cobra.Command, dst *string, verb string) {
	cmd.Flags().StringVarP(dst, "scope", "s", "local", fmt.Sprintf("local: %s this pgpool; cluster: every pgpool of the watchdog cluster", verb))
	cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions([]string{"local", "cluster"}, cobra.ShellCompDirectiveNoFileComp))
}

// ScopeByte checks a --scope value and returns its wire byte.
func ScopeByte(s string) (byte, error) {
	switch s {
	case "local", "l":
		return 'l', nil
	case "cluster", "c":
		return 'c', nil
	}
	return 0, exitcode.Usage(fmt.Errorf("invalid --scope %q: want local or cluster", s))
}

func reloadRun(ctx context.Context, o *ReloadOptions) error {
	scope, _ := ScopeByte(o.Scope)
	word := map[byte]string{'l': "local", 'c': "cluster"}[scope]
	_, err := cmdutil.Act(ctx, o.Factory, o.Settings, o.IO.Out, o.DryRun,
		fmt.Sprintf("reload the configuration of pgpool at %s (scope %s)", o.Settings.Endpoint(), word),
		func(ctx context.Context, conn *client.Conn) error {
			if err := conn.ReloadConfig(ctx, scope); err != nil {
				return exitcode.FromClient(err)
			}
			_, err := fmt.Fprintf(o.IO.Out, "pgpool at %s is reloading its configuration (scope %s)\n", o.Settings.Endpoint(), word)
			return err
		})
	return err
}

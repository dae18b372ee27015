// Package contexts implements "pcpctl context list|use|show": the named
// clusters of the config file.
package contexts

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/config"
	"github.com/pcpctl/pcpctl/output"
)

// Options are the inputs of the context commands.
type Options struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Format  output.Format
	// Name is the context to use or show ("" for show: the current one).
	Name string
	// Add: the new context, whether to make it current, and whether it may
	// replace one of the same name.
	Context      config.Context
	Use, Replace bool
}

const longHelp = `A context names a cluster: the PCP endpoints of its pgpools (host, PCP
port, optionally the SQL port and user). Contexts live in a YAML file:
--config, else $PCPCTL_CONFIG, else $XDG_CONFIG_HOME/pcpctl/config.yaml
(~/.config/pcpctl/config.yaml). Passwords never go there: they stay in the
PCP password file (~/.pcppass or PCPPASSFILE).

  current-context: prod
  contexts:
    - name: prod
      user: pcpadmin
      pgpools:
        - host: pgpool1.example.com
          pcp_port: 9898
          sql_port: 9999
        - host: pgpool2.example.com
        - host: pgpool3.example.com

Every command takes --context NAME (default: current-context). Commands
that talk to one pgpool use the context's first; "pcpctl cluster status"
reads them all. -h/-p, PCPHOST or PCPPORT name a pgpool directly and then
the current context is not consulted; --pgpool HOST:PORT (repeatable) names
endpoints ad hoc.`

// NewCmdContext builds "pcpctl context".
func NewCmdContext(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context <command>",
		Short: "List, select and show the clusters of the config file",
		Long:  longHelp,
	}
	cmd.AddCommand(newCmdList(f, nil), newCmdUse(f, nil), newCmdShow(f, nil), newCmdAdd(f, nil))
	return cmd
}

func newCmdList(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the contexts; * marks the current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Format, err = output.ParseFormat(format, f.IOStreams.IsStdoutTTY()); err != nil {
				return exitcode.Usage(err)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return listRun(o)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

func newCmdUse(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Factory: f}
	cmd := &cobra.Command{
		Use:               "use NAME",
		Short:             "Make NAME the current context",
		Args:              exactName,
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return useRun(o)
		},
	}
	return cmd
}

func newCmdShow(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Factory: f}
	var format string
	cmd := &cobra.Command{
		Use:               "show [NAME]",
		Short:             "Show a context's pgpools (default: the current context)",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Format, err = output.ParseFormat(format, f.IOStreams.IsStdoutTTY()); err != nil {
				return exitcode.Usage(err)
			}
			if len(args) == 1 {
				o.Name = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return showRun(o)
		},
	}
	cmdutil.FormatFlag(cmd, &format)
	return cmd
}

const addHelp = `Add a context to the config file (created, 0600, if missing): the pgpools of
--pgpool HOST:PORT (repeat it for every pgpool of a watchdog cluster), the PCP
user of -U, and optionally pgpool's SQL port for --sql: one --sql-port for
every pgpool, or one per --pgpool in the same order. Nothing is sent to
pgpool, and no password is stored (they stay in the PCP password file).`

func newCmdAdd(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Factory: f}
	var sqlPorts []int
	cmd := &cobra.Command{
		Use:   "add NAME --pgpool HOST:PORT [--pgpool HOST:PORT ...]",
		Short: "Add a context: a name for the pgpools of one cluster",
		Long:  addHelp,
		Example: `  pcpctl context add prod --pgpool pgpool1:9898 --pgpool pgpool2:9898 -U pcpadmin --use
  pcpctl context add lab --pgpool 127.0.0.1:19898 --sql-port 19999`,
		Args: exactName,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.Context, err = newContext(args[0], f.User, f.Pgpools, sqlPorts); err != nil {
				return exitcode.Usage(err)
			}
			o.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return addRun(o)
		},
	}
	cmd.Flags().IntSliceVar(&sqlPorts, "sql-port", nil, "pgpool's SQL port, once for all pgpools or once per --pgpool")
	cmd.Flags().BoolVar(&o.Use, "use", false, "make it the current context")
	cmd.Flags().BoolVar(&o.Replace, "replace", false, "replace a context of the same name")
	return cmd
}

// newContext checks add's flags and builds the context they describe.
func newContext(name, user string, pgpools []string, sqlPorts []int) (config.Context, error) {
	c := config.Context{Name: name, User: user}
	if len(pgpools) == 0 {
		return c, errors.New("context add needs at least one --pgpool HOST:PORT")
	}
	if n := len(sqlPorts); n > 1 && n != len(pgpools) {
		return c, fmt.Errorf("--sql-port was given %d times for %d pgpools: give it once, or once per --pgpool", n, len(pgpools))
	}
	for i, v := range pgpools {
		e, err := config.ParseEndpoint(v)
		if err != nil {
			return c, err
		}
		switch len(sqlPorts) {
		case 0:
		case 1:
			e.SQLPort = sqlPorts[0]
		default:
			e.SQLPort = sqlPorts[i]
		}
		if e.SQLPort < 0 || e.SQLPort > 65535 {
			return c, fmt.Errorf("invalid --sql-port %d: want a port number 1-65535", e.SQLPort)
		}
		c.Pgpools = append(c.Pgpools, e)
	}
	return c, nil
}

func addRun(o *Options) error {
	c, path, err := o.Factory.LoadConfig()
	if errors.Is(err, config.ErrNotExist) && path != "" {
		c, err = &config.Config{}, nil
	}
	if err != nil {
		return exitcode.Usage(err)
	}
	replaced := false
	for i := range c.Contexts {
		if c.Contexts[i].Name == o.Name {
			if !o.Replace {
				return exitcode.Usage(fmt.Errorf("%s already has a context %q: pass --replace to overwrite it", path, o.Name))
			}
			c.Contexts[i], replaced = o.Context, true
		}
	}
	if !replaced {
		c.Contexts = append(c.Contexts, o.Context)
	}
	if o.Use {
		c.CurrentContext = o.Name
	}
	if err := config.Save(path, c); err != nil {
		return exitcode.Usage(err)
	}
	verb := "Added"
	if replaced {
		verb = "Replaced"
	}
	fmt.Fprintf(o.IO.Out, "%s context %q (%d pgpools) in %s.\n", verb, o.Name, len(o.Context.Pgpools), path)
	if o.Use {
		fmt.Fprintf(o.IO.Out, "Switched to context %q.\n", o.Name)
	}
	return nil
}

func exactName(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return exitcode.Usage(fmt.Errorf("%s needs exactly one context name, got %d arguments", cmd.CommandPath(), len(args)))
	}
	return nil
}

func completeNames(f *factory.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, _, err := f.LoadConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return c.Names(), cobra.ShellCompDirectiveNoFileComp
	}
}

// load reads the file; every problem is a usage error (nothing is sent).
func load(f *factory.Factory) (*config.Config, string, error) {
	c, path, err := f.LoadConfig()
	if err != nil {
		return nil, path, exitcode.Usage(err)
	}
	return c, path, nil
}

func listRun(o *Options) error {
	c, path, err := o.Factory.LoadConfig()
	if errors.Is(err, config.ErrNotExist) && path != "" {
		// No file yet is an empty list, not a failure.
		c, err = &config.Config{}, nil
	}
	if err != nil {
		return exitcode.Usage(err)
	}
	return output.Print(o.IO.Out, o.Format, &output.Contexts{Config: c})
}

func useRun(o *Options) error {
	c, path, err := load(o.Factory)
	if err != nil {
		return err
	}
	if _, err := c.Context(o.Name); err != nil {
		return exitcode.Usage(fmt.Errorf("%s: %v", path, err))
	}
	c.CurrentContext = o.Name
	if err := config.Save(path, c); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "Switched to context %q.\n", o.Name)
	return nil
}

func showRun(o *Options) error {
	c, path, err := load(o.Factory)
	if err != nil {
		return err
	}
	name := o.Name
	if name == "" {
		name = o.Factory.Context
	}
	if name == "" {
		if name = c.CurrentContext; name == "" {
			return exitcode.Usage(fmt.Errorf("%s has no current-context: name one (pcpctl context show NAME) or set it (pcpctl context use NAME)", path))
		}
	}
	x, err := c.Context(name)
	if err != nil {
		return exitcode.Usage(fmt.Errorf("%s: %v", path, err))
	}
	return output.Print(o.IO.Out, o.Format, &output.Context{Context: x, Current: name == c.CurrentContext})
}

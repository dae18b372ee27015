package root

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/cache"
	"github.com/pcpctl/pcpctl/cmd/check"
	"github.com/pcpctl/pcpctl/cmd/cluster"
	"github.com/pcpctl/pcpctl/cmd/completion"
	"github.com/pcpctl/pcpctl/cmd/contexts"
	"github.com/pcpctl/pcpctl/cmd/events"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node"
	"github.com/pcpctl/pcpctl/cmd/pgpool"
	"github.com/pcpctl/pcpctl/cmd/pool"
	"github.com/pcpctl/pcpctl/cmd/process"
	"github.com/pcpctl/pcpctl/cmd/serve"
	"github.com/pcpctl/pcpctl/cmd/statuscodes"
	"github.com/pcpctl/pcpctl/cmd/version"
	"github.com/pcpctl/pcpctl/cmd/watchdog"
)

// LongHelp is the root help text; the man page carries it too.
func LongHelp() string {
	var b strings.Builder
	b.WriteString(`pcpctl inspects and steers pgpool-II over its PCP port.

Invoked as pcp_node_info, pcp_attach_node and the other stock names (through
a symlink, or as "pcpctl pcp_node_info ..."), it is a byte-compatible
drop-in for pgpool-II's own tools. Invoked as pcpctl it is this command line.

Connection: -h/--host (a host name, an IP address, or a socket directory;
-h is the host, help is --help only), -p/--port (default 9898),
-U/--username (default: the OS user), -w/--no-password, -W/--password and
--timeout (deadline of each query, default 10s). --context NAME picks a
cluster of the contexts file (see "pcpctl context --help"); --pgpool
HOST:PORT (repeatable) names pgpools ad hoc. Environment: PCPHOST,
PCPPORT, PCPUSER, PCPPASSFILE (password file, default ~/.pcppass, format
host:port:user:password as for the stock tools), PCPCONNECT_TIMEOUT
(connection deadline, seconds or a duration). Without a password file entry
pcpctl asks for the password, without echo, only when stdin is a terminal.

Output: -o table (the default on a terminal), plain (the default when
piped: tab separated, no header, "-" for empty), json, yaml, csv, tsv.
JSON and YAML keys follow SHOW pool_nodes.

Exit codes:
`)
	for _, e := range exitcode.Table {
		fmt.Fprintf(&b, "  %2d  %s\n", e.Code, e.Meaning)
	}
	return b.String()
}

// NewCmdRoot builds the command tree. It is built per invocation, never at
// package init, so the pcp_* path pays nothing for it.
func NewCmdRoot(ios *iostreams.IOStreams) *cobra.Command {
	return newCmdRoot(factory.New(ios))
}

// NewCmdRootWith builds the tree over a prepared factory (tests, gendocs).
func NewCmdRootWith(f *factory.Factory) *cobra.Command { return newCmdRoot(f) }

func newCmdRoot(f *factory.Factory) *cobra.Command {
	ios := f.IOStreams
	cmd := &cobra.Command{
		Use:           "pcpctl <command>",
		Short:         "Inspect and steer pgpool-II over PCP",
		Long:          LongHelp(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// -h is the pgpool host everywhere, as in the pcp_* tools, so help
		// is --help only.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.PersistentFlags().Bool("help", false, "show help for a command")
	f.AddConnFlags(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.Usage(err)
	})
	cmd.AddCommand(
		node.NewCmdNode(f),
		process.NewCmdProcess(f),
		pool.NewCmdPool(f),
		pgpool.NewCmdPgpool(f),
		cache.NewCmdCache(f),
		watchdog.NewCmdWatchdog(f),
		cluster.NewCmdCluster(f),
		check.NewCmdCheck(f, nil),
		serve.NewCmdServe(f, nil),
		events.NewCmdEvents(f, nil),
		contexts.NewCmdContext(f),
		statuscodes.NewCmdStatusCodes(ios, nil),
		completion.NewCmdCompletion(ios),
		version.NewCmdVersion(ios, f.Env),
	)
	// A group without a subcommand is a usage error, not silent help.
	for _, c := range cmd.Commands() {
		if c.HasSubCommands() {
			c.Args = cobra.NoArgs
			c.RunE = func(c *cobra.Command, args []string) error {
				c.Help()
				return &exitcode.Error{Code: exitcode.UsageError, Err: errors.New(c.Name() + " needs a subcommand"), Silent: false}
			}
		}
	}
	return cmd
}

func run(cmd *cobra.Command, ios *iostreams.IOStreams) int {
	err := cmd.Execute()
	if err == nil {
		return exitcode.OK
	}
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		if ee.Err != nil && !ee.Silent {
			fmt.Fprintf(ios.ErrOut, "pcpctl: %s\n", cmdutil.OneLine(ee.Err))
		}
		return ee.Code
	}
	// cobra's own complaints (unknown command, bad args) are usage errors.
	fmt.Fprintf(ios.ErrOut, "pcpctl: %s\n", err)
	return exitcode.UsageError
}

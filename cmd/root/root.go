// Package root assembles the modern pcpctl command tree.
package root

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Execute runs the modern command line and returns the exit code. SIGINT
// and SIGTERM cancel the command's context: waits end at once and watch
// mode exits cleanly.
func Execute(args []string, ios *iostreams.IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := NewCmdRoot(ios)
	cmd.SetArgs(JoinOptionalValues(cmd, args))
	cmd.SetContext(ctx)
	return run(cmd, ios)
}

// JoinOptionalValues lets a flag whose value is optional (--sql, --watch)
// take it as the next word too: "--sql 127.0.0.1:9999" becomes
// "--sql=127.0.0.1:9999". pflag reads such a flag bare and the word as a
// positional argument, so a host or port would be refused as an unknown
// command. Only a word the command would refuse as an argument is joined,
// so no meaning an argument could have is taken away.
func JoinOptionalValues(root *cobra.Command, args []string) []string {
	leaf, _, err := root.Find(args)
	if err != nil || leaf.Args == nil || leaf.Args(leaf, []string{"x"}) == nil {
		return args
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, long := strings.CutPrefix(a, "--")
		if long && !strings.Contains(name, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			if fl := leaf.Flags().Lookup(name); fl != nil && fl.NoOptDefVal != "" && fl.Value.Type() != "bool" {
				out = append(out, a+"="+args[i+1])
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

package shared

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/output"
)

// CompleteNodeIDs completes a node id from the server when it answers
// within two seconds without a prompt; otherwise it offers nothing.
func CompleteNodeIDs(f *factory.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := f.Settings()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s.Timeout, s.ConnectTimeout = 2*time.Second, 2*time.Second
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		c, err := f.ConnectQuiet(ctx, s)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer c.Close()
		infos, err := Nodes(ctx, c, s)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		l := output.NewNodeList(infos, nil)
		var out []string
		for i := range l.Nodes {
			n := &l.Nodes[i]
			out = append(out, fmt.Sprintf("%s\t%s %s", strconv.Itoa(n.ID), n.Addr(), state(n)))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// Package completion implements "pcpctl completion bash|zsh|fish".
package completion

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Shells are the supported shells.
var Shells = []string{"bash", "zsh", "fish"}

// NewCmdCompletion builds the command.
func NewCmdCompletion(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion <bash|zsh|fish>",
		Short: "Print a shell completion script",
		Long: `Print a completion script for bash, zsh or fish. Node ids are completed
from the server when it answers within two seconds without a password
prompt (password file or -w).

  bash:  source <(pcpctl completion bash)
  zsh:   pcpctl completion zsh > "${fpath[1]}/_pcpctl"
  fish:  pcpctl completion fish > ~/.config/fish/completions/pcpctl.fish`,
		ValidArgs: Shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exitcode.Usage(fmt.Errorf("completion needs one shell: bash, zsh or fish"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return Generate(cmd.Root(), args[0], ios.Out)
		},
	}
}

// Generate writes the completion script of root for shell.
func Generate(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	}
	return exitcode.Usage(fmt.Errorf("unsupported shell %q: want bash, zsh or fish", shell))
}

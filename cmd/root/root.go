// Package root assembles the modern pcpctl command tree.
package root

import (
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Execute runs the modern command line and returns the exit code.
func Execute(args []string, ios *iostreams.IOStreams) int {
	cmd := NewCmdRoot(ios)
	cmd.SetArgs(args)
	return run(cmd, ios)
}

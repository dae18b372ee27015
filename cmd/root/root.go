// Package root assembles the modern pcpctl command tree.
package root

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// Execute runs the modern command line and returns the exit code. SIGINT
// and SIGTERM cancel the command's context: waits end at once and watch
// mode exits cleanly.
func Execute(args []string, ios *iostreams.IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := NewCmdRoot(ios)
	cmd.SetArgs(args)
	cmd.SetContext(ctx)
	return run(cmd, ios)
}

// Command pcpctl is pgpool-II's PCP administration suite in one binary.
// Invoked as pcp_node_info (or any other stock tool name, through a symlink,
// or as "pcpctl pcp_node_info …") it is a drop-in for that tool; invoked as
// pcpctl it is the modern command line.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/root"
)

func main() {
	// pcpctl has no CPU work to spread: it waits on pgpool. The client
	// waits in blocking poll(2) calls, and with a single P the runtime's
	// monitor thread parks during those waits instead of waking every
	// 20-160 us (a third of the CPU of a watch refresh; BENCHMARKS.md).
	runtime.GOMAXPROCS(1)
	os.Exit(run(os.Args, iostreams.System()))
}

func run(args []string, ios *iostreams.IOStreams) int {
	name := filepath.Base(args[0])
	if strings.HasPrefix(name, "pcp_") {
		return compat.Run(name, args, ios)
	}
	if len(args) > 1 && strings.HasPrefix(args[1], "pcp_") {
		// "pcpctl pcp_node_info -n 0": the tool name becomes argv[0].
		return compat.Run(args[1], args[1:], ios)
	}
	return root.Execute(args[1:], ios)
}

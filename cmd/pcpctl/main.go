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
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/root"
)

func main() {
	os.Exit(run(os.Args, systemStreams, oneProc))
}

// oneProc: pcpctl has no CPU work to spread: it waits on pgpool. The client
// waits in blocking poll(2) calls, and with a single P the runtime's
// monitor thread parks during those waits instead of waking every 20-160 us
// (a third of the CPU of a watch refresh; BENCHMARKS.md). It stops the
// world (0.17 ms of a 2.3 ms pcp_node_count -V), so the pcp_* tools do it
// only once they are about to connect.
func oneProc() { runtime.GOMAXPROCS(1) }

// systemStreams is the process's streams; only the modern command line
// asks whether they are terminals.
func systemStreams(modern bool) *iostreams.IOStreams {
	if modern {
		return iostreams.System()
	}
	return iostreams.Plain()
}

// run dispatches on the name. The pcp_* tools get nothing of the modern
// command line: no terminal detection, no cobra tree. tune sets up the
// process for waiting (tests running in-process pass a no-op).
func run(args []string, streams func(modern bool) *iostreams.IOStreams, tune func()) int {
	name := filepath.Base(args[0])
	if strings.HasPrefix(name, "pcp_") {
		return compat.RunProcess(name, args, streams(false), environ.System(), tune)
	}
	if len(args) > 1 && strings.HasPrefix(args[1], "pcp_") {
		// "pcpctl pcp_node_info -n 0": the tool name becomes argv[0].
		return compat.RunProcess(args[1], args[1:], streams(false), environ.System(), tune)
	}
	tune()
	return root.Execute(args[1:], streams(true))
}

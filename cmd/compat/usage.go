package compat

import (
	"fmt"
	"io"
	"strings"
)

// Version is the pgpool-II release whose tools are reproduced by default
// (PCPCTL_COMPAT selects another; see Releases).
const Version = "4.3.5"

// Usage writes the tool's --help text, as the 4.3.5 tool does.
func Usage(w io.Writer, name string) {
	t, ok := lookup(name)
	if !ok {
		return
	}
	io.WriteString(w, t.usage())
}

func (t *tool) usage() string {
	var b strings.Builder
	operand := ""
	switch {
	case t.requiresNodeID():
		operand = "[node-id]"
	case t.kind == watchdogInfo:
		operand = "[watchdog-id]"
	case t.kind == procInfo:
		operand = "[process-id]"
	}
	fmt.Fprintf(&b, "%s - %s\n", t.name, t.description)
	fmt.Fprintf(&b, "Usage:\n")
	fmt.Fprintf(&b, "%s [OPTION...] %s\n", t.name, operand)
	b.WriteString("Options:\n")
	b.WriteString("  -U, --username=NAME    username for PCP authentication\n")
	b.WriteString("  -h, --host=HOSTNAME    pgpool-II host\n")
	b.WriteString("  -p, --port=PORT        PCP port number\n")
	b.WriteString("  -w, --no-password      never prompt for password\n")
	b.WriteString("  -W, --password         force password prompt (should happen automatically)\n")
	if t.requiresNodeID() {
		b.WriteString("  -n, --node-id=NODEID   ID of a backend node\n")
	}
	if t.kind == nodeInfo {
		b.WriteString("  -n, --node-id=NODEID   ID of a backend node\n")
		b.WriteString("  -a, --all              display all backend nodes information\n")
	}
	if t.kind == stopPgpool {
		b.WriteString("  -m, --mode=MODE        MODE can be \"smart\", \"fast\", or \"immediate\"\n")
	}
	if t.supportsScope() {
		b.WriteString("  -s, --scope=SCOPE      SCOPE can be \"cluster\", or \"local\"\n")
		b.WriteString("                         cluster scope do operations on all Pgpool-II nodes\n")
		b.WriteString("                         part of the watchdog cluster\n")
	}
	if t.kind == promoteNode || t.kind == detachNode {
		b.WriteString("  -g, --gracefully       promote gracefully (optional)\n")
	}
	if t.kind == promoteNode {
		b.WriteString("  -s, --switchover       switchover primary to specified node (optional)\n")
	}
	if t.kind == watchdogInfo {
		b.WriteString("  -n, --watchdog-id=ID   ID of a other pgpool to get information for\n")
		b.WriteString("                         ID 0 for the local watchdog\n")
		b.WriteString("                         If omitted then get information of all watchdog nodes\n")
	}
	if t.kind == procInfo {
		b.WriteString("  -P, --process-id=PID   PID of the child process to get information for (optional)\n")
		b.WriteString("  -a, --all              display all child processes and their available connection slots\n")
	}
	b.WriteString("  -d, --debug            enable debug message (optional)\n")
	b.WriteString("  -v, --verbose          output verbose messages\n")
	b.WriteString("  -?, --help             print this help\n\n")
	return b.String()
}

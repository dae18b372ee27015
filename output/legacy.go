package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/pcp"
)

// This file is the stdout of the pgpool-II 3.0–3.4 tools, which the legacy
// positional form prints whatever the server's release.

// LegacyNodeInfoText is 3.x pcp_node_info: host, port, the status number
// and the weight as a fraction; verbose gives four labelled lines.
func LegacyNodeInfoText(w io.Writer, n *pcp.NodeInfo, verbose bool) {
	weight := CFloat(n.Weight / pcp.RandMax)
	if verbose {
		fmt.Fprintf(w, "Hostname: %s\nPort    : %d\nStatus  : %d\nWeight  : %s\n", n.Hostname, n.Port, n.Status, weight)
		return
	}
	fmt.Fprintf(w, "%s %d %d %s\n", n.Hostname, n.Port, n.Status, weight)
}

// LegacyWatchdogText is 3.3–3.4 pcp_watchdog_info.
func LegacyWatchdogText(w io.Writer, wd *pcp.LegacyWatchdog, verbose bool) {
	if verbose {
		fmt.Fprintf(w, "Hostname     : %s\nPgpool port  : %d\nWatchdog port: %d\nStatus       : %d\n", wd.Hostname, wd.PgpoolPort, wd.WdPort, wd.Status)
		return
	}
	fmt.Fprintf(w, "%s %d %d %d\n", wd.Hostname, wd.PgpoolPort, wd.WdPort, wd.Status)
}

// legacyProc is one slot in the 3.1+ client's terms.
type legacyProc struct {
	db, user, start, created, major, minor, counter, backendPID, connected, pid, backendID string
}

// legacyProcFrom reads a process record of any release: 17+ strings (4.3+,
// pre-formatted), 11 (3.1–4.2, times as Unix seconds) or 9 (3.0).
func legacyProcFrom(r []string) (legacyProc, bool) {
	at := func(i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	secs := func(s string) string { return CTime(int64(pcp.Atol(s))) }
	switch {
	case len(r) >= 17:
		return legacyProc{at(5), at(6), at(1), at(7), at(11), at(12), at(13), at(14), at(15), at(0), at(4)}, true
	case len(r) == 11:
		return legacyProc{at(1), at(2), secs(at(3)), secs(at(4)), at(5), at(6), at(7), at(9), at(10), at(0), at(8)}, true
	case len(r) == 9:
		return legacyProc{at(0), at(1), secs(at(2)), secs(at(3)), at(4), at(5), at(6), at(7), at(8), "", ""}, true
	}
	return legacyProc{}, false
}

var legacyProcTitles = []string{"Database     : ", "Username     : ", "Start time   : ", "Creation time: ",
	"Major        : ", "Minor        : ", "Counter      : ", "Backend PID  : ", "Connected    : ",
	"PID          : ", "Backend ID   : "}

// LegacyProcessInfoText is 3.1–3.4 pcp_proc_info: slots without a database
// only with all, which also adds the child PID and backend id. It reports
// false when a record has a shape no release sends.
func LegacyProcessInfoText(w io.Writer, recs [][]string, all, verbose bool) bool {
	var b strings.Builder
	for _, r := range recs {
		p, ok := legacyProcFrom(r)
		if !ok {
			return false
		}
		if !all && p.db == "" {
			continue
		}
		vals := []string{p.db, p.user, p.start, p.created, p.major, p.minor, p.counter, p.backendPID, p.connected}
		if all {
			vals = append(vals, p.pid, p.backendID)
		}
		if verbose {
			for i, v := range vals {
				b.WriteString(legacyProcTitles[i] + v + "\n")
			}
			continue
		}
		b.WriteString(strings.Join(vals, " ") + "\n")
	}
	io.WriteString(w, b.String())
	return true
}

// LegacyErrorNames are the 3.x ErrorCode names, indexed by exit status.
var LegacyErrorNames = []string{
	0: "", 1: "UnknownError", 2: "EOFError", 3: "NoMemoryError", 4: "ReadError",
	5: "WriteError", 6: "TimeoutError", 7: "InvalidArgumentError", 8: "ConnectionError",
	9: "NoConnectionError", 10: "SocketError", 11: "HostError", 12: "BackendError",
	13: "AuthorizationError",
}

// LegacyErrorName is the name a 3.x tool prints for an exit status.
func LegacyErrorName(code int) string {
	if code > 0 && code < len(LegacyErrorNames) {
		return LegacyErrorNames[code]
	}
	return "UnknownError(" + strconv.Itoa(code) + ")"
}

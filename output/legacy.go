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

var legacyProcTitles = []string{"Database     : ", "Username     : ", "Start time   : ", "Creation time: ",
	"Major        : ", "Minor        : ", "Counter      : ", "Backend PID  : ", "Connected    : ",
	"PID          : ", "Backend ID   : "}

// slotTime is a slot's time as text: the Unix seconds of a pre-4.3 server
// formatted as the tools do, a 4.3+ server's text as it is.
func slotTime(s *pcp.ProcessSlot, v string) string {
	if s.Layout.TimesFormatted() {
		return v
	}
	return CTime(pcp.Atol(v))
}

// LegacyProcessInfoText is 3.1–3.4 pcp_proc_info, for a slot of any
// release: slots without a database only with all, which also adds the
// child PID and backend id (empty from a 3.0 server).
func LegacyProcessInfoText(w io.Writer, slots []pcp.ProcessSlot, all, verbose bool) {
	var b strings.Builder
	for i := range slots {
		s := &slots[i]
		if !all && s.Database == "" {
			continue
		}
		vals := []string{s.Database, s.Username, slotTime(s, s.StartTime), slotTime(s, s.BackendConnectionTime),
			s.Major, s.Minor, s.Counter, s.BackendPID, s.Connected}
		if all {
			vals = append(vals, s.PID, s.BackendID)
		}
		if verbose {
			for j, v := range vals {
				b.WriteString(legacyProcTitles[j] + v + "\n")
			}
			continue
		}
		b.WriteString(strings.Join(vals, " ") + "\n")
	}
	io.WriteString(w, b.String())
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

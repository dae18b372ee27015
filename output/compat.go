// Package output holds every printer: the exact text of the stock pgpool-II
// tools (per version), and the table, JSON, YAML and CSV views of the modern
// commands. Printers take typed values and a writer; they never talk to the
// network and never choose exit codes.
package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

// This file reproduces the 4.3.5 pcp_* tools' stdout byte for byte. Each
// function mirrors one output_*_result function of pcp_frontend_client.c.

// StatusName is the 3.6+ word for a backend status, "quarantine" included.
func StatusName(status int, quarantine bool) string { return health.StatusName(status, quarantine) }

// RoleName is the 4.2+ word for a server role.
func RoleName(role int) string { return health.RoleName(role) }

// CTime formats Unix seconds as the tools do: local time, "%F %T".
func CTime(sec int64) string {
	return time.Unix(sec, 0).Format("2006-01-02 15:04:05")
}

// CFloat is printf("%f").
func CFloat(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// formatTitles is format_titles(): every title padded to the longest, then
// " : " and the value, one per line, and a blank line after the record.
func formatTitles(w io.Writer, titles []string, values []string) {
	width := 0
	for _, t := range titles {
		width = max(width, len(t))
	}
	var b strings.Builder
	for i, t := range titles {
		b.WriteString(t)
		b.WriteString(strings.Repeat(" ", width-len(t)))
		b.WriteString(" : ")
		b.WriteString(values[i])
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// NodeCountText is pcp_node_count's output.
func NodeCountText(w io.Writer, n int, verbose bool) {
	if verbose {
		fmt.Fprintf(w, "Node Count\n____________\n %d\n", n)
		return
	}
	fmt.Fprintf(w, "%d\n", n)
}

var nodeTitles = []string{"Hostname", "Port", "Status", "Weight", "Status Name", "Backend Status Name", "Role", "Backend Role", "Replication Delay", "Replication State", "Replication Sync State", "Last Status Change"}

// NodeInfoFields are the twelve values pcp_node_info 4.3.5 prints for a node.
// Fields an older server does not send are filled as the 4.3.5 tool shows an
// unknown value: "unknown" for pg_status, role and pg_role, "none" for the
// replication states, 0 for the delay and the status change time.
func NodeInfoFields(n *pcp.NodeInfo) []string {
	pgStatus, pgRole := n.PgStatus, n.PgRole
	if !n.Layout.Has(pcp.FieldPgStatus) {
		pgStatus, pgRole = "unknown", "unknown"
	}
	return []string{
		n.Hostname,
		strconv.Itoa(n.Port),
		strconv.Itoa(n.Status),
		CFloat(n.Weight / pcp.RandMax),
		StatusName(n.Status, n.Quarantine),
		pgStatus,
		RoleName(n.Role),
		pgRole,
		delayText(n),
		noneIfEmpty(n.ReplicationState),
		noneIfEmpty(n.ReplicationSyncState),
		CTime(n.StatusChanged),
	}
}

// delayText is the replication delay as the 4.3.5 tool prints it: bytes.
// A 4.4+ server measuring the delay in time sends microseconds, which would
// pass for bytes; it is printed as the 4.4 tool does, %f seconds.
func delayText(n *pcp.NodeInfo) string {
	if n.DelayByTime {
		return CFloat(float64(n.Delay) / 1e6)
	}
	return strconv.FormatUint(n.Delay, 10)
}

// NodeInfoText is pcp_node_info's output: one line (or verbose block) per
// node; nodes with an empty host name only with all.
func NodeInfoText(w io.Writer, nodes []pcp.NodeInfo, all, verbose bool) {
	printed := false
	var b strings.Builder
	for i := range nodes {
		if !all && nodes[i].Hostname == "" {
			continue
		}
		printed = true
		f := NodeInfoFields(&nodes[i])
		if verbose {
			if nodes[i].DelayByTime {
				f[8] += " second"
				if nodes[i].Delay >= 2e6 {
					f[8] += "s"
				}
			}
			formatTitles(&b, nodeTitles, f)
			continue
		}
		b.WriteString(strings.Join(f, " "))
		b.WriteByte('\n')
	}
	if !printed {
		b.WriteString("No node information available\n\n")
	}
	io.WriteString(w, b.String())
}

// QuorumName is the verbose word for a watchdog QuorumStatus.
func QuorumName(q int) string { return health.QuorumName(q) }

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// WatchdogText is pcp_watchdog_info's output for a 3.5+ JSON reply.
func WatchdogText(w io.Writer, c *pcp.WatchdogCluster, verbose bool) {
	var b strings.Builder
	if verbose {
		fmt.Fprintf(&b, "Watchdog Cluster Information \n")
		fmt.Fprintf(&b, "Total Nodes              : %d\n", c.RemoteNodeCount+1)
		fmt.Fprintf(&b, "Remote Nodes             : %d\n", c.RemoteNodeCount)
		fmt.Fprintf(&b, "Member Remote Nodes      : %d\n", c.MemberRemoteNodeCount)
		fmt.Fprintf(&b, "Alive Remote Nodes       : %d\n", c.AliveNodeCount)
		fmt.Fprintf(&b, "Nodes required for quorum: %d\n", c.NodesRequireForQuorum)
		fmt.Fprintf(&b, "Quorum state             : %s\n", QuorumName(c.QuorumStatus))
		fmt.Fprintf(&b, "Local node escalation    : %s\n", yesNo(c.Escalated))
		fmt.Fprintf(&b, "Leader Node Name         : %s\n", c.LeaderNodeName)
		fmt.Fprintf(&b, "Leader Host Name         : %s\n\n", c.LeaderHostName)
		fmt.Fprintf(&b, "Watchdog Node Information \n")
		for _, n := range c.Nodes {
			fmt.Fprintf(&b, "Node Name         : %s\n", n.NodeName)
			fmt.Fprintf(&b, "Host Name         : %s\n", n.HostName)
			fmt.Fprintf(&b, "Delegate IP       : %s\n", n.DelegateIP)
			fmt.Fprintf(&b, "Pgpool port       : %d\n", n.PgpoolPort)
			fmt.Fprintf(&b, "Watchdog port     : %d\n", n.WdPort)
			fmt.Fprintf(&b, "Node priority     : %d\n", n.Priority)
			fmt.Fprintf(&b, "Status            : %d\n", n.State)
			fmt.Fprintf(&b, "Status Name       : %s\n", n.StateName)
			fmt.Fprintf(&b, "Membership Status : %s\n\n", n.MembershipString)
		}
	} else {
		fmt.Fprintf(&b, "%d %d %s %s %s\n\n", c.RemoteNodeCount+1, c.MemberRemoteNodeCount+1,
			yesNo(c.Escalated), c.LeaderNodeName, c.LeaderHostName)
		for _, n := range c.Nodes {
			fmt.Fprintf(&b, "%s %s %d %d %d %s %d %s\n", n.NodeName, n.HostName, n.PgpoolPort,
				n.WdPort, n.State, n.StateName, n.Membership, n.MembershipString)
		}
	}
	io.WriteString(w, b.String())
}

// ProcessCountText is pcp_proc_count's output.
func ProcessCountText(w io.Writer, pids []int, verbose bool) {
	var b strings.Builder
	if verbose {
		b.WriteString("No \t | \t PID\n_____________________\n")
		for i, p := range pids {
			fmt.Fprintf(&b, "%d \t | \t %d\n", i, p)
		}
		fmt.Fprintf(&b, "\nTotal Processes:%d\n", len(pids))
	} else {
		for _, p := range pids {
			fmt.Fprintf(&b, "%d ", p)
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

var procTitles = []string{"Database", "Username", "Start time", "Client connection count",
	"Major", "Minor", "Backend connection time", "Client connection time",
	"Client idle duration", "Client disconnection time", "Pool Counter", "Backend PID",
	"Connected", "PID", "Backend ID", "Status"}

// procLaterTitles are the titles of the fields later releases print after
// Status: 4.5's load balance node, 4.7's client host, port and statement
// (lower case in 4.7's tool).
var procLaterTitles = []string{"Load balance node", "client_host", "client_port", "statement"}

// procTitle is the verbose title of printed column i. A field that no
// known release sends gets a made-up title rather than being dropped.
func procTitle(i int) string {
	if i < len(procTitles) {
		return procTitles[i]
	}
	if j := i - len(procTitles); j < len(procLaterTitles) {
		return procLaterTitles[j]
	}
	return fmt.Sprintf("Field %d", i+2) // wire position, counting from 1
}

// procColumns are the values pcp_proc_info prints for a slot, in its order:
// the 16 of 4.3, then what the slot's release adds, then any later fields.
func procColumns(dst []string, s *pcp.ProcessSlot) []string {
	dst = append(dst, s.Database, s.Username, s.StartTime, s.ClientConnectionCount,
		s.Major, s.Minor, s.BackendConnectionTime, s.ClientConnectionTime,
		s.ClientIdleDuration, s.ClientDisconnectionTime, s.Counter, s.BackendPID,
		s.Connected, s.PID, s.BackendID, s.Status)
	if s.Layout.Has(pcp.ProcessFieldLoadBalanceNode) {
		dst = append(dst, s.LoadBalanceNode)
	}
	if s.Layout.Has(pcp.ProcessFieldClientAddress) {
		dst = append(dst, s.ClientHost, s.ClientPort, s.Statement)
	}
	return append(dst, s.Extra...)
}

// ProcessInfoText is pcp_proc_info's output as the 4.3+ tools print it.
// Each slot is printed with as many fields as the server sent: 16 for
// 4.3-4.4, 17 for 4.5-4.6 (load balance node), 20 for 4.7, and any further
// ones appended, as the tool of the reply's own release prints it; a
// pre-4.3 slot as a 4.3 libpcp misreads it. Slots without a child pid are
// never printed (4.4+ tools skip them; 4.3 servers send none).
func ProcessInfoText(w io.Writer, slots []pcp.ProcessSlot, all, verbose bool) {
	printed := false
	var b strings.Builder
	var vals, titles []string
	for i := range slots {
		s := slots[i].AsLibpcp43()
		if (!all && s.Database == "") || s.PID == "" {
			continue
		}
		printed = true
		vals = procColumns(vals[:0], &s)
		if verbose {
			titles = titles[:0]
			for j := range vals {
				titles = append(titles, procTitle(j))
			}
			formatTitles(&b, titles, vals)
			continue
		}
		b.WriteString(strings.Join(vals, " "))
		b.WriteByte('\n')
	}
	if !printed {
		b.WriteString("No process information available\n\n")
	}
	io.WriteString(w, b.String())
}

// PoolStatusText is pcp_pool_status's output.
func PoolStatusText(w io.Writer, items []pcp.ConfigItem, verbose bool) {
	var b strings.Builder
	for i, it := range items {
		if verbose {
			fmt.Fprintf(&b, "Name [%3d]:\t%s\nValue:      \t%s\nDescription:\t%s\n\n", i, it.Name, it.Value, it.Description)
		} else {
			fmt.Fprintf(&b, "name : %s\nvalue: %s\ndesc : %s\n\n", it.Name, it.Value, it.Description)
		}
	}
	io.WriteString(w, b.String())
}

var healthTitles = []string{"Node Id", "Host Name", "Port", "Status", "Role", "Last Status Change",
	"Total Count", "Success Count", "Fail Count", "Skip Count", "Retry Count",
	"Average Retry Count", "Max Retry Count", "Max Health Check Duration",
	"Minimum Health Check Duration", "Average Health Check Duration",
	"Last Health Check", "Last Successful Health Check",
	"Last Skip Health Check", "Last Failed Health Check"}

// HealthCheckText is pcp_health_check_stats's output: the twenty values as
// pgpool sent them (a later release's extra ones are not printed, as the
// tools print only the fields they know).
func HealthCheckText(w io.Writer, s *pcp.HealthStats, verbose bool) {
	fields := []string{s.NodeID, s.Hostname, s.Port, s.Status, s.Role, s.LastStatusChange,
		s.TotalCount, s.SuccessCount, s.FailCount, s.SkipCount, s.RetryCount,
		s.AverageRetryCount, s.MaxRetryCount, s.MaxDuration,
		s.MinDuration, s.AverageDuration,
		s.LastHealthCheck, s.LastSuccessfulHealthCheck,
		s.LastSkipHealthCheck, s.LastFailedHealthCheck}
	if verbose {
		formatTitles(w, healthTitles, fields)
		return
	}
	io.WriteString(w, strings.Join(fields, " ")+"\n")
}

// Package compat is the drop-in front end: invoked as pcp_node_info and the
// other stock names, pcpctl parses arguments with the stock tools' rules and
// prints their bytes, with their exit codes. The legacy 3.x positional form
// is recognised here too (see legacy.go).
package compat

// kind identifies a tool, like PCP_UTILITIES in pcp_frontend_client.c.
type kind int

const (
	attachNode kind = iota
	detachNode
	nodeCount
	nodeInfo
	healthCheckStats
	poolStatus
	procCount
	procInfo
	promoteNode
	recoveryNode
	stopPgpool
	watchdogInfo
	reloadConfig
	logRotate
	invalidateQueryCache
)

type tool struct {
	name        string
	kind        kind
	optstring   string
	description string
}

// tools is the 4.6 table, in its order: 4.3.5's, then 4.6's two new tools.
var tools = []tool{
	{"pcp_attach_node", attachNode, "n:h:p:U:wWvd", "attach a node from pgpool-II"},
	{"pcp_detach_node", detachNode, "n:h:p:U:gwWvd", "detach a node from pgpool-II"},
	{"pcp_node_count", nodeCount, "h:p:U:wWvd", "display the total number of nodes under pgpool-II's control"},
	{"pcp_node_info", nodeInfo, "n:h:p:U:awWvd", "display a pgpool-II node's information"},
	{"pcp_health_check_stats", healthCheckStats, "n:h:p:U:wWvd", "display a pgpool-II health check stats data"},
	{"pcp_pool_status", poolStatus, "h:p:U:wWvd", "display pgpool configuration and status"},
	{"pcp_proc_count", procCount, "h:p:U:wWvd", "display the list of pgpool-II child process PIDs"},
	{"pcp_proc_info", procInfo, "h:p:P:U:awWvd", "display a pgpool-II child process' information"},
	{"pcp_promote_node", promoteNode, "n:h:p:U:gswWvd", "promote a node as new main from pgpool-II"},
	{"pcp_recovery_node", recoveryNode, "n:h:p:U:wWvd", "recover a node"},
	{"pcp_stop_pgpool", stopPgpool, "m:h:p:U:s:wWvda", "terminate pgpool-II"},
	{"pcp_watchdog_info", watchdogInfo, "n:h:p:U:wWvd", "display a pgpool-II watchdog's information"},
	{"pcp_reload_config", reloadConfig, "h:p:U:s:wWvd", "reload a pgpool-II config file"},
	{"pcp_log_rotate", logRotate, "h:p:U:s:wWvd", "rotate the Pgpool-II's log file"},
	// -s is in its option string but not a scope: the tool refuses it.
	{"pcp_invalidate_query_cache", invalidateQueryCache, "h:p:U:s:wWvd", "invalidate query cache"},
}

// Names lists every tool name, for the multi-call dispatch, symlinks,
// completions and man pages.
func Names() []string {
	n := make([]string, len(tools))
	for i, t := range tools {
		n[i] = t.name
	}
	return n
}

// IsTool reports whether name is one of the pcp_* tools.
func IsTool(name string) bool {
	_, ok := lookup(name)
	return ok
}

func lookup(name string) (*tool, bool) {
	for i := range tools {
		if tools[i].name == name {
			return &tools[i], true
		}
	}
	return nil, false
}

// Description is the one-line description of a tool.
func Description(name string) string {
	if t, ok := lookup(name); ok {
		return t.description
	}
	return ""
}

func (t *tool) requiresNodeID() bool {
	switch t.kind {
	case attachNode, detachNode, healthCheckStats, promoteNode, recoveryNode:
		return true
	}
	return false
}

func (t *tool) supportsScope() bool {
	return t.kind == stopPgpool || t.kind == reloadConfig || t.kind == logRotate
}

package health

import (
	"fmt"
	"strconv"
	"strings"
)

// Mode is pgpool's backend_clustering_mode by name ("" when unknown).
type Mode string

const (
	ModeUnknown   Mode = ""
	ModeStreaming Mode = "streaming_replication"
	ModeNative    Mode = "native_replication"
	ModeLogical   Mode = "logical_replication"
	ModeSlony     Mode = "slony"
	ModeRaw       Mode = "raw"
	ModeSnapshot  Mode = "snapshot_isolation"
)

// modes is pgpool's ClusteringModes enum in its order (src/include/
// pool_config.h of 4.2+, counted from 1): pcp_pool_status prints the
// number.
// (An array, so that nothing runs at start-up: TestNoStartupWorkInOwnPackages.)
var modes = [...]Mode{ModeStreaming, ModeNative, ModeLogical, ModeSlony, ModeRaw, ModeSnapshot}

// ParseMode reads backend_clustering_mode as pcp_pool_status sends it (the
// enum's number) or as pgpool.conf spells it (the name).
func ParseMode(v string) Mode {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		if n >= 1 && n <= len(modes) {
			return modes[n-1]
		}
		return Mode(v)
	}
	return Mode(v)
}

// ModeNumber is the enum's number of m, 0 when m is not one of pgpool's.
func ModeNumber(m Mode) int {
	for i, x := range modes {
		if x == m {
			return i + 1
		}
	}
	return 0
}

// Modes lists pgpool's clustering modes in the enum's order.
func Modes() []Mode { return append([]Mode(nil), modes[:]...) }

// Known reports a mode pgpool told us (or one the roles imply).
func (m Mode) Known() bool { return m != ModeUnknown }

// HasPrimary is a mode in which one node takes the writes and the others
// replicate it, so that having none up is a fault.
func (m Mode) HasPrimary() bool { return m == ModeStreaming || m == ModeLogical }

// WritesEverywhere is a mode in which pgpool sends every write to every
// node (native replication, snapshot isolation): every up node must take
// writes, and a node that was down missed some.
func (m Mode) WritesEverywhere() bool { return m == ModeNative || m == ModeSnapshot }

// CanPromote is a mode in which pgpool accepts a promote request: pgpool
// refuses it outside streaming replication.
func (m Mode) CanPromote() bool { return m == ModeStreaming || m == ModeUnknown }

// MainWord is the role word of the node pgpool treats as first.
func (m Mode) MainWord() string {
	if m == ModeStreaming {
		return "primary"
	}
	return "main"
}

// Mode is pgpool's clustering mode as told, else as the roles imply:
// primary and standby only exist in streaming replication.
func (l *Nodes) EffectiveMode() Mode {
	if l.Mode.Known() {
		return l.Mode
	}
	if l.Streaming() {
		return ModeStreaming
	}
	return ModeUnknown
}

// PromoteRefusal is why pgpool in mode m would refuse to promote, "" when
// it would not.
func PromoteRefusal(m Mode) string {
	if m.CanPromote() {
		return ""
	}
	return fmt.Sprintf("pgpool runs in %s mode, which has no primary to promote (pgpool promotes in streaming_replication mode only)", m)
}

// AttachRefusal is why attaching node n is unsafe in mode m, "" when it is
// not: where every write goes to every node, a node that was down missed
// the writes made meanwhile, and attaching it serves stale, diverged data.
func AttachRefusal(m Mode, n *Node) string {
	if !m.WritesEverywhere() || !n.IsDown() {
		return ""
	}
	return fmt.Sprintf("pgpool runs in %s mode and the node is down, so it may have missed writes; copy the data back with online recovery instead: pcpctl node recover %d", m, n.ID)
}

// RecoveryStages names the stages pgpool runs in online recovery in mode m.
func RecoveryStages(m Mode) string {
	if m.WritesEverywhere() {
		return "1st stage (copy), 2nd stage (new connections held), remote start, attach"
	}
	return "1st stage (copy), remote start, attach"
}

// configEnum is a pcp_pool_status parameter that pgpool sends as the
// number of an enumeration: pgpool.conf's names in order, the first
// numbered first; "" where a number has no name in pgpool.conf
// (src/config/pool_config_variables.c, src/include/pool_config.h and
// src/include/utils/elog.h of 4.3.5; unchanged to 4.7.2). Most count from
// 1; log_error_verbosity from 0 (PGERROR_TERSE), and the message levels are
// elog.h's (DEBUG5 is 10; 16 is COMMERROR, no setting).
// (A function, not a map: nothing may run at start-up.)
func configEnum(name string) (names []string, first int) {
	switch name {
	case "backend_clustering_mode":
		names := make([]string, len(modes))
		for i, m := range modes {
			names[i] = string(m)
		}
		return names, 1
	case "log_standby_delay":
		return []string{"always", "if_over_threshold", "none"}, 1
	case "memqcache_method":
		return []string{"shmem", "memcached"}, 1
	case "wd_lifecheck_method":
		return []string{"query", "heartbeat", "external"}, 1
	case "disable_load_balance_on_write":
		return []string{"off", "transaction", "trans_transaction", "always", "dml_adaptive"}, 1
	case "relcache_query_target":
		return []string{"primary", "load_balance_node"}, 1
	case "check_temp_table":
		return []string{"catalog", "trace", "none", "on", "off"}, 1
	case "log_error_verbosity":
		return []string{"terse", "default", "verbose"}, 0
	case "client_min_messages", "log_min_messages":
		return []string{"debug5", "debug4", "debug3", "debug2", "debug1", "log", "", "info", "notice", "warning", "error", "fatal", "panic"}, 10
	}
	return nil, 0
}

// ConfigValue is a pcp_pool_status value as pcpctl shows it: an
// enumeration pgpool sends as its number is named, the number in brackets
// (backend_clustering_mode 2 is "native_replication [2]"); anything else,
// and a number out of range, as sent.
func ConfigValue(name, value string) string {
	names, first := configEnum(name)
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < first || n-first >= len(names) || names[n-first] == "" {
		return value
	}
	return fmt.Sprintf("%s [%d]", names[n-first], n)
}

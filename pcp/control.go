package pcp

import (
	"bytes"
	"strconv"
)

// PromoteNode ('J', or 'j' when Graceful) makes a node pgpool's primary.
// 4.3+ servers take "<id> " NUL and one raw option byte: 's' switchover
// (detach the old primary so failover_command promotes this node) or 'n'.
// Older servers read only the id; Legacy sends the old "<id>" NUL form.
type PromoteNode struct {
	NodeID     int
	Graceful   bool
	Switchover bool
	Legacy     bool
}

func (PromoteNode) Frontend() {}

func (m *PromoteNode) Encode(dst []byte) ([]byte, error) {
	kind := byte('J')
	if m.Graceful {
		kind = 'j'
	}
	if m.Legacy {
		return encodeIDRequest(dst, kind, m.NodeID)
	}
	dst, at := beginPacket(dst, kind)
	dst = strconv.AppendInt(dst, int64(m.NodeID), 10)
	dst = append(dst, ' ', 0)
	opt := byte('n')
	if m.Switchover {
		opt = 's'
	}
	dst = append(dst, opt)
	return finishRequest(dst, at)
}

func (m *PromoteNode) Decode(payload []byte) error {
	id, rest := firstString(payload)
	m.NodeID = Atoi(id)
	m.Legacy = !bytes.HasSuffix([]byte(id), []byte(" "))
	m.Switchover = len(rest) == 1 && rest[0] == 's'
	return nil
}

// StopPgpool ('T' local, 't' whole watchdog cluster on 4.2+) shuts pgpool
// down. Mode is 's' smart, 'f' fast or 'i' immediate, sent as one raw byte.
type StopPgpool struct {
	Mode    byte
	Cluster bool
}

func (StopPgpool) Frontend() {}

func (m *StopPgpool) Encode(dst []byte) ([]byte, error) {
	kind := byte('T')
	if m.Cluster {
		kind = 't'
	}
	dst, at := beginPacket(dst, kind)
	dst = append(dst, m.Mode)
	return finishRequest(dst, at)
}

func (m *StopPgpool) Decode(payload []byte) error {
	if len(payload) != 1 {
		return malformed('T', "stop request carries %d bytes, want 1", len(payload))
	}
	m.Mode = payload[0]
	return nil
}

// ReloadConfig ('Z', 4.2+) reloads pgpool.conf; Scope is 'l' or 'c'.
type ReloadConfig struct{ Scope byte }

func (ReloadConfig) Frontend() {}

func (m *ReloadConfig) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'Z')
	dst = append(dst, m.Scope)
	return finishRequest(dst, at)
}

func (m *ReloadConfig) Decode(payload []byte) error {
	if len(payload) != 1 {
		return malformed('Z', "reload request carries %d bytes, want 1", len(payload))
	}
	m.Scope = payload[0]
	return nil
}

// LogRotate ('V', 4.6+) makes pgpool's logging collector start a new log
// file; Scope is 'l' or 'c' (every watchdog member), as for ReloadConfig.
type LogRotate struct{ Scope byte }

func (LogRotate) Frontend() {}

func (m *LogRotate) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'V')
	dst = append(dst, m.Scope)
	return finishRequest(dst, at)
}

func (m *LogRotate) Decode(payload []byte) error {
	if len(payload) != 1 {
		return malformed('V', "log rotate request carries %d bytes, want 1", len(payload))
	}
	m.Scope = payload[0]
	return nil
}

// InvalidateQueryCache ('G', 4.6+) asks pgpool to drop its in-memory query
// cache. It has no payload: pgpool clears only its own cache.
type InvalidateQueryCache struct{}

func (InvalidateQueryCache) Frontend() {}

func (m *InvalidateQueryCache) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'G')
	return finishRequest(dst, at)
}

func (m *InvalidateQueryCache) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('G', "invalidate query cache request carries %d payload bytes", len(payload))
	}
	return nil
}

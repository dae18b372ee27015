package pcp

import (
	"fmt"
	"strconv"
)

// MaxBackends is pgpool's MAX_NUM_BACKENDS: node ids run from 0 to
// MaxBackends-1, and no honest reply holds more records.
const MaxBackends = 128

// NodeInfoRequest ('I') asks for one backend, or all of them with -1 (4.3+).
type NodeInfoRequest struct{ NodeID int }

func (NodeInfoRequest) Frontend() {}
func (m *NodeInfoRequest) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'I', m.NodeID)
}
func (m *NodeInfoRequest) Decode(payload []byte) (err error) {
	m.NodeID, err = decodeIDRequest('I', payload)
	return err
}

// Layout names the shape of a node record. Servers never announce their
// version, but every release series sends a distinct number of fields, so the
// count is the version signal. The values are those field counts.
type Layout int

const (
	Layout30  Layout = 4  // 3.0–3.6: host port status weight
	Layout37  Layout = 5  // 3.7.0–3.7.22: + role
	Layout37Q Layout = 6  // 3.7.23+: quarantine after status
	Layout40  Layout = 7  // 4.0.0–4.0.17: + delay, status change time
	Layout40Q Layout = 8  // 4.0.18+
	Layout41  Layout = 9  // 4.1.0–4.1.10, 4.2.0–4.2.7: + replication states
	Layout41Q Layout = 10 // 4.1.11+, 4.2.8+
	Layout43  Layout = 11 // 4.3.0: multi-record, pg_status and pg_role
	Layout43Q Layout = 12 // 4.3.1+
	Layout44  Layout = 13 // 4.4+: standby_delay_by_time
)

// MultiRecord reports the 4.3+ ArraySize/NodeInfo/CommandComplete framing.
func (l Layout) MultiRecord() bool { return l >= Layout43 }

func (l Layout) hasQuarantine() bool {
	switch l {
	case Layout37Q, Layout40Q, Layout41Q, Layout43Q, Layout44:
		return true
	}
	return false
}

// Has reports whether records of this layout carry the named field.
func (l Layout) Has(f Field) bool {
	switch f {
	case FieldQuarantine:
		return l.hasQuarantine()
	case FieldRole:
		return l >= Layout37
	case FieldDelay, FieldStatusChanged:
		return l >= Layout40
	case FieldReplication:
		return l >= Layout41
	case FieldPgStatus:
		return l >= Layout43
	case FieldDelayByTime:
		return l >= Layout44
	}
	return true
}

// Field names the optional parts of a node record.
type Field int

const (
	FieldQuarantine Field = iota
	FieldRole
	FieldDelay
	FieldStatusChanged
	FieldReplication
	FieldPgStatus // and pg_role
	FieldDelayByTime
)

// Version is the pgpool release range that sends this layout.
func (l Layout) Version() string {
	switch l {
	case Layout30:
		return "3.0-3.6"
	case Layout37:
		return "3.7.0-3.7.22"
	case Layout37Q:
		return "3.7.23+"
	case Layout40:
		return "4.0.0-4.0.17"
	case Layout40Q:
		return "4.0.18+"
	case Layout41:
		return "4.1.0-4.1.10/4.2.0-4.2.7"
	case Layout41Q:
		return "4.1.11+/4.2.8+"
	case Layout43:
		return "4.3.0"
	case Layout43Q:
		return "4.3.1-4.3.x"
	case Layout44:
		return "4.4+"
	}
	return "unknown"
}

// RandMax is glibc's RAND_MAX: pgpool normalises backend weights so that they
// sum to it, and clients divide by it for display.
const RandMax = 2147483647

// NodeInfo is one backend as pgpool describes it. Fields the server's layout
// does not carry hold their zero value (Role: -1); Layout says which are real.
type NodeInfo struct {
	Hostname             string
	Port                 int
	Status               int  // 0 unused, 1 waiting, 2 up, 3 down
	Quarantine           bool // meaningful with Status 3
	PgStatus             string
	Weight               float64 // as sent, normalised to RandMax
	Role                 int     // 0 main, 1 replica, 2 primary, 3 standby; -1 not sent
	PgRole               string
	DelayByTime          bool   // Delay is in microseconds rather than bytes
	Delay                uint64 // standby delay
	ReplicationState     string
	ReplicationSyncState string
	StatusChanged        int64 // Unix seconds
	Layout               Layout
}

// NodeInfoReply ('i') is one packet of a node info answer. On 4.3+ servers an
// answer is ArraySize, then Count NodeInfo packets, then CommandComplete; on
// older servers it is a single CommandComplete packet that carries the record.
type NodeInfoReply struct {
	Tag   string // "ArraySize", "NodeInfo" or "CommandComplete"
	Count int    // ArraySize only
	// HasNode is set for NodeInfo packets and for old single-record replies.
	HasNode bool
	Node    NodeInfo
}

func (NodeInfoReply) Backend() {}

func (m *NodeInfoReply) Decode(payload []byte) error {
	// Room for the longest record (tag + 13 fields) without a heap slice:
	// this runs once per backend, up to 128 times per answer.
	var room [16]string
	s, err := splitInto('i', room[:0], payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('i', "empty node info reply")
	}
	*m = NodeInfoReply{Tag: s[0]}
	fields := s[1:]
	switch m.Tag {
	case "ArraySize":
		if len(fields) < 1 {
			return malformed('i', "ArraySize without a count")
		}
		m.Count = Atoi(fields[0])
		if m.Count < 0 {
			return malformed('i', "negative ArraySize %d", m.Count)
		}
		return nil
	case "NodeInfo":
		l := Layout(len(fields))
		if l != Layout43 && l != Layout43Q && l != Layout44 {
			return malformed('i', "NodeInfo record has %d fields, want 11, 12 or 13", len(fields))
		}
		m.HasNode = true
		return m.Node.decode(fields, l)
	case "CommandComplete":
		if len(fields) == 0 {
			return nil
		}
		l := Layout(len(fields))
		if l < Layout30 || l > Layout41Q {
			return malformed('i', "single node record has %d fields, want 4 to 10", len(fields))
		}
		m.HasNode = true
		return m.Node.decode(fields, l)
	}
	// Any other tag is the server telling us something unexpected; the
	// caller reports it as the reason, as libpcp does.
	return nil
}

func (n *NodeInfo) decode(f []string, l Layout) error {
	*n = NodeInfo{Layout: l, Role: -1}
	next := func() string { v := f[0]; f = f[1:]; return v }
	n.Hostname = next()
	n.Port = Atoi(next())
	n.Status = Atoi(next())
	if l.hasQuarantine() {
		n.Quarantine = Atoi(next()) != 0
	}
	if l >= Layout43 {
		n.PgStatus = next()
	}
	n.Weight = Atof(next())
	if l >= Layout37 {
		n.Role = Atoi(next())
	}
	if l >= Layout43 {
		n.PgRole = next()
	}
	if l >= Layout44 {
		n.DelayByTime = Atoi(next()) != 0
	}
	if l >= Layout40 {
		n.Delay = uint64(Atol(next()))
	}
	if l >= Layout41 {
		n.ReplicationState = next()
		n.ReplicationSyncState = next()
	}
	if l >= Layout40 {
		n.StatusChanged = Atol(next())
	}
	if len(f) != 0 {
		return fmt.Errorf("internal: %d node fields left over", len(f))
	}
	return nil
}

// appendFields writes the record in the server's field order for its layout.
func (n *NodeInfo) appendFields(dst []byte) []byte {
	l := n.Layout
	dst = appendString(dst, n.Hostname)
	dst = appendString(dst, strconv.Itoa(n.Port))
	dst = appendString(dst, strconv.Itoa(n.Status))
	if l.hasQuarantine() {
		dst = appendString(dst, boolDigit(n.Quarantine))
	}
	if l >= Layout43 {
		dst = appendString(dst, n.PgStatus)
	}
	dst = appendString(dst, strconv.FormatFloat(n.Weight, 'f', 6, 64))
	if l >= Layout37 {
		dst = appendString(dst, strconv.Itoa(n.Role))
	}
	if l >= Layout43 {
		dst = appendString(dst, n.PgRole)
	}
	if l >= Layout44 {
		dst = appendString(dst, boolDigit(n.DelayByTime))
	}
	if l >= Layout40 {
		// Delay is read with atol, as libpcp does, so a value above
		// MaxInt64 can only have come from a negative number; writing it
		// back signed keeps decode(encode(x)) == x.
		dst = appendString(dst, strconv.FormatInt(int64(n.Delay), 10))
	}
	if l >= Layout41 {
		dst = appendString(dst, n.ReplicationState)
		dst = appendString(dst, n.ReplicationSyncState)
	}
	if l >= Layout40 {
		dst = appendString(dst, strconv.FormatInt(n.StatusChanged, 10))
	}
	return dst
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (m *NodeInfoReply) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'i')
	dst = appendString(dst, m.Tag)
	switch {
	case m.Tag == "ArraySize":
		dst = appendString(dst, strconv.Itoa(m.Count))
	case m.HasNode:
		dst = m.Node.appendFields(dst)
	}
	return finishPacket(dst, at)
}

package pcp

import (
	"fmt"
	"slices"
)

// ProcessLayout names the shape of a process info record. As with node
// info, no reply states its release, but each release series sends its own
// number of fields, so the values are those counts.
type ProcessLayout int

const (
	ProcessLayout30 ProcessLayout = 9  // 3.0: no child pid or backend id; times as Unix seconds
	ProcessLayout31 ProcessLayout = 11 // 3.1-4.2: + child pid first, backend id
	ProcessLayout43 ProcessLayout = 17 // 4.3-4.4: reworked, every field pre-formatted text
	ProcessLayout45 ProcessLayout = 18 // 4.5-4.6: + load_balance_node
	ProcessLayout47 ProcessLayout = 21 // 4.7+: + client_host, client_port, statement
)

// processWireRoom holds the longest known record without a heap slice.
const processWireRoom = int(ProcessLayout47)

// ProcessLayoutOf is the layout of a record of n fields. Any count from 4.7's
// on is 4.7's plus fields of a later release; every other count is one no
// release sends.
func ProcessLayoutOf(n int) (ProcessLayout, bool) {
	switch l := ProcessLayout(n); {
	case l == ProcessLayout30, l == ProcessLayout31, l == ProcessLayout43, l == ProcessLayout45:
		return l, true
	case l >= ProcessLayout47:
		return ProcessLayout47, true
	}
	return 0, false
}

// Version is the pgpool release range that sends this layout.
func (l ProcessLayout) Version() string {
	switch l {
	case ProcessLayout30:
		return "3.0"
	case ProcessLayout31:
		return "3.1-4.2"
	case ProcessLayout43:
		return "4.3-4.4"
	case ProcessLayout45:
		return "4.5-4.6"
	case ProcessLayout47:
		return "4.7+"
	}
	return "unknown"
}

// ProcessField names the parts of a process record that not every layout
// carries.
type ProcessField int

const (
	ProcessFieldPID             ProcessField = iota // PID and BackendID: 3.1+
	ProcessFieldClient                              // the client's count, times and idle duration, PoolID, Status: 4.3+
	ProcessFieldLoadBalanceNode                     // 4.5+
	ProcessFieldClientAddress                       // ClientHost, ClientPort and Statement: 4.7+
)

// Has reports whether records of this layout carry the field.
func (l ProcessLayout) Has(f ProcessField) bool {
	switch f {
	case ProcessFieldPID:
		return l >= ProcessLayout31
	case ProcessFieldClient:
		return l >= ProcessLayout43
	case ProcessFieldLoadBalanceNode:
		return l >= ProcessLayout45
	case ProcessFieldClientAddress:
		return l >= ProcessLayout47
	}
	return true
}

// TimesFormatted reports text times ("YYYY-MM-DD HH:MM:SS" in the server's
// zone, which the tools print as sent); before 4.3 StartTime and
// BackendConnectionTime are Unix seconds, which the tools format.
func (l ProcessLayout) TimesFormatted() bool { return l >= ProcessLayout43 }

// ProcessSlot is one connection slot of one pgpool child as process info
// describes it. Every value is the server's text: pgpool formats them
// itself, suffixes included (" (m:ss before process restarting)"), and the
// tools print them with %s. Fields the layout does not carry are empty;
// Layout says which are real.
type ProcessSlot struct {
	Layout ProcessLayout

	PID                     string // child process; empty for a 4.4+ child not started yet
	StartTime               string // the child's start
	ClientConnectionCount   string // clients the child has served
	PoolID                  string // the slot within the child
	BackendID               string
	Database                string // empty for an unused slot
	Username                string
	BackendConnectionTime   string // 3.x's create_time
	ClientConnectionTime    string
	ClientDisconnectionTime string
	ClientIdleDuration      string // seconds
	Major, Minor            string // protocol version
	Counter                 string // times the connection was reused
	BackendPID              string
	Connected               string // "1" or "0"
	Status                  string // "Idle", "Execute command", …
	LoadBalanceNode         string
	ClientHost              string
	ClientPort              string
	Statement               string

	// Extra are the fields a release after 4.7 appends, in wire order
	// (ProcessLayout47 only).
	Extra []string
}

// ProcessSlotOf decodes a record from its strings in wire order.
func ProcessSlotOf(fields []string) (ProcessSlot, error) {
	var s ProcessSlot
	err := s.decode(fields)
	return s, err
}

// decode fills s in place: the reply decodes into its own Slot, so the
// record is not built on the heap a second time.
func (s *ProcessSlot) decode(fields []string) error {
	l, ok := ProcessLayoutOf(len(fields))
	if !ok {
		*s = ProcessSlot{}
		return malformed('p', "ProcessInfo record has %d fields, want 9, 11, 17, 18 or at least 21", len(fields))
	}
	*s = ProcessSlot{Layout: l}
	var room [processWireRoom]*string
	wire, _ := s.wire(room[:0])
	for i, f := range wire {
		*f = fields[i]
	}
	if len(fields) > len(wire) {
		s.Extra = slices.Clone(fields[len(wire):])
	}
	return nil
}

// Fields is the record's strings in wire order, Extra included:
// ProcessSlotOf(s.Fields()) is s.
func (s *ProcessSlot) Fields() []string {
	var room [processWireRoom]*string
	wire, _ := s.wire(room[:0])
	out := make([]string, 0, len(wire)+len(s.Extra))
	for _, f := range wire {
		out = append(out, *f)
	}
	return append(out, s.Extra...)
}

// wire appends the fields of the slot's layout to dst in the server's
// order. The one list serves both directions, so Encode and Decode cannot
// disagree about a position.
func (s *ProcessSlot) wire(dst []*string) ([]*string, error) {
	if len(s.Extra) > 0 && s.Layout != ProcessLayout47 {
		return dst, fmt.Errorf("pcp: process slot of layout %d with %d extra fields: only 4.7's layout is followed by others", s.Layout, len(s.Extra))
	}
	switch s.Layout {
	case ProcessLayout30:
		return append(dst, &s.Database, &s.Username, &s.StartTime, &s.BackendConnectionTime,
			&s.Major, &s.Minor, &s.Counter, &s.BackendPID, &s.Connected), nil
	case ProcessLayout31:
		return append(dst, &s.PID, &s.Database, &s.Username, &s.StartTime, &s.BackendConnectionTime,
			&s.Major, &s.Minor, &s.Counter, &s.BackendID, &s.BackendPID, &s.Connected), nil
	case ProcessLayout43, ProcessLayout45, ProcessLayout47:
	default:
		return dst, fmt.Errorf("pcp: process slot of unknown layout %d", s.Layout)
	}
	dst = append(dst, &s.PID, &s.StartTime, &s.ClientConnectionCount, &s.PoolID, &s.BackendID,
		&s.Database, &s.Username, &s.BackendConnectionTime, &s.ClientConnectionTime,
		&s.ClientDisconnectionTime, &s.ClientIdleDuration, &s.Major, &s.Minor, &s.Counter,
		&s.BackendPID, &s.Connected, &s.Status)
	if s.Layout.Has(ProcessFieldLoadBalanceNode) {
		dst = append(dst, &s.LoadBalanceNode)
	}
	if s.Layout.Has(ProcessFieldClientAddress) {
		dst = append(dst, &s.ClientHost, &s.ClientPort, &s.Statement)
	}
	return dst, nil
}

// AsLibpcp43 is the record as a 4.3+ libpcp reads it: it copies the strings
// in wire order into its 4.3 fields whatever their number, so an older
// server's record lands in the wrong fields, and those it lacks stay empty.
// The pcp_* tools of 4.3 on print exactly that.
func (s ProcessSlot) AsLibpcp43() ProcessSlot {
	if s.Layout.TimesFormatted() {
		return s
	}
	f := make([]string, ProcessLayout43)
	copy(f, s.Fields())
	r, _ := ProcessSlotOf(f)
	return r
}

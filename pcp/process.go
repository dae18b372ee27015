package pcp

import "strconv"

// ProcessCountRequest ('N') asks for the PIDs of pgpool's child processes.
type ProcessCountRequest struct{}

func (ProcessCountRequest) Frontend() {}
func (m *ProcessCountRequest) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'N')
	return finishRequest(dst, at)
}
func (m *ProcessCountRequest) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('N', "process count request carries %d payload bytes", len(payload))
	}
	return nil
}

// ProcessCount ('n') is "CommandComplete", the count, then one PID each.
type ProcessCount struct {
	Tag  string
	PIDs []int
}

func (ProcessCount) Backend() {}

func (m *ProcessCount) Decode(payload []byte) error {
	s, err := splitStrings('n', payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('n', "empty process count reply")
	}
	*m = ProcessCount{Tag: s[0]}
	if m.Tag != "CommandComplete" {
		return nil
	}
	if len(s) < 2 {
		return malformed('n', "process count reply without a count")
	}
	n := Atoi(s[1])
	if n < 0 || n > len(s)-2 {
		return malformed('n', "process count %d but %d PIDs", n, len(s)-2)
	}
	m.PIDs = make([]int, n)
	for i := range m.PIDs {
		m.PIDs[i] = Atoi(s[2+i])
	}
	return nil
}

func (m *ProcessCount) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'n')
	dst = appendString(dst, m.Tag)
	if m.Tag == "CommandComplete" {
		dst = appendString(dst, strconv.Itoa(len(m.PIDs)))
		for _, p := range m.PIDs {
			dst = appendString(dst, strconv.Itoa(p))
		}
	}
	return finishPacket(dst, at)
}

// ProcessInfoRequest ('P') asks about one child, or all with PID 0.
type ProcessInfoRequest struct{ PID int }

func (ProcessInfoRequest) Frontend() {}
func (m *ProcessInfoRequest) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'P', m.PID)
}
func (m *ProcessInfoRequest) Decode(payload []byte) (err error) {
	m.PID, err = decodeIDRequest('P', payload)
	return err
}

// ProcessInfoReply ('p') is one packet of ArraySize / ProcessInfo… /
// CommandComplete; a ProcessInfo packet carries one Slot.
type ProcessInfoReply struct {
	Tag   string
	Count int         // ArraySize
	Slot  ProcessSlot // ProcessInfo
}

func (ProcessInfoReply) Backend() {}

func (m *ProcessInfoReply) Decode(payload []byte) error {
	// Room for a 4.7 record and its tag without a heap slice: this runs
	// once per slot, num_init_children × max_pool × backends times.
	var room [processWireRoom + 1]string
	s, err := splitInto('p', room[:0], payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('p', "empty process info reply")
	}
	*m = ProcessInfoReply{Tag: s[0]}
	switch m.Tag {
	case "ArraySize":
		if len(s) < 2 {
			return malformed('p', "ArraySize without a count")
		}
		m.Count = Atoi(s[1])
		if m.Count < 0 {
			return malformed('p', "negative ArraySize %d", m.Count)
		}
	case "ProcessInfo":
		return m.Slot.decode(s[1:])
	}
	return nil
}

func (m *ProcessInfoReply) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'p')
	dst = appendString(dst, m.Tag)
	switch m.Tag {
	case "ArraySize":
		dst = appendString(dst, strconv.Itoa(m.Count))
	case "ProcessInfo":
		var room [processWireRoom]*string
		wire, err := m.Slot.wire(room[:0])
		if err != nil {
			return dst, err
		}
		for _, f := range wire {
			dst = appendString(dst, *f)
		}
		for _, f := range m.Slot.Extra {
			dst = appendString(dst, f)
		}
	}
	return finishPacket(dst, at)
}

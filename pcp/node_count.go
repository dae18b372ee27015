package pcp

import "strconv"

// NodeCountRequest ('L') asks how many backends are configured.
type NodeCountRequest struct{}

func (NodeCountRequest) Frontend() {}

func (m *NodeCountRequest) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('L', "node count request carries %d payload bytes", len(payload))
	}
	return nil
}

func (m *NodeCountRequest) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'L')
	return finishRequest(dst, at)
}

// NodeCount ('l') is "CommandComplete" and the count as text.
type NodeCount struct {
	Tag   string
	Count int
	// HasCount is false when the reply ended after its tag.
	HasCount bool
}

func (NodeCount) Backend() {}

func (m *NodeCount) Decode(payload []byte) error {
	s, err := splitStrings('l', payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('l', "empty node count reply")
	}
	*m = NodeCount{Tag: s[0]}
	if len(s) > 1 {
		m.Count, m.HasCount = Atoi(s[1]), true
	}
	return nil
}

func (m *NodeCount) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'l')
	dst = appendString(dst, m.Tag)
	if m.HasCount {
		dst = appendString(dst, strconv.Itoa(m.Count))
	}
	return finishPacket(dst, at)
}

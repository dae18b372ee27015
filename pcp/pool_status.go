package pcp

import "encoding/binary"

// PoolStatusRequest ('B') asks for pgpool's configuration and status.
type PoolStatusRequest struct{}

func (PoolStatusRequest) Frontend() {}
func (m *PoolStatusRequest) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'B')
	return finishRequest(dst, at)
}
func (m *PoolStatusRequest) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('B', "pool status request carries %d payload bytes", len(payload))
	}
	return nil
}

// ConfigItem is one row of pcp_pool_status (and of SHOW pool_status): a
// setting or status value as pgpool words it.
type ConfigItem struct {
	Name, Value, Description string
}

// PoolStatusReply ('b') is one packet of ArraySize / ProcessConfig… /
// CommandComplete. Unlike every other count in PCP, ArraySize here is a raw
// big-endian int32, not text.
type PoolStatusReply struct {
	Tag   string
	Count int        // ArraySize
	Item  ConfigItem // ProcessConfig
}

func (PoolStatusReply) Backend() {}

func (m *PoolStatusReply) Decode(payload []byte) error {
	tag, rest := firstString(payload)
	*m = PoolStatusReply{Tag: tag}
	switch tag {
	case "ArraySize":
		if len(rest) < 4 {
			return malformed('b', "ArraySize needs 4 binary bytes, has %d", len(rest))
		}
		m.Count = int(int32(binary.BigEndian.Uint32(rest)))
		if m.Count < 0 {
			return malformed('b', "negative ArraySize %d", m.Count)
		}
	case "ProcessConfig":
		s, err := splitStrings('b', rest)
		if err != nil {
			return err
		}
		if len(s) < 3 {
			return malformed('b', "ProcessConfig has %d strings, want 3", len(s))
		}
		m.Item = ConfigItem{Name: s[0], Value: s[1], Description: s[2]}
	}
	return nil
}

func (m *PoolStatusReply) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'b')
	dst = appendString(dst, m.Tag)
	switch m.Tag {
	case "ArraySize":
		dst = binary.BigEndian.AppendUint32(dst, uint32(m.Count))
	case "ProcessConfig":
		dst = appendString(dst, m.Item.Name)
		dst = appendString(dst, m.Item.Value)
		dst = appendString(dst, m.Item.Description)
	}
	return finishPacket(dst, at)
}

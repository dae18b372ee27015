package pcp

// AttachNode ('C') asks pgpool to fail a node back.
type AttachNode struct{ NodeID int }

func (AttachNode) Frontend() {}
func (m *AttachNode) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'C', m.NodeID)
}
func (m *AttachNode) Decode(payload []byte) (err error) {
	m.NodeID, err = decodeIDRequest('C', payload)
	return err
}

// DetachNode ('D', or 'd' when Graceful) asks pgpool to degenerate a node.
type DetachNode struct {
	NodeID   int
	Graceful bool
}

func (DetachNode) Frontend() {}
func (m *DetachNode) Encode(dst []byte) ([]byte, error) {
	kind := byte('D')
	if m.Graceful {
		kind = 'd'
	}
	return encodeIDRequest(dst, kind, m.NodeID)
}

// Decode cannot know the kind from the payload; callers set Graceful.
func (m *DetachNode) Decode(payload []byte) (err error) {
	m.NodeID, err = decodeIDRequest('D', payload)
	return err
}

// RecoverNode ('O') starts online recovery of a node; the reply comes only
// when the whole recovery has finished.
type RecoverNode struct{ NodeID int }

func (RecoverNode) Frontend() {}
func (m *RecoverNode) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'O', m.NodeID)
}
func (m *RecoverNode) Decode(payload []byte) (err error) {
	m.NodeID, err = decodeIDRequest('O', payload)
	return err
}

// Terminate ('X') ends the session; the server does not answer.
type Terminate struct{}

func (Terminate) Frontend() {}
func (m *Terminate) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'X')
	return finishRequest(dst, at)
}
func (m *Terminate) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('X', "terminate carries %d payload bytes", len(payload))
	}
	return nil
}

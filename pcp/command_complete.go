package pcp

// CommandComplete is the one-string reply of the action commands: kind 'c'
// (attach, recovery), 'd' (detach, promote), 't' (stop), 'z' (reload),
// 'v', 'g', 'a'. Tag is "CommandComplete" on success; 3.0–3.4 servers answer
// a refused detach with "CommandFailed".
type CommandComplete struct {
	Kind byte
	Tag  string
}

func (CommandComplete) Backend() {}

// OK reports the success tag.
func (m *CommandComplete) OK() bool { return m.Tag == "CommandComplete" }

func (m *CommandComplete) Decode(payload []byte) error {
	tag, _ := firstString(payload)
	m.Tag = tag
	return nil
}

func (m *CommandComplete) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, m.Kind)
	if m.Tag != "" || m.Kind != 't' {
		dst = appendString(dst, m.Tag)
	}
	return finishPacket(dst, at)
}

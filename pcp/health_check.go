package pcp

// HealthCheckRequest ('H', 4.2+) asks for one node's health check statistics.
type HealthCheckRequest struct{ NodeID int }

func (HealthCheckRequest) Frontend() {}
func (m *HealthCheckRequest) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'H', m.NodeID)
}
func (m *HealthCheckRequest) Decode(payload []byte) (err error) {
	m.NodeID, err = decodeIDRequest('H', payload)
	return err
}

// HealthCheckFieldCount is the number of strings after the tag.
const HealthCheckFieldCount = 20

// HealthCheckStats ('h') is "CommandComplete" and 20 pre-formatted strings:
// node_id, hostname, port, status, role, last_status_change, total_count,
// success_count, fail_count, skip_count, retry_count, average_retry_count,
// max_retry_count, max/min/average duration, last_health_check,
// last_successful_health_check, last_skip_health_check,
// last_failed_health_check.
type HealthCheckStats struct {
	Tag    string
	Fields []string
}

func (HealthCheckStats) Backend() {}

func (m *HealthCheckStats) Decode(payload []byte) error {
	s, err := splitStrings('h', payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('h', "empty health check reply")
	}
	*m = HealthCheckStats{Tag: s[0], Fields: s[1:]}
	return nil
}

func (m *HealthCheckStats) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'h')
	dst = appendString(dst, m.Tag)
	for _, f := range m.Fields {
		dst = appendString(dst, f)
	}
	return finishPacket(dst, at)
}

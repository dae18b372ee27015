package pcp

import "slices"

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

// HealthStats is one node's health check statistics. Every value is the
// server's text, as pgpool formats it and pcp_health_check_stats prints it:
// the status and role as words, times "YYYY-MM-DD HH:MM:SS" in the server's
// zone or empty, averages as %f.
type HealthStats struct {
	NodeID, Hostname, Port string
	Status, Role           string
	LastStatusChange       string

	TotalCount, SuccessCount, FailCount, SkipCount string
	RetryCount, AverageRetryCount, MaxRetryCount   string
	// Durations are in milliseconds.
	MaxDuration, MinDuration, AverageDuration string

	LastHealthCheck, LastSuccessfulHealthCheck string
	LastSkipHealthCheck, LastFailedHealthCheck string

	// Extra are the strings a later release appends, in wire order.
	Extra []string
}

// wire lists the fields in the server's order, for both directions.
func (s *HealthStats) wire() [HealthCheckFieldCount]*string {
	return [...]*string{&s.NodeID, &s.Hostname, &s.Port, &s.Status, &s.Role, &s.LastStatusChange,
		&s.TotalCount, &s.SuccessCount, &s.FailCount, &s.SkipCount, &s.RetryCount,
		&s.AverageRetryCount, &s.MaxRetryCount, &s.MaxDuration, &s.MinDuration, &s.AverageDuration,
		&s.LastHealthCheck, &s.LastSuccessfulHealthCheck, &s.LastSkipHealthCheck, &s.LastFailedHealthCheck}
}

// HealthCheckStats ('h') is "CommandComplete" and the statistics. A reply
// with fewer than 20 strings leaves the rest empty, as the tools print a
// short reply with empty values rather than refuse it.
type HealthCheckStats struct {
	Tag   string
	Stats HealthStats // with Tag "CommandComplete"
}

func (HealthCheckStats) Backend() {}

func (m *HealthCheckStats) Decode(payload []byte) error {
	var room [HealthCheckFieldCount + 1]string
	s, err := splitInto('h', room[:0], payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('h', "empty health check reply")
	}
	*m = HealthCheckStats{Tag: s[0]}
	if m.Tag != "CommandComplete" {
		return nil
	}
	s = s[1:]
	for i, f := range m.Stats.wire() {
		if i < len(s) {
			*f = s[i]
		}
	}
	if len(s) > HealthCheckFieldCount {
		m.Stats.Extra = slices.Clone(s[HealthCheckFieldCount:])
	}
	return nil
}

func (m *HealthCheckStats) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'h')
	dst = appendString(dst, m.Tag)
	if m.Tag == "CommandComplete" {
		for _, f := range m.Stats.wire() {
			dst = appendString(dst, *f)
		}
		for _, f := range m.Stats.Extra {
			dst = appendString(dst, f)
		}
	}
	return finishPacket(dst, at)
}

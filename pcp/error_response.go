package pcp

// ErrorField is one (code, text) pair of an error or notice.
type ErrorField struct {
	Code  byte
	Value string
}

// ErrorResponse is an 'E' (error) or 'N' (notice) packet of a 3.5+ server,
// laid out like PostgreSQL's: code byte + NUL-terminated text, repeated, then
// a final NUL. pgpool always sends S, C, M, optional D and H, then F and L.
type ErrorResponse struct {
	Notice bool // kind 'N' rather than 'E'
	Fields []ErrorField
}

func (ErrorResponse) Backend() {}

// maxErrorFields bounds the fields of one error or notice: pgpool sends at
// most seven, PostgreSQL's protocol defines under twenty, and each costs a
// 24-byte header however short, so a 1 MiB packet of two-byte fields would
// otherwise take some 60 MiB to decode.
const maxErrorFields = 64

func (m *ErrorResponse) field(code byte) string {
	for _, f := range m.Fields {
		if f.Code == code {
			return f.Value
		}
	}
	return ""
}

// Severity is the S field (ERROR, FATAL, NOTICE, …).
func (m *ErrorResponse) Severity() string { return m.field('S') }

// Message is the M field.
func (m *ErrorResponse) Message() string { return m.field('M') }

// Detail is the D field, "" when absent.
func (m *ErrorResponse) Detail() string { return m.field('D') }

// Has reports whether the field is present at all.
func (m *ErrorResponse) Has(code byte) bool {
	for _, f := range m.Fields {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Fatal reports a FATAL or PANIC: the server closes the connection after it.
func (m *ErrorResponse) Fatal() bool {
	s := m.Severity()
	return s == "FATAL" || s == "PANIC"
}

func (m *ErrorResponse) kind() byte {
	if m.Notice {
		return 'N'
	}
	return 'E'
}

// Decode parses the field list. It is stricter than libpcp in one way only:
// libpcp does not step over the S, M and D values it keeps, so a message
// starting with 'M', 'S' or 'D' is misread there; we parse the list as sent.
func (m *ErrorResponse) Decode(payload []byte) error {
	m.Fields = m.Fields[:0]
	for len(payload) > 0 {
		code := payload[0]
		if code == 0 {
			return nil
		}
		if len(m.Fields) == maxErrorFields {
			return malformed(m.kind(), "more than %d fields", maxErrorFields)
		}
		var v string
		v, payload = firstString(payload[1:])
		m.Fields = append(m.Fields, ErrorField{Code: code, Value: v})
	}
	return nil
}

func (m *ErrorResponse) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, m.kind())
	for _, f := range m.Fields {
		dst = append(dst, f.Code)
		dst = appendString(dst, f.Value)
	}
	dst = append(dst, 0)
	return finishPacket(dst, at)
}

// LegacyError is the 'e' packet of 3.0–3.4 servers: one string such as
// "Invalid Node ID" or "watchdog not enabled".
type LegacyError struct {
	Message string
}

func (LegacyError) Backend() {}

func (m *LegacyError) Decode(payload []byte) error {
	m.Message, _ = firstString(payload)
	return nil
}

func (m *LegacyError) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'e')
	dst = appendString(dst, m.Message)
	return finishPacket(dst, at)
}

// LibpcpFields returns severity, message and detail the way libpcp (3.5+)
// extracts them, quirk included: its scanner does not step over the S, M and
// D values it keeps, so their first character is read as the next field code
// and a message beginning with 'M', 'S' or 'D' lands in the wrong field. The
// stock tools print what this returns; ok is false when libpcp would find
// neither a severity nor a message and so print nothing of the packet.
func (m *ErrorResponse) LibpcpFields() (sev, msg, det *string, ok bool) {
	raw, _ := m.Encode(nil)
	b := raw[5:] // skip kind and length
	cstr := func(i int) *string {
		j := i
		for j < len(b) && b[j] != 0 {
			j++
		}
		s := string(b[i:j])
		return &s
	}
	i := 0
	for i < len(b) && b[i] != 0 {
		typ := b[i]
		i++
		if i >= len(b) || b[i] == 0 {
			break
		}
		switch typ {
		case 'M':
			msg = cstr(i)
		case 'S':
			sev = cstr(i)
		case 'D':
			det = cstr(i)
		default:
			for i < len(b) && b[i] != 0 {
				i++
			}
			i++
		}
		if sev != nil && msg != nil && det != nil {
			break
		}
	}
	return sev, msg, det, sev != nil || msg != nil
}

// LibpcpText renders the packet as libpcp formats it: "<S>:  <M>\n" and, when
// there is a detail, "DETAIL:  <D>\n". A missing severity or message prints
// as "(null)", as glibc's printf does.
func (m *ErrorResponse) LibpcpText() (string, bool) {
	sev, msg, det, ok := m.LibpcpFields()
	if !ok {
		return "", false
	}
	s := orNull(sev) + ":  " + orNull(msg) + "\n"
	if det != nil {
		s += "DETAIL:  " + *det + "\n"
	}
	return s, true
}

func orNull(s *string) string {
	if s == nil {
		return "(null)"
	}
	return *s
}

package pcp

import (
	"crypto/md5"
	"encoding/hex"
)

// SaltRequest ('M', no payload) asks the server for an authentication salt.
type SaltRequest struct{}

func (SaltRequest) Frontend() {}

func (m *SaltRequest) Decode(payload []byte) error {
	if len(payload) != 0 {
		return malformed('M', "salt request carries %d payload bytes", len(payload))
	}
	return nil
}

func (m *SaltRequest) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'M')
	return finishRequest(dst, at)
}

// Salt ('m') is the server's four raw salt bytes.
type Salt struct {
	Salt [4]byte
}

func (Salt) Backend() {}

func (m *Salt) Decode(payload []byte) error {
	if len(payload) != 4 {
		return malformed('m', "salt has %d bytes, want 4", len(payload))
	}
	copy(m.Salt[:], payload)
	return nil
}

func (m *Salt) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'm')
	dst = append(dst, m.Salt[:]...)
	return finishPacket(dst, at)
}

// Authenticate ('R') carries the user name and the salted MD5 response.
type Authenticate struct {
	User     string
	Response string // 32 lowercase hex digits, see MD5Response
}

func (Authenticate) Frontend() {}

func (m *Authenticate) Decode(payload []byte) error {
	s, err := splitStrings('R', payload)
	if err != nil {
		return err
	}
	if len(s) != 2 {
		return malformed('R', "want user and response, got %d strings", len(s))
	}
	m.User, m.Response = s[0], s[1]
	return nil
}

func (m *Authenticate) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'R')
	dst = appendString(dst, m.User)
	dst = appendString(dst, m.Response)
	return finishRequest(dst, at)
}

// String keeps the response out of traces: it is password-equivalent for
// anyone who can replay it against the same salt.
func (m *Authenticate) String() string { return "user=" + m.User + " response=********" }

// AuthenticationResult ('r') is "AuthenticationOK", or on a 3.0–3.4 server
// "AuthenticationFailed" followed by a reason.
type AuthenticationResult struct {
	Tag    string
	Reason string
}

func (AuthenticationResult) Backend() {}

// OK reports a successful authentication.
func (m *AuthenticationResult) OK() bool { return m.Tag == "AuthenticationOK" }

func (m *AuthenticationResult) Decode(payload []byte) error {
	s, err := splitStrings('r', payload)
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return malformed('r', "empty authentication result")
	}
	m.Tag, m.Reason = s[0], ""
	if len(s) > 1 {
		m.Reason = s[1]
	}
	return nil
}

func (m *AuthenticationResult) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'r')
	dst = appendString(dst, m.Tag)
	if m.Reason != "" {
		dst = appendString(dst, m.Reason)
	}
	return finishPacket(dst, at)
}

// MD5Response computes pgpool's three-stage answer to a salt:
// md5hex(md5hex(md5hex(password) + user) + salt). The server only stores the
// first stage (what pg_md5 prints), so the password itself never travels.
func MD5Response(user, password string, salt [4]byte) string {
	h1 := md5Hex([]byte(password))
	h2 := md5Hex(append([]byte(h1), user...))
	return md5Hex(append([]byte(h2), salt[:]...))
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

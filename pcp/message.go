// Package pcp is pgpool-II's PCP wire protocol: framing and one type per
// message, each with a symmetric Encode/Decode. It does no I/O policy: no
// dialing, no deadlines, no retries. Those belong to package client.
//
// Every packet is a kind byte followed by a big-endian uint32 length that
// counts itself and the payload but not the kind byte. Payloads are
// NUL-terminated strings, with the few binary exceptions noted on the types.
package pcp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxPacketLength caps the length field of any packet we accept. pgpool's
// largest honest reply (a watchdog JSON document or a 128-node record) is far
// below it, so anything above is garbage or hostile and is refused before a
// single byte of it is allocated.
const MaxPacketLength = 1 << 20

// MaxRequestLength is the largest length field pgpool accepts from a client:
// since 3.5 (and the 2016 3.x minors) a length of 260 or more makes the server
// drop the connection, so we refuse to build such a request ourselves.
const MaxRequestLength = 259

// FrontendMessage is a message the client sends.
type FrontendMessage interface {
	// Encode appends the whole packet (kind, length, payload) to dst.
	Encode(dst []byte) ([]byte, error)
	Decode(payload []byte) error
	Frontend()
}

// BackendMessage is a message the server sends.
type BackendMessage interface {
	// Encode appends the whole packet (kind, length, payload) to dst.
	Encode(dst []byte) ([]byte, error)
	Decode(payload []byte) error
	Backend()
}

// ErrLength reports a length field outside [4, MaxPacketLength].
type ErrLength struct {
	Kind   byte
	Length uint32
}

func (e *ErrLength) Error() string {
	return fmt.Sprintf("invalid PCP packet length %d for kind %q", e.Length, e.Kind)
}

// ErrRequestTooLong reports a request pgpool would reject for its size.
var ErrRequestTooLong = errors.New("PCP request too long for the server (length must stay below 260)")

// ErrMalformed reports a payload that does not have the shape of its kind.
type ErrMalformed struct {
	Kind   byte
	Reason string
}

func (e *ErrMalformed) Error() string {
	return fmt.Sprintf("malformed PCP %q packet: %s", e.Kind, e.Reason)
}

func malformed(kind byte, format string, args ...any) error {
	return &ErrMalformed{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// beginPacket appends the kind and a placeholder length and returns the
// offset of the length field for finishPacket.
func beginPacket(dst []byte, kind byte) ([]byte, int) {
	dst = append(dst, kind, 0, 0, 0, 0)
	return dst, len(dst) - 4
}

// finishPacket fills in the length field written by beginPacket.
func finishPacket(dst []byte, at int) ([]byte, error) {
	n := len(dst) - at
	if n > MaxPacketLength {
		return dst, &ErrLength{Kind: dst[at-1], Length: uint32(n)}
	}
	binary.BigEndian.PutUint32(dst[at:], uint32(n))
	return dst, nil
}

// finishRequest is finishPacket plus pgpool's request size limit.
func finishRequest(dst []byte, at int) ([]byte, error) {
	if len(dst)-at > MaxRequestLength {
		return dst, ErrRequestTooLong
	}
	return finishPacket(dst, at)
}

func appendString(dst []byte, s string) []byte {
	dst = append(dst, s...)
	return append(dst, 0)
}

// maxStrings bounds the strings one packet may hold. A string costs us a
// 16-byte header however short it is, so a 1 MiB packet of NULs would
// otherwise take 16 MiB and more while being split. The largest honest list
// is pcp_proc_count's PIDs, one per pgpool child.
const maxStrings = 1 << 16

// splitStrings cuts a payload into its NUL-terminated strings. A final string
// without its terminator is kept, as pgpool's own parser would read it. The
// result is sized once, from a count of the terminators, and refused when
// there are more than maxStrings.
func splitStrings(kind byte, payload []byte) ([]string, error) {
	return splitInto(kind, nil, payload)
}

// splitInto is splitStrings appending to dst, which grows at most once. The
// strings share one copy of the payload, so a packet costs one allocation
// however many fields it has, and none more when dst has room (node info
// decodes up to 128 records per answer).
func splitInto(kind byte, dst []string, payload []byte) ([]string, error) {
	n := bytes.Count(payload, []byte{0})
	if len(payload) > 0 && payload[len(payload)-1] != 0 {
		n++
	}
	if n > maxStrings {
		return nil, malformed(kind, "%d strings in one packet, at most %d", n, maxStrings)
	}
	dst = slices.Grow(dst, n)
	s := string(payload)
	for len(s) > 0 {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			dst = append(dst, s)
			break
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
	return dst, nil
}

// firstString returns the leading NUL-terminated string (the tag) and the rest.
func firstString(payload []byte) (string, []byte) {
	i := bytes.IndexByte(payload, 0)
	if i < 0 {
		return string(payload), nil
	}
	return string(payload[:i]), payload[i+1:]
}

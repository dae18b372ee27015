package pcp

import (
	"fmt"
	"io"
	"strings"
)

// LibpcpTracer writes the debug trace of the stock 3.5+ tools (-d): a line per
// packet received, a line per request sent after authentication, and server
// notices. Its quirks are kept because scripts grep this output: requests
// during authentication are not traced, and some requests are traced under
// another letter (recovery as "D", promote as "E", health check as "L").
// Nothing secret can appear: only kinds and lengths are written.
type LibpcpTracer struct {
	W io.Writer
}

func (t *LibpcpTracer) TraceSend(msg FrontendMessage, length int) {
	var kind byte
	switch msg.(type) {
	case *SaltRequest, *Authenticate:
		return
	case *NodeCountRequest, *HealthCheckRequest:
		kind = 'L'
	case *NodeInfoRequest:
		kind = 'I'
	case *ProcessCountRequest:
		kind = 'N'
	case *ProcessInfoRequest:
		kind = 'P'
	case *DetachNode, *RecoverNode:
		kind = 'D'
	case *AttachNode:
		kind = 'C'
	case *PromoteNode:
		kind = 'E'
	case *WatchdogInfoRequest:
		kind = 'W'
	case *StopPgpool:
		kind = 'T'
	case *ReloadConfig:
		kind = 'Z'
	case *LogRotate:
		kind = 'Z' // libpcp 4.6-4.7 trace log rotation under reload's letter
	case *InvalidateQueryCache:
		kind = 'G'
	case *Terminate:
		kind = 'X'
	case *PoolStatusRequest:
		fmt.Fprintf(t.W, "DEBUG pcp_pool_status: send: tos=\"B\", len=%d\n", length)
		return
	default:
		return
	}
	fmt.Fprintf(t.W, "DEBUG: send: tos=\"%c\", len=%d\n", kind, length)
}

func (t *LibpcpTracer) TraceReceive(kind byte, length int, msg BackendMessage) {
	fmt.Fprintf(t.W, "DEBUG: recv: tos=\"%c\", len=%d\n", kind, length)
	if n, ok := msg.(*ErrorResponse); ok && n.Notice {
		if text, ok := n.LibpcpText(); ok {
			fmt.Fprintf(t.W, "BACKEND %s", text)
		}
	}
}

// LegacyTracer writes the debug trace of the 3.0–3.4 tools (-d) to stderr:
// every packet both ways, authentication included, with the first string
// of each reply. Requests are shown by kind and length only, so neither the
// password nor its MD5 response can appear.
type LegacyTracer struct {
	W io.Writer
}

func (t *LegacyTracer) TraceSend(msg FrontendMessage, length int) {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return
	}
	fmt.Fprintf(t.W, "DEBUG: send: tos=\"%c\", len=%d\n", b[0], length)
}

func (t *LegacyTracer) TraceReceive(kind byte, length int, msg BackendMessage) {
	data := ""
	if _, salt := msg.(*Salt); !salt && msg != nil {
		if b, err := msg.Encode(nil); err == nil && len(b) > 5 {
			data, _ = firstString(b[5:])
		}
	}
	fmt.Fprintf(t.W, "DEBUG: recv: tos=\"%c\", len=%d, data=%s\n", kind, length, data)
}

// FieldTracer writes the modern CLI's -d trace: one line per packet with its
// kind, length and decoded fields. Fields are printed with %+v, so a message
// that holds a secret must say how it prints (Authenticate masks its MD5
// response, which anyone could replay against the same salt). Long values
// are cut so that a watchdog document or a full process list stays on one
// readable line.
type FieldTracer struct {
	W      io.Writer
	Prefix string // e.g. "pcpctl: trace: "
}

// traceWidth bounds a line's fields; the length says how much was cut.
const traceWidth = 240

func (t *FieldTracer) TraceSend(msg FrontendMessage, length int) {
	fmt.Fprintf(t.W, "%ssend %s len=%d %s\n", t.Prefix, messageName(msg), length, traceFields(msg))
}

func (t *FieldTracer) TraceReceive(kind byte, length int, msg BackendMessage) {
	fmt.Fprintf(t.W, "%srecv %q %s len=%d %s\n", t.Prefix, kind, messageName(msg), length, traceFields(msg))
}

func messageName(msg any) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pcp.")
}

func traceFields(msg any) string {
	var s string
	switch m := msg.(type) {
	case nil:
		return "{}"
	case fmt.Stringer:
		s = "{" + m.String() + "}"
	default:
		s = fmt.Sprintf("%+v", msg)
		s = strings.TrimPrefix(s, "&")
	}
	if r := []rune(s); len(r) > traceWidth {
		s = string(r[:traceWidth]) + "…"
	}
	return s
}

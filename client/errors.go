// Package client opens PCP sessions to pgpool-II: TCP (IPv4 or IPv6) or UNIX
// socket, MD5 authentication, password sources, deadlines from the caller's
// context, and one typed method per PCP command. It prints nothing.
package client

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/pcpctl/pcpctl/pcp"
)

// Kind classifies a failure so that each front end can map it to its own exit
// codes and words.
type Kind int

const (
	KindConnect  Kind = iota + 1 // socket could not be connected
	KindHost                     // host name did not resolve
	KindAuth                     // server refused the credentials
	KindServer                   // server reported an error after authentication
	KindProtocol                 // reply of the wrong shape or kind
	KindIO                       // connection broke mid-conversation
	KindTimeout                  // the context's deadline passed
	KindUsage                    // request refused before anything was sent
)

func (k Kind) String() string {
	switch k {
	case KindConnect:
		return "connection"
	case KindHost:
		return "host"
	case KindAuth:
		return "authentication"
	case KindServer:
		return "server"
	case KindProtocol:
		return "protocol"
	case KindIO:
		return "i/o"
	case KindTimeout:
		return "timeout"
	case KindUsage:
		return "usage"
	}
	return "unknown"
}

// Op is the step of a session that failed.
type Op int

const (
	OpDial  Op = iota + 1 // resolving the host or connecting the socket
	OpAuth                // the salt and MD5 exchange
	OpWrite               // sending a request
	OpRead                // reading a reply
)

// Error is every failure this package returns. Front ends decide on Kind, Op
// and the server's fields, never on Text.
type Error struct {
	Kind Kind
	Op   Op
	// Addr is the socket path or host the session was for, when known.
	Addr string
	// Errno is the system error under a socket failure, 0 when none.
	Errno syscall.Errno
	// Text is the message exactly as libpcp words it (client-side messages
	// such as `ERROR: connection to host "h" failed with error "…"`, or the
	// server's "<S>:  <M>\nDETAIL:  <D>\n"), so the pcp_* front end can print
	// it byte for byte. It never contains a password.
	Text string
	// Server is the server's error packet, when there was one.
	Server *pcp.ErrorResponse
	// Legacy is a 3.0–3.4 server's 'e' message, when there was one.
	Legacy string
	// Reason is the unexpected tag of a reply ("command failed with reason").
	Reason string
	Err    error
	// vague marks libpcp's messages that do not say what was wrong, so
	// Error() names the cause instead.
	vague bool
}

func (e *Error) Error() string {
	if e.Server != nil {
		sev := strings.TrimSpace(e.Server.Severity())
		msg := strings.TrimSpace(e.Server.Message())
		if sev == "" && msg == "" {
			return "pgpool sent an error packet with neither severity nor message"
		}
		if sev == "" {
			sev = "ERROR"
		}
		if msg == "" {
			msg = "(no message)"
		}
		m := sev + ": " + msg
		if d := strings.TrimSpace(e.Server.Detail()); d != "" {
			m += " (" + d + ")"
		}
		return m
	}
	if e.vague && e.Kind == KindProtocol && e.Err != nil {
		// libpcp's words say nothing about what was wrong; the modern
		// front end, which prints Error(), names it.
		return "pgpool sent an invalid response: " + e.Err.Error()
	}
	if e.Kind == KindIO && e.Op == OpRead && e.Err != nil {
		return "lost the connection to pgpool while reading its reply: " + e.Err.Error()
	}
	if e.Text != "" {
		return e.Text
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Kind.String() + " error"
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, or 0 when err did not come from here.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func errorf(k Kind, cause error, format string, args ...any) *Error {
	e := &Error{Kind: k, Text: fmt.Sprintf(format, args...), Err: cause}
	errors.As(cause, &e.Errno)
	return e
}

// errInvalidResponse is libpcp's word for a reply it cannot use.
func errInvalidResponse(cause error) *Error {
	return &Error{Kind: KindProtocol, Text: invalidResponse, Err: cause, vague: true}
}

const invalidResponse = "command failed. invalid response"

// readFailed is libpcp's message for a read that failed or hit the end.
const readFailed = "ERROR: unable to read data from socket."

func errReason(tag string) *Error {
	return &Error{Kind: KindProtocol, Text: fmt.Sprintf("command failed with reason: \"%s\"", tag), Reason: tag}
}

func serverError(e *pcp.ErrorResponse) *Error {
	text, ok := e.LibpcpText()
	if !ok {
		text = "Unknown Error"
	}
	k := KindServer
	return &Error{Kind: k, Text: text, Server: e}
}

// Unsupported reports whether the server refused the request as a packet
// type it does not know: a pgpool older than the request (4.3.5 answers
// 4.6's 'V' and 'G' with FATAL "unknown PCP packet type").
func Unsupported(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Server != nil && strings.HasPrefix(e.Server.Detail(), "unknown PCP packet type")
}

// ServerDetail is the DETAIL of the server's error, "" when there is none.
func ServerDetail(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Server != nil {
		return e.Server.Detail()
	}
	return ""
}

// ServerMessage is the message of the server's error, "" when there is none.
func ServerMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Server != nil {
		return e.Server.Message()
	}
	return ""
}

// WatchdogOff reports whether the server refused a watchdog request because
// pgpool runs without watchdog: 4.x says so in the DETAIL of its error, 3.x
// in its 'e' message. The server's fields are compared whole, in this one
// place, so no front end reads the wording.
func WatchdogOff(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindServer {
		return false
	}
	if e.Server != nil {
		return e.Server.Detail() == "watchdog is not enabled"
	}
	return e.Legacy == "watchdog not enabled"
}

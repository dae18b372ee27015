// Package client opens PCP sessions to pgpool-II: TCP (IPv4 or IPv6) or UNIX
// socket, MD5 authentication, password sources, deadlines from the caller's
// context, and one typed method per PCP command. It prints nothing.
package client

import (
	"errors"
	"fmt"
	"net"
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

// Error is every failure this package returns. It carries facts, not
// sentences: each front end words them itself (cmd/compat as libpcp does,
// byte for byte; Error() for the modern CLI), and decides on Kind, Op and
// the server's fields, never on text.
type Error struct {
	Kind Kind
	Op   Op
	// Addr is the host, or the socket's path when Socket is set.
	Addr   string
	Socket bool
	// Lookup marks a failure to resolve Addr (KindHost, or a timeout while
	// resolving), as opposed to one to connect to it.
	Lookup bool
	// Cancelled marks a timeout that was the caller's cancellation.
	Cancelled bool
	// Errno is the system error under a socket failure, 0 when none.
	Errno syscall.Errno
	// Server is the server's error packet, when there was one.
	Server *pcp.ErrorResponse
	// Legacy is a 3.0–3.4 server's 'e' message, when there was one.
	Legacy string
	// Reason is the tag of a reply that reported a failure (the
	// "command failed with reason" of libpcp), or of a refused
	// authentication.
	Reason string
	// Packet is the kind of a packet that should not have come.
	Packet byte
	// Err is the cause; the sentinels below and *NodeRangeError say which
	// refusal or invalid reply it was.
	Err error
}

var (
	// ErrUserTooLong: the user name does not fit pgpool's buffer, so it
	// is never sent.
	ErrUserTooLong = errors.New("the user name is too long for pgpool")
	// ErrUnknownPacket: a packet type PCP does not have.
	ErrUnknownPacket = errors.New("a packet type PCP does not have")
	// ErrWrongReply: a packet of another command's kind.
	ErrWrongReply = errors.New("a reply to another command")
	// ErrInvalidResponse: a reply of the right kind that cannot be used
	// (malformed, or records missing or in excess).
	ErrInvalidResponse = errors.New("pgpool sent an invalid response")
)

// NodeRangeError is a node id pgpool does not have, refused before sending.
type NodeRangeError struct{ ID, Count int }

func (e *NodeRangeError) Error() string {
	return fmt.Sprintf("invalid node id %d: pgpool-II has %d backend nodes (0-%d); pcpctl does not send this request for a node that does not exist", e.ID, e.Count, e.Count-1)
}

// Error words the failure for the modern CLI: one line, no "ERROR:" lead.
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
	if e.Legacy != "" {
		return e.Legacy
	}
	switch e.Kind {
	case KindTimeout:
		return e.TimeoutText()
	case KindConnect:
		what := "host"
		if e.Socket {
			what = "socket"
		}
		return fmt.Sprintf("connection to %s %q failed with error %q", what, e.Addr, Strerror(e.Err))
	case KindHost:
		return fmt.Sprintf("could not resolve host %q: %s", e.Addr, lookupText(e.Err))
	case KindIO:
		if e.Op == OpWrite {
			return fmt.Sprintf("sending data to pgpool failed with error %q", Strerror(e.Err))
		}
		if e.Err != nil {
			return "lost the connection to pgpool while reading its reply: " + e.Err.Error()
		}
		return "lost the connection to pgpool while reading its reply"
	case KindAuth:
		if e.Reason != "" {
			return "authentication failed. reason=\"" + e.Reason + "\""
		}
	case KindProtocol:
		switch {
		case errors.Is(e.Err, ErrUnknownPacket):
			return fmt.Sprintf("pgpool sent a packet of unknown type %q", e.Packet)
		case errors.Is(e.Err, ErrWrongReply):
			return fmt.Sprintf("pgpool sent an invalid response: a %q packet does not answer this command", e.Packet)
		case e.Reason != "":
			return fmt.Sprintf("command failed with reason: %q", e.Reason)
		}
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Kind.String() + " error"
}

// TimeoutText says what the session was doing when its time ran out.
func (e *Error) TimeoutText() string {
	var what string
	switch {
	case e.Op == OpDial && e.Lookup:
		what = fmt.Sprintf("resolving %q", e.Addr)
	case e.Op == OpDial && e.Socket:
		what = fmt.Sprintf("connecting to socket %q", e.Addr)
	case e.Op == OpDial:
		what = fmt.Sprintf("connecting to host %q", e.Addr)
	case e.Op == OpWrite:
		what = "sending to pgpool"
	default:
		what = "waiting for pgpool's reply"
	}
	if e.Cancelled {
		return "cancelled while " + what
	}
	return "timed out " + what
}

// lookupText is the resolver's verdict, without Go's "lookup h on …:" lead.
func lookupText(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "no such host"
	case errors.As(err, &dnsErr) && dnsErr.Err != "":
		return dnsErr.Err
	case err != nil:
		return err.Error()
	}
	return "unknown error"
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

func causeError(k Kind, op Op, cause error) *Error {
	e := &Error{Kind: k, Op: op, Err: cause}
	errors.As(cause, &e.Errno)
	return e
}

// errInvalidResponse is a reply that cannot be used.
func errInvalidResponse(cause error) *Error {
	if cause == nil {
		return &Error{Kind: KindProtocol, Err: ErrInvalidResponse}
	}
	return &Error{Kind: KindProtocol, Err: fmt.Errorf("%w: %w", ErrInvalidResponse, cause)}
}

func errReason(tag string) *Error {
	return &Error{Kind: KindProtocol, Reason: tag}
}

func serverError(e *pcp.ErrorResponse) *Error {
	return &Error{Kind: KindServer, Server: e}
}

// Unsupported reports whether the server refused the request as a packet
// type it does not know: a pgpool older than the request (4.3.5 answers
// 4.6's 'V' and 'G' with FATAL "unknown PCP packet type").
func Unsupported(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Server != nil && strings.HasPrefix(e.Server.Detail(), "unknown PCP packet type")
}

// Unanswered reports whether the socket connected but no reply came
// before the deadline: something holds the port open without serving it
// (a pgpool whose shutdown is under way or hung), as opposed to nothing
// listening (KindConnect) or a slow dial.
func Unanswered(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindTimeout && e.Op != OpDial
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

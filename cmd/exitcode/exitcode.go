// Package exitcode is the one table of the modern CLI's exit statuses. The
// pcp_* front ends keep the stock tools' codes instead (see cmd/compat).
package exitcode

import (
	"errors"

	"github.com/pcpctl/pcpctl/client"
)

const (
	OK          = 0  // success
	Failure     = 1  // anything not listed below
	UsageError  = 2  // bad flags or arguments; nothing was sent
	Connection  = 3  // pgpool unreachable, name not resolved, or timed out
	Auth        = 4  // pgpool refused the credentials
	ServerError = 5  // pgpool refused or failed the request
	Protocol    = 6  // pgpool's reply made no sense
	Unhealthy   = 25 // a check found nodes down or pgpools disagreeing
	Refused     = 26 // node reconcile refused a node as unsafe to attach
	NotFollowed = 27 // a switchover left a standby not following the new primary
)

// Table documents every code, for help, README and man pages.
var Table = []struct {
	Code    int
	Meaning string
}{
	{OK, "success"},
	{Failure, "unexpected failure"},
	{UsageError, "usage error: bad flag, argument or value; nothing was sent to pgpool"},
	{Connection, "connection error: pgpool unreachable, host not resolved, or timeout"},
	{Auth, "authentication failed"},
	{ServerError, "pgpool reported an error (invalid node, refused action, failed recovery)"},
	{Protocol, "pgpool's reply could not be understood"},
	{Unhealthy, "cluster unhealthy: a node is down, or pgpool and a backend (or two pgpools) disagree"},
	{Refused, "node reconcile refused a node as unsafe to attach (nothing was sent for it)"},
	{NotFollowed, "node promote --switchover: a standby did not follow the new primary"},
}

// Error carries an exit code through cobra.
type Error struct {
	Code int
	Err  error
	// Silent means the message was already printed.
	Silent bool
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "exit status"
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Usage wraps a usage error.
func Usage(err error) error { return &Error{Code: UsageError, Err: err} }

// FromClient maps a client failure to its exit code.
func FromClient(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	code := Failure
	switch client.KindOf(err) {
	case client.KindConnect, client.KindHost, client.KindTimeout, client.KindIO:
		code = Connection
	case client.KindAuth:
		code = Auth
	case client.KindServer:
		code = ServerError
	case client.KindProtocol:
		code = Protocol
	case client.KindUsage:
		code = UsageError
	}
	return &Error{Code: code, Err: err}
}

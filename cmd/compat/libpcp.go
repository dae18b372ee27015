package compat

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/pcp"
)

// errorText words a failure exactly as the release's libpcp prints it. The
// sentences live here, not in client/, which only reports what happened;
// the modern CLI words the same facts its own way (client.Error.Error).
func (r *runner) errorText(err error) string {
	var e *client.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	var nr *client.NodeRangeError
	var le *pcp.ErrLength
	switch {
	case e.Server != nil:
		if text, ok := e.Server.LibpcpText(); ok {
			return text
		}
		return "Unknown Error"
	case e.Legacy != "":
		return "ERROR:  " + e.Legacy + "\n"
	case errors.As(e.Err, &nr):
		return fmt.Sprintf("ERROR:  invalid node id: %d\nDETAIL:  pgpool-II has %d backend nodes (0-%d); pcpctl does not send this request for a node that does not exist\n", nr.ID, nr.Count, nr.Count-1)
	}
	switch e.Kind {
	case client.KindTimeout:
		return "ERROR: " + e.TimeoutText()
	case client.KindConnect:
		if e.Socket {
			return fmt.Sprintf("ERROR: connection to socket \"%s\" failed with error \"%s\"", e.Addr, client.Strerror(e.Err))
		}
		return fmt.Sprintf("ERROR: connection to host \"%s\" failed with error \"%s\"", e.Addr, client.Strerror(e.Err))
	case client.KindHost:
		if r.rel.GetAddrInfo {
			return fmt.Sprintf("ERROR: getaddrinfo failed \"%s\"", gaiStrerror(e.Err))
		}
		return fmt.Sprintf("ERROR: could not retrieve hostname. gethostbyname failed with error \"%s\"", gethostbynameErrno(e.Err))
	case client.KindIO:
		if e.Op == client.OpWrite {
			return fmt.Sprintf("ERROR: sending data to backend failed with error \"%s\"", client.Strerror(e.Err))
		}
		return "ERROR: unable to read data from socket."
	case client.KindAuth:
		switch {
		case errors.Is(e.Err, client.ErrUserTooLong):
			return "ERROR: PCP authorization failed. username too long."
		case e.Reason != "":
			return fmt.Sprintf("ERROR: authentication failed. reason=\"%s\"", e.Reason)
		}
	case client.KindProtocol:
		switch {
		case errors.Is(e.Err, client.ErrUnknownPacket):
			return fmt.Sprintf("ERROR: invalid PCP packet type =\"%c\"", e.Packet)
		case errors.Is(e.Err, client.ErrWrongReply):
			return "Unknown Error"
		case e.Reason != "":
			text := fmt.Sprintf("command failed with reason: \"%s\"", e.Reason)
			if r.t.kind == watchdogInfo {
				text += "\n" // libpcp's watchdog path adds one
			}
			return text
		case errors.As(e.Err, &le):
			return "ERROR: " + le.Error()
		case errors.Is(e.Err, client.ErrInvalidResponse):
			return "command failed. invalid response"
		}
	}
	return "ERROR: " + e.Error()
}

// gethostbynameErrno is the strerror text libpcp prints after a failed
// gethostbyname, which reports through h_errno and leaves errno as glibc's
// resolver left it. Measured on Debian 12: a definite answer that the name
// has no address (NXDOMAIN, or NOERROR without records) leaves errno 0;
// every other failure (no resolver configured or reachable, SERVFAIL,
// REFUSED, no answer in time) leaves EAGAIN.
func gethostbynameErrno(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return "Success"
	}
	return client.Strerror(syscall.EAGAIN)
}

// gaiStrerror is glibc's gai_strerror text for the getaddrinfo result that
// matches a failed lookup, as libpcp 4.6.2+ prints it. Measured on Debian
// 12 (e2e TestUnknownHostGetaddrinfo, against glibc itself): a definite
// "no such name" is EAI_NONAME and every failure to get an answer
// EAI_AGAIN. glibc says EAI_NODATA for a name without addresses, which Go's
// resolver reports as it reports a name that does not exist.
func gaiStrerror(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return "Name or service not known"
	}
	return "Temporary failure in name resolution"
}

package compat

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

// The errno text after a failed lookup follows what glibc leaves behind
// gethostbyname (measured against the stock pcp_node_count; e2e
// TestUnknownHostErrno compares the two under real resolver answers).
func TestGethostbynameErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, "Success"},
		{&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, "Resource temporarily unavailable"},
		{&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, "Resource temporarily unavailable"},
		{&net.OpError{Op: "dial", Net: "udp", Err: syscall.ECONNREFUSED}, "Resource temporarily unavailable"},
		{errors.New("no address for x"), "Resource temporarily unavailable"},
	} {
		if got := gethostbynameErrno(c.err); got != c.want {
			t.Errorf("gethostbynameErrno(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

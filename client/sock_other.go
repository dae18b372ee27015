//go:build !linux

package client

import (
	"context"
	"net"
	"strconv"
	"time"
)

// netConn is the portable transport: Go's netpoller, slower to start up
// than sock (sock_linux.go) but with the same deadline semantics.
type netConn struct{ net.Conn }

func (c netConn) interrupt() { c.SetDeadline(longAgo) }

// longAgo is a deadline already passed. It is computed once: time.Unix
// reads time.Local, which tests may swap while a cancellation fires.
var longAgo = time.Unix(1, 0)

func dialUnix(ctx context.Context, path string) (transport, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	return netConn{nc}, nil
}

func dialTCP(ctx context.Context, ip net.IP, port int) (transport, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return netConn{nc}, nil
}

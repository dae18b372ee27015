package client

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// sock is a PCP connection on a socket the process waits on itself, with
// poll(2) bounded by the deadline, instead of through Go's netpoller. A
// one-shot pcp_* call spends most of its life waiting for pgpool; parking
// a goroutine in the netpoller wakes extra threads for every reply, which
// cost more CPU and wall time than the whole C client (BENCHMARKS.md).
//
// The fd is non-blocking so that no read or write can outlive the deadline,
// and shutdown(2) from another goroutine (interrupt) wakes a blocked poll at
// once when the context is cancelled.
type sock struct {
	fd       int
	deadline atomic.Int64 // Unix nanoseconds; 0 means none

	mu     sync.Mutex // guards fd against close while interrupt runs
	closed bool
}

// dialSocket connects a non-blocking stream socket to sa before ctx ends.
func dialSocket(ctx context.Context, family int, sa unix.Sockaddr) (*sock, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	s := &sock{fd: fd}
	if d, ok := ctx.Deadline(); ok {
		s.deadline.Store(d.UnixNano())
	}
	if family != unix.AF_UNIX {
		// Requests are single small packets: send them at once, as libpcp does.
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	defer onCancel(ctx, s.interrupt)()
	err = unix.Connect(fd, sa)
	for err == unix.EINTR {
		err = unix.Connect(fd, sa)
	}
	switch err {
	case nil, unix.EISCONN:
	case unix.EINPROGRESS, unix.EALREADY:
		if err = s.wait(unix.POLLOUT); err == nil {
			var soerr int
			if soerr, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && soerr != 0 {
				err = unix.Errno(soerr)
			}
		}
	}
	if err == nil && ctx.Err() != nil {
		err = os.ErrDeadlineExceeded
	}
	if err != nil {
		s.Close()
		var errno unix.Errno
		if errors.As(err, &errno) {
			return nil, os.NewSyscallError("connect", errno)
		}
		return nil, err
	}
	return s, nil
}

// sockaddr converts an IP and port for connect(2); IPv4-mapped addresses
// go out as IPv4, as the net package does.
func sockaddr(ip net.IP, port int) (int, unix.Sockaddr) {
	if ip4 := ip.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: port}
		copy(sa.Addr[:], ip4)
		return unix.AF_INET, sa
	}
	sa := &unix.SockaddrInet6{Port: port}
	copy(sa.Addr[:], ip.To16())
	return unix.AF_INET6, sa
}

// wait polls for events until the deadline. A hang-up or error condition
// counts as ready: the following read or write reports it.
func (s *sock) wait(events int16) error {
	for {
		timeout := -1
		if d := s.deadline.Load(); d != 0 {
			left := time.Until(time.Unix(0, d))
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			// poll counts whole milliseconds; round up so that it never
			// returns early and spins.
			timeout = int(min((left+time.Millisecond-1)/time.Millisecond, math.MaxInt32))
		}
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: events}}
		n, err := unix.Poll(fds, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("poll", err)
		}
		if n > 0 {
			return nil
		}
	}
}

func (s *sock) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := unix.Read(s.fd, p)
		switch {
		case err == nil && n == 0:
			return 0, io.EOF
		case err == nil:
			return n, nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			if err := s.wait(unix.POLLIN); err != nil {
				return 0, err
			}
		default:
			return 0, os.NewSyscallError("read", err)
		}
	}
}

func (s *sock) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(s.fd, p[done:])
		switch {
		case err == nil:
			done += n
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			if err := s.wait(unix.POLLOUT); err != nil {
				return done, err
			}
		default:
			return done, os.NewSyscallError("write", err)
		}
	}
	return done, nil
}

// SetDeadline bounds every later wait; the zero time removes the bound.
func (s *sock) SetDeadline(t time.Time) error {
	if t.IsZero() {
		s.deadline.Store(0)
	} else {
		s.deadline.Store(max(t.UnixNano(), 1))
	}
	return nil
}

// interrupt ends a wait in progress (and every later one): the peer sees
// the connection closed, and the waiter's read returns EOF.
func (s *sock) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		unix.Shutdown(s.fd, unix.SHUT_RDWR)
	}
}

func (s *sock) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return unix.Close(s.fd)
}

func dialUnix(ctx context.Context, path string) (transport, error) {
	sa := &unix.SockaddrUnix{Name: path}
	return dialSocket(ctx, unix.AF_UNIX, sa)
}

func dialTCP(ctx context.Context, ip net.IP, port int) (transport, error) {
	family, sa := sockaddr(ip, port)
	return dialSocket(ctx, family, sa)
}

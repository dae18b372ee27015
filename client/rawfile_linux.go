package client

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// rawFile reads a small local file through its fd alone. os.Open would
// register the fd with Go's netpoller, and the first registration sets up
// epoll and an eventfd and lets a thread wait in epoll_pwait for the rest
// of the process: measurable CPU on a one-shot pcp_* call that otherwise
// never uses the netpoller (client/sock_linux.go).
type rawFile int

func openRaw(path string) (io.ReadCloser, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return rawFile(fd), nil
	}
}

func (f rawFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := unix.Read(int(f), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f rawFile) Close() error { return unix.Close(int(f)) }

package client

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openRaw opens a small local file to be read through its fd alone. os.Open
// would register the fd with Go's netpoller, and the first registration sets
// up epoll and an eventfd and lets a thread wait in epoll_pwait for the rest
// of the process: measurable CPU on a one-shot pcp_* call that otherwise
// never uses the netpoller. sock's Read and Close serve a regular file as
// they are (read(2) never says EAGAIN for one).
func openRaw(path string) (io.ReadCloser, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return &sock{fd: fd}, nil
	}
}

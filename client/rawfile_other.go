//go:build !linux

package client

import (
	"io"
	"os"
)

func openRaw(path string) (io.ReadCloser, error) { return os.Open(path) }

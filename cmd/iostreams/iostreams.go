// Package iostreams carries a command's standard streams and what is known
// about them, so commands never reach for os.Stdout and tests can hand in
// buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is stdin, stdout and stderr plus their terminal status.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	stdinTTY  bool
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
	}
}

// Plain returns the process's own streams without asking whether they are
// terminals: the pcp_* tools never ask, so they skip the two ioctls.
func Plain() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Test returns streams backed by buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdoutTTY reports whether stdout is a terminal (tables, colour, redraw).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStdinTTY reports whether stdin is a terminal (prompts).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// SetStdoutTTY overrides the detection, for tests.
func (s *IOStreams) SetStdoutTTY(b bool) { s.stdoutTTY = b }

// SetStdinTTY overrides the detection, for tests.
func (s *IOStreams) SetStdinTTY(b bool) { s.stdinTTY = b }

// Terminal controls of the watch modes' in-place redraw.
const (
	ClearScreen  = "\x1b[H\x1b[2J"
	HighlightOn  = "\x1b[7m"
	HighlightOff = "\x1b[27m"
)

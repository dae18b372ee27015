package client

import (
	"bufio"
	"io"
	"os"

	"golang.org/x/term"
)

// promptMax is libpcp's limit: simple_prompt("Password: ", 100, false).
const promptMax = 100

// PromptPassword asks for a password the way the stock tools do: on the
// controlling terminal with echo off when there is one, otherwise by writing
// the prompt to stderr and reading a line from stdin. Either way a newline
// follows the answer, and the answer is cut to 100 bytes.
func PromptPassword(prompt string, stdin io.Reader, stderr io.Writer) (string, error) {
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		if _, err := io.WriteString(tty, prompt); err != nil {
			return "", err
		}
		b, err := term.ReadPassword(int(tty.Fd()))
		io.WriteString(tty, "\n")
		if err != nil {
			return "", err
		}
		return truncatePassword(string(b)), nil
	}
	if _, err := io.WriteString(stderr, prompt); err != nil {
		return "", err
	}
	line, _ := readLine(stdin)
	io.WriteString(stderr, "\n")
	return truncatePassword(line), nil
}

func readLine(r io.Reader) (string, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = bufio.NewReaderSize(r, 1)
	}
	var b []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return string(b), err
		}
		if c == '\n' {
			return string(b), nil
		}
		b = append(b, c)
	}
}

func truncatePassword(s string) string {
	if len(s) > promptMax {
		return s[:promptMax]
	}
	return s
}

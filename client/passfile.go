package client

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// DefaultSocketDir is where the stock client looks for pgpool's PCP socket
// when no host is given; Debian and upstream builds both compile in /tmp.
const DefaultSocketDir = "/tmp"

// PassFilePath returns the password file the stock tools would read: env
// (the value of PCPPASSFILE) when set, otherwise .pcppass in the passwd
// entry's home directory ($HOME is deliberately not consulted, as libpcp
// does not). The caller reads the environment; this package never does.
func PassFilePath(env string, set bool) (string, bool) {
	if set {
		return env, true
	}
	u, err := user.Current()
	if err != nil || u.HomeDir == "" {
		return "", false
	}
	return filepath.Join(u.HomeDir, ".pcppass"), true
}

// PassFileHost is the host name a password file entry must match: the -h
// value as given, except that the default socket (no host, or the default
// socket directory itself) matches "localhost".
func PassFileHost(host string) string {
	if host == "" || host == DefaultSocketDir {
		return "localhost"
	}
	return host
}

// passLineMax is libpcp's line buffer: fgets into 320 bytes, so longer lines
// are read as several lines.
const passLineMax = 320 - 1

// LookupPassword finds the password for host:port:user in the file at path
// with libpcp's rules: first match wins; each of the first three fields is an
// exact match or a lone "*"; a backslash escapes the next character; the
// password ends at the first unescaped ':'. The file is ignored, with a
// warning passed to warn, unless it is a regular file without group or other
// permission bits. A missing file is silently ignored.
func LookupPassword(path, host, port, username string, warn func(string)) (string, bool) {
	if username == "" || path == "" {
		return "", false
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	if !st.Mode().IsRegular() {
		if warn != nil {
			warn(fmt.Sprintf("WARNING: password file \"%s\" is not a plain file", path))
		}
		return "", false
	}
	if st.Mode().Perm()&0o077 != 0 {
		if warn != nil {
			warn(fmt.Sprintf("WARNING: password file \"%s\" has group or world access; permissions should be u=rw (0600) or less", path))
		}
		return "", false
	}
	f, err := openRaw(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	return scanPassFile(f, host, port, username)
}

func scanPassFile(r io.Reader, host, port, username string) (string, bool) {
	br := bufio.NewReader(r)
	for {
		line, err := readPassLine(br)
		if line == "" && err != nil {
			return "", false
		}
		rest, ok := matchField(line, host)
		if ok {
			rest, ok = matchField(rest, port)
		}
		if ok {
			rest, ok = matchField(rest, username)
		}
		if ok {
			return unescapePassword(rest), true
		}
		if err != nil {
			return "", false
		}
	}
}

// readPassLine reads what one fgets(buf, 320) call would: up to and including
// a newline, or 319 bytes, whichever comes first; the newline is dropped.
func readPassLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for b.Len() < passLineMax {
		c, err := br.ReadByte()
		if err != nil {
			return b.String(), err
		}
		if c == '\n' {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// matchField is libpcp's pwdfMatchesString: it returns the text after the
// field and its ':' when the field equals token (or is "*").
func matchField(buf, token string) (string, bool) {
	if strings.HasPrefix(buf, "*:") {
		return buf[2:], true
	}
	i, j := 0, 0
	for i < len(buf) {
		escaped := false
		if buf[i] == '\\' {
			i++
			escaped = true
			if i >= len(buf) {
				return "", false
			}
		}
		if buf[i] == ':' && j == len(token) && !escaped {
			return buf[i+1:], true
		}
		if j == len(token) || buf[i] != token[j] {
			return "", false
		}
		i++
		j++
	}
	return "", false
}

func unescapePassword(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && s[i] != ':'; i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

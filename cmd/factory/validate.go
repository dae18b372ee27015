package factory

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/pcp"
)

// Limits of a host argument: a DNS name has at most 253 bytes, and a UNIX
// socket path must fit sun_path (108 bytes with its NUL).
const (
	maxHostName   = 253
	maxSocketPath = 107
)

// checkHost refuses a host that could never be connected to, before any
// lookup: the value is shortened in the message, which must stay one line.
func checkHost(host string, port int) error {
	if client.IsSocket(host) {
		if host == "" {
			return nil
		}
		if p := client.SocketPath(host, port); len(p) > maxSocketPath {
			return exitcode.Usage(fmt.Errorf("invalid --host %q: socket path is %d bytes, at most %d", abbrev(host), len(p), maxSocketPath))
		}
		return nil
	}
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if len(h) > maxHostName {
		return exitcode.Usage(fmt.Errorf("invalid --host %q: host name is %d bytes, at most %d", abbrev(host), len(h), maxHostName))
	}
	if strings.ContainsAny(h, " \t\r\n") {
		return exitcode.Usage(fmt.Errorf("invalid --host %q: a host name has no white space", host))
	}
	return nil
}

// abbrev shortens an over-long value for an error message.
func abbrev(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:20] + "…" + s[len(s)-16:]
}

// ParseDuration accepts Go durations ("1m30s") and bare seconds ("10",
// "0.5"). It refuses zero and negative values: every wait has a deadline.
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	d, err := time.ParseDuration(v)
	if err != nil {
		sec, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, err
		}
		d = time.Duration(sec * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration must be positive")
	}
	return d, nil
}

// NodeID parses a node id argument: a usage error naming the value when it
// is not a node id pgpool can have.
func NodeID(arg string) (int, error) {
	id, err := strconv.Atoi(arg)
	if err != nil || id < 0 || id >= pcp.MaxBackends {
		return 0, exitcode.Usage(fmt.Errorf("invalid node id %q: want an integer 0-%d", arg, pcp.MaxBackends-1))
	}
	return id, nil
}

// ExactNodeID is a cobra Args validator for one node id that stores the id
// in dst, so that it is parsed once, where it is checked. Every call sets
// dst: the last one, on the command's real arguments, wins.
func ExactNodeID(dst *int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) (err error) {
		if len(args) != 1 {
			return exitcode.Usage(fmt.Errorf("%s needs exactly one node id, got %d arguments", cmd.CommandPath(), len(args)))
		}
		*dst, err = NodeID(args[0])
		return err
	}
}

// Package factory holds what every modern command shares: the streams, the
// connection settings (flags, PCP* environment, .pcppass, prompt) and the
// deadlines, and turns them into a PCP session.
package factory

import (
	"context"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// DefaultPort is pgpool's PCP port.
const DefaultPort = 9898

// Factory is handed to every command constructor.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Env is the environment (the process's unless a test replaces it).
	Env environ.Env
	// Stat looks for pgpool's local socket (os.Stat when nil).
	Stat func(string) (os.FileInfo, error)
	// Prompt asks for a password (client.PromptPassword unless replaced).
	Prompt func(prompt string) (string, error)
	// Now is the clock (time.Now unless replaced).
	Now func() time.Time
	// Dial opens the PCP session (client.Dial unless replaced): the fuzz
	// test of the command tree refuses it so that no input reaches the
	// network, and checks that usage errors never got this far.
	Dial func(context.Context, client.Config) (*client.Conn, error)

	// Flag values, bound by AddConnFlags.
	Host          string
	Port          string
	User          string
	NoPassword    bool
	ForcePassword bool
	Timeout       string
	// Debug traces the PCP conversation on stderr (passwords masked).
	Debug bool
	// Context names a cluster of the config file; ConfigFile overrides
	// the file's location; Pgpools are ad-hoc endpoints (--pgpool).
	Context    string
	ConfigFile string
	Pgpools    []string

	// timeoutSet is true when --timeout was given explicitly.
	timeoutSet func() bool
	// userSet is true when -U/--username was given explicitly.
	userSet func() bool
	// password is what the user typed, kept in memory for reconnects
	// (watch, wait) so that we never prompt twice.
	password string
}

// New returns a factory bound to ios and the process environment.
func New(ios *iostreams.IOStreams) *Factory {
	f := &Factory{IOStreams: ios, Env: environ.System(), Now: time.Now, Dial: client.Dial}
	f.Prompt = func(p string) (string, error) { return client.PromptPassword(p, ios.In, ios.ErrOut) }
	return f
}

// AddConnFlags registers the shared connection flags on fs.
func (f *Factory) AddConnFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&f.Host, "host", "h", "", "pgpool host, or a socket directory (default: socket in /tmp; env PCPHOST)")
	fs.StringVarP(&f.Port, "port", "p", "", "PCP port (default 9898; env PCPPORT)")
	fs.StringVarP(&f.User, "username", "U", "", "PCP user (default: OS user; env PCPUSER)")
	fs.BoolVarP(&f.NoPassword, "no-password", "w", false, "never prompt for a password")
	fs.BoolVarP(&f.ForcePassword, "password", "W", false, "always prompt for a password")
	fs.StringVar(&f.Timeout, "timeout", "", "deadline for each query, and for --wait (e.g. 10s, 2m; default 10s)")
	fs.BoolVarP(&f.Debug, "debug", "d", false, "trace the PCP conversation on stderr (passwords masked)")
	fs.StringVar(&f.Context, "context", "", "use this context of the config file (default: its current-context)")
	fs.StringVar(&f.ConfigFile, "config", "", "contexts file (default: $PCPCTL_CONFIG, else $XDG_CONFIG_HOME/pcpctl/config.yaml)")
	fs.StringArrayVar(&f.Pgpools, "pgpool", nil, "a pgpool's PCP endpoint HOST:PORT; repeat for several (instead of a context)")
	f.timeoutSet = func() bool { return fs.Changed("timeout") }
	f.userSet = func() bool { return fs.Changed("username") }
}

// Package factory holds what every modern command shares: the streams, the
// connection settings (flags, PCP* environment, .pcppass, prompt) and the
// deadlines, and turns them into a PCP session.
package factory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/config"
	"github.com/pcpctl/pcpctl/pcp"
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

// Settings are the resolved connection settings.
type Settings struct {
	Host           string
	Port           int
	User           string
	Timeout        time.Duration // per query
	ConnectTimeout time.Duration
	// TimeoutSet reports an explicit --timeout.
	TimeoutSet bool
	// SQLPort is pgpool's SQL port when the context names it (else 0).
	SQLPort int

	userFlag bool // -U was given
}

// Settings resolves the one pgpool a command talks to: -h/-p and the PCP*
// environment, or the first pgpool of --pgpool or of the context. Every
// failure is a usage error naming the bad value; nothing has been sent.
func (f *Factory) Settings() (*Settings, error) {
	base, eps, err := f.resolve()
	if err != nil {
		return nil, err
	}
	if len(eps) == 0 {
		return base, nil
	}
	if len(f.Pgpools) > 1 {
		return nil, exitcode.Usage(fmt.Errorf("this command talks to one pgpool but --pgpool was given %d times (pcpctl cluster status reads them all)", len(f.Pgpools)))
	}
	return eps[0], nil
}

// Targets resolves every pgpool of --pgpool or of the context; without
// either, the one pgpool of -h/-p and the environment.
func (f *Factory) Targets() ([]*Settings, error) {
	base, eps, err := f.resolve()
	if err != nil {
		return nil, err
	}
	if len(eps) == 0 {
		return []*Settings{base}, nil
	}
	return eps, nil
}

// resolve returns the settings of -h/-p and the environment, and the
// endpoints of --pgpool or of the context in effect (none without).
func (f *Factory) resolve() (*Settings, []*Settings, error) {
	s, err := f.base()
	if err != nil {
		return nil, nil, err
	}
	explicitHost := f.Host != "" || f.Port != ""
	if len(f.Pgpools) > 0 {
		if explicitHost || f.Context != "" {
			return nil, nil, exitcode.Usage(errors.New("--pgpool names the pgpools itself: drop -h/--host, -p/--port and --context"))
		}
		var eps []*Settings
		for _, v := range f.Pgpools {
			e, err := config.ParseEndpoint(v)
			if err != nil {
				return nil, nil, exitcode.Usage(err)
			}
			eps = append(eps, s.at(e, ""))
		}
		return s, eps, nil
	}
	if f.Context == "" && (explicitHost || f.Env.Get(environ.Host) != "" || f.Env.Get(environ.Port) != "") {
		// The host was named: a current-context must not redirect it.
		return s, nil, nil
	}
	if f.Context != "" && explicitHost {
		return nil, nil, exitcode.Usage(errors.New("--context names the pgpools itself: drop -h/--host and -p/--port"))
	}
	cfg, path, err := f.LoadConfig()
	if err != nil {
		if errors.Is(err, config.ErrNotExist) && f.Context == "" && f.ConfigFile == "" {
			return f.localDefault(s) // no config: pgpool's local socket, if there is one
		}
		return nil, nil, exitcode.Usage(err)
	}
	name := f.Context
	if name == "" {
		if name = cfg.CurrentContext; name == "" {
			return f.localDefault(s)
		}
	}
	c, err := cfg.Context(name)
	if err != nil {
		return nil, nil, exitcode.Usage(fmt.Errorf("%s: %v", path, err))
	}
	var eps []*Settings
	for _, e := range c.Pgpools {
		eps = append(eps, s.at(e, c.User))
	}
	return s, eps, nil
}

// localDefault is the pgpool of a command that names none, has no context
// to take one from: pgpool's PCP socket in /tmp, as for the stock tools,
// when it is there. Without it the command would only report an
// unreachable default socket, so say what is missing instead.
func (f *Factory) localDefault(s *Settings) (*Settings, []*Settings, error) {
	stat := f.Stat
	if stat == nil {
		stat = os.Stat
	}
	if _, err := stat(client.SocketPath(client.DefaultSocketDir, s.Port)); err == nil {
		return s, nil, nil
	}
	return nil, nil, exitcode.Usage(errors.New(NoEndpoint))
}

// NoEndpoint is the one-line answer to a command that names no pgpool.
const NoEndpoint = "no pgpool given and no context configured: name one with -h HOST -p PORT (or PCPHOST/PCPPORT) or --pgpool HOST:PORT, or add a context with 'pcpctl context add NAME --pgpool HOST:PORT'"

// at copies s for one endpoint; -U wins over the endpoint's and the
// context's user, which win over PCPUSER.
func (s *Settings) at(e config.Endpoint, ctxUser string) *Settings {
	c := *s
	c.Host, c.Port, c.SQLPort = e.Host, e.Port(), e.SQLPort
	if !s.userFlag {
		for _, u := range []string{e.User, ctxUser} {
			if u != "" {
				c.User = u
				break
			}
		}
	}
	return &c
}

// ConfigPath is the contexts file: --config, else config.Path.
func (f *Factory) ConfigPath() (string, error) {
	if f.ConfigFile != "" {
		return f.ConfigFile, nil
	}
	return config.Path(f.Env.Get)
}

// LoadConfig reads the contexts file; a missing file wraps
// config.ErrNotExist.
func (f *Factory) LoadConfig() (*config.Config, string, error) {
	path, err := f.ConfigPath()
	if err != nil {
		return nil, "", err
	}
	c, err := config.Load(path)
	return c, path, err
}

func (f *Factory) base() (*Settings, error) {
	s := &Settings{Host: f.Host, User: f.User, Timeout: client.QueryTimeout, userFlag: f.User != ""}
	if s.Host == "" {
		s.Host = f.Env.Get(environ.Host)
	}
	// An explicit -U "" is a slip (an unset shell variable), not a request
	// for the OS user: connecting as someone else would be a surprise.
	if s.User == "" && f.userSet != nil && f.userSet() {
		return nil, exitcode.Usage(errors.New(`invalid --username "": the user name is empty`))
	}
	if s.User == "" {
		s.User = f.Env.Get(environ.User)
	}
	if s.User == "" {
		s.User = client.OSUser()
	}
	if len(s.User) >= client.MaxNameLength {
		return nil, exitcode.Usage(fmt.Errorf("user name is too long (%d bytes, at most %d)", len(s.User), client.MaxNameLength-1))
	}
	port, src := f.Port, "--port"
	if port == "" {
		port, src = f.Env.Get(environ.Port), "PCPPORT"
	}
	s.Port = DefaultPort
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return nil, exitcode.Usage(fmt.Errorf("invalid %s %q: want a port number 1-65535", src, port))
		}
		s.Port = p
	}
	if f.Timeout != "" {
		d, err := ParseDuration(f.Timeout)
		if err != nil {
			return nil, exitcode.Usage(fmt.Errorf("invalid --timeout %q: want a duration such as 10s or 2m", f.Timeout))
		}
		s.Timeout = d
		s.TimeoutSet = f.timeoutSet == nil || f.timeoutSet()
	}
	s.ConnectTimeout = s.Timeout
	if v := f.Env.Get(environ.ConnectTimeout); v != "" {
		d, err := ParseDuration(v)
		if err != nil {
			return nil, exitcode.Usage(fmt.Errorf("invalid PCPCONNECT_TIMEOUT %q: want seconds or a duration", v))
		}
		s.ConnectTimeout = d
	}
	if err := checkHost(s.Host, s.Port); err != nil {
		return nil, err
	}
	if f.NoPassword && f.ForcePassword {
		return nil, exitcode.Usage(errors.New("-w/--no-password and -W/--password contradict each other"))
	}
	return s, nil
}

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

// Connect opens a session with the resolved settings: the password comes
// from -W (prompt), else the password file, else a no-echo prompt when
// stdin is a terminal and -w was not given.
func (f *Factory) Connect(ctx context.Context, s *Settings) (*client.Conn, error) {
	return f.connect(ctx, s, true)
}

// PreparePassword asks for the password at most once before sessions are
// opened concurrently (fan-out): with -W, or when stdin is a terminal, -w
// was not given and some target has no password file entry. The answer
// serves every target, so goroutines never prompt over each other.
func (f *Factory) PreparePassword(targets []*Settings) error {
	if f.password != "" || f.NoPassword {
		return nil
	}
	ask := f.ForcePassword
	if !ask && f.IOStreams.IsStdinTTY() {
		for _, s := range targets {
			if _, ok := f.config(s, true).PassFilePassword(); !ok {
				ask = true
				break
			}
		}
	}
	if !ask {
		return nil
	}
	pw, err := f.Prompt("Password: ")
	if err != nil {
		return exitcode.Usage(fmt.Errorf("reading password: %v", err))
	}
	f.password = pw
	return nil
}

// ConnectQuiet never prompts and drops warnings (shell completion).
func (f *Factory) ConnectQuiet(ctx context.Context, s *Settings) (*client.Conn, error) {
	return f.connect(ctx, s, false)
}

// config is the client's view of s; interactive sessions hear the password
// file's warnings.
func (f *Factory) config(s *Settings, interactive bool) client.Config {
	cfg := client.Config{Host: s.Host, Port: s.Port, User: s.User}
	cfg.PassFile, _ = client.PassFilePath(f.Env.Lookup(environ.PassFile))
	if interactive {
		cfg.Warn = f.warn
	}
	return cfg
}

func (f *Factory) connect(ctx context.Context, s *Settings, interactive bool) (*client.Conn, error) {
	cfg := f.config(s, interactive)
	if f.Debug && interactive {
		cfg.Tracer = &pcp.FieldTracer{W: f.IOStreams.ErrOut, Prefix: "pcpctl: trace: "}
	}
	switch {
	case f.password != "":
		cfg.Password = f.password
	case f.ForcePassword && interactive:
		pw, err := f.Prompt("Password: ")
		if err != nil {
			return nil, exitcode.Usage(fmt.Errorf("reading password: %v", err))
		}
		cfg.Password, cfg.NoPassFile = pw, true
		f.password = pw
	case !f.NoPassword && interactive && f.IOStreams.IsStdinTTY():
		// The warning says why a password file that exists is not used
		// and we prompt instead.
		if pw, ok := cfg.PassFilePassword(); ok {
			cfg.Password, cfg.NoPassFile = pw, true
		} else {
			pw, err := f.Prompt("Password: ")
			if err != nil {
				return nil, exitcode.Usage(fmt.Errorf("reading password: %v", err))
			}
			cfg.Password = pw
			f.password = pw
		}
	}
	cctx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	defer cancel()
	c, err := f.Dial(cctx, cfg)
	if err != nil {
		if client.KindOf(err) == client.KindHost {
			// libpcp's wording for this names neither the host nor the
			// cause; the pcp_* front end keeps it, we do not.
			return nil, &exitcode.Error{Code: exitcode.Connection, Err: fmt.Errorf("cannot resolve host %q: %s", s.Host, resolveCause(err))}
		}
		return nil, exitcode.FromClient(err)
	}
	return c, nil
}

func resolveCause(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.Err
	}
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}

// warn prints a password file warning of the client package.
func (f *Factory) warn(m string) {
	fmt.Fprintf(f.IOStreams.ErrOut, "pcpctl: %s\n", strings.TrimPrefix(m, "WARNING: "))
}

// Query returns a context bounded by the per-query timeout.
func (s *Settings) Query(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.Timeout)
}

// Endpoint describes where we connect, for messages (never a password).
func (s *Settings) Endpoint() string {
	if client.IsSocket(s.Host) {
		dir := s.Host
		if dir == "" {
			dir = client.DefaultSocketDir
		}
		return client.SocketPath(dir, s.Port)
	}
	if strings.Contains(s.Host, ":") {
		return "[" + s.Host + "]:" + strconv.Itoa(s.Port)
	}
	return s.Host + ":" + strconv.Itoa(s.Port)
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

// RestartPause is how long Read waits before its second try: pgpool's new
// PCP process listens again within a few hundred milliseconds.
var RestartPause = 500 * time.Millisecond

// Read runs fn, which only reads, on a fresh session under the query
// timeout. pgpool restarts its PCP process about a second after every
// failover or failback and drops the sessions open at that moment, so a
// read that loses its connection, or finds the port closed, is tried once
// more on a new session; a monitoring check right after a detach then
// sees the new state instead of a connection error. Actions never come
// here: they are not repeated.
func (f *Factory) Read(ctx context.Context, s *Settings, fn func(context.Context, *client.Conn) error) error {
	err := f.readOnce(ctx, s, fn)
	if err == nil || !droppedByRestart(err) {
		return err
	}
	select {
	case <-ctx.Done():
		return err
	case <-time.After(RestartPause):
	}
	return f.readOnce(ctx, s, fn)
}

func (f *Factory) readOnce(ctx context.Context, s *Settings, fn func(context.Context, *client.Conn) error) error {
	conn, err := f.Connect(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close()
	qctx, cancel := s.Query(ctx)
	defer cancel()
	return fn(qctx, conn)
}

func droppedByRestart(err error) bool {
	k := client.KindOf(err)
	return k == client.KindIO || k == client.KindConnect
}

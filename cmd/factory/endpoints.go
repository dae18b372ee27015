package factory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/config"
)

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

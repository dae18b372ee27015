package factory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/pcp"
)

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

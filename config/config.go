// Package config reads and writes pcpctl's contexts file: named clusters,
// each a list of pgpool PCP endpoints. Passwords never live here; they stay
// in the PCP password file (.pcppass), as for the stock tools.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultPCPPort is pgpool's PCP port when an endpoint names none.
const DefaultPCPPort = 9898

// Config is the whole file.
type Config struct {
	CurrentContext string    `yaml:"current-context,omitempty"`
	Contexts       []Context `yaml:"contexts"`
}

// Context is one cluster: the pgpools that front the same backends.
type Context struct {
	Name string `yaml:"name"`
	// User is the PCP user of every endpoint that names none.
	User    string     `yaml:"user,omitempty"`
	Pgpools []Endpoint `yaml:"pgpools"`
}

// Endpoint is one pgpool.
type Endpoint struct {
	// Host is a host name, an IP address, or a socket directory.
	Host string `yaml:"host"`
	// PCPPort defaults to 9898.
	PCPPort int `yaml:"pcp_port,omitempty"`
	// SQLPort is pgpool's SQL port, for the pgx enrichment (0: not known).
	SQLPort int    `yaml:"sql_port,omitempty"`
	User    string `yaml:"user,omitempty"`
}

// Port is the PCP port, defaulted.
func (e Endpoint) Port() int {
	if e.PCPPort == 0 {
		return DefaultPCPPort
	}
	return e.PCPPort
}

// Path is where the file lives: PCPCTL_CONFIG, else
// $XDG_CONFIG_HOME/pcpctl/config.yaml, else ~/.config/pcpctl/config.yaml.
// getenv is os.Getenv outside tests.
func Path(getenv func(string) string) (string, error) {
	if p := getenv("PCPCTL_CONFIG"); p != "" {
		return p, nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "pcpctl", "config.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		// No default location: the same as a missing file.
		return "", fmt.Errorf("cannot locate the config file: HOME is not set (use --config or PCPCTL_CONFIG): %w", ErrNotExist)
	}
	return filepath.Join(home, ".config", "pcpctl", "config.yaml"), nil
}

// ErrNotExist is returned (wrapped) by Path and Load when there is no file.
// errors.Is matches it against fs.ErrNotExist too. It is a value of its own
// type, not fs.ErrNotExist copied, so that no code runs at start-up for it.
var ErrNotExist error = notExist{}

type notExist struct{}

func (notExist) Error() string        { return "file does not exist" }
func (notExist) Is(target error) bool { return target == fs.ErrNotExist }

// Load reads and checks the file. A missing file wraps ErrNotExist; any
// other problem is one line naming the file and what is wrong.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s does not exist: %w", path, ErrNotExist)
		}
		return nil, fmt.Errorf("reading config file: %v", err)
	}
	c, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %v", path, err)
	}
	return c, nil
}

// Parse decodes and validates a config document. Unknown keys are errors
// (a misspelt "pcp_port" must not silently mean 9898).
func Parse(raw []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.New(oneLine(err.Error()))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Validate checks names, ports and the current context.
func (c *Config) Validate() error {
	seen := map[string]bool{}
	for i, x := range c.Contexts {
		if x.Name == "" {
			return fmt.Errorf("context #%d has no name", i+1)
		}
		if seen[x.Name] {
			return fmt.Errorf("context %q is defined twice", x.Name)
		}
		seen[x.Name] = true
		if len(x.Pgpools) == 0 {
			return fmt.Errorf("context %q lists no pgpools", x.Name)
		}
		for j, e := range x.Pgpools {
			if e.Host == "" {
				return fmt.Errorf("context %q: pgpool #%d has no host", x.Name, j+1)
			}
			for _, p := range []struct {
				name string
				v    int
			}{{"pcp_port", e.PCPPort}, {"sql_port", e.SQLPort}} {
				if p.v < 0 || p.v > 65535 {
					return fmt.Errorf("context %q: pgpool %s: invalid %s %d", x.Name, e.Host, p.name, p.v)
				}
			}
		}
	}
	if c.CurrentContext != "" && !seen[c.CurrentContext] {
		return fmt.Errorf("current-context %q is not defined", c.CurrentContext)
	}
	return nil
}

// Context returns the named context, or a one-line error listing the
// names that exist.
func (c *Config) Context(name string) (*Context, error) {
	for i := range c.Contexts {
		if c.Contexts[i].Name == name {
			return &c.Contexts[i], nil
		}
	}
	names := c.Names()
	if len(names) == 0 {
		return nil, fmt.Errorf("no context %q: the config file defines none", name)
	}
	return nil, fmt.Errorf("no context %q (defined: %s)", name, strings.Join(names, ", "))
}

// Names lists the contexts in file order.
func (c *Config) Names() []string {
	n := make([]string, len(c.Contexts))
	for i, x := range c.Contexts {
		n[i] = x.Name
	}
	return n
}

// Save writes the file atomically (temporary file, rename), 0600 in a
// 0700 directory created if needed.
func Save(path string, c *Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return err
	}
	enc.Close()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing config file: %v", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("writing config file: %v", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing config file: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing config file: %v", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing config file: %v", err)
	}
	return nil
}

// ParseEndpoint reads --pgpool's HOST[:PORT], [V6]:PORT or a socket
// directory (an absolute path, optionally followed by :PORT).
func ParseEndpoint(v string) (Endpoint, error) {
	bad := func() (Endpoint, error) {
		return Endpoint{}, fmt.Errorf("invalid --pgpool %q: want HOST:PORT, [IPV6]:PORT or HOST", v)
	}
	if v == "" {
		return bad()
	}
	host, port := v, ""
	switch {
	case strings.HasPrefix(v, "["):
		i := strings.Index(v, "]")
		if i < 0 {
			return bad()
		}
		host, port = v[1:i], strings.TrimPrefix(v[i+1:], ":")
		if v[i+1:] != "" && !strings.HasPrefix(v[i+1:], ":") {
			return bad()
		}
	case strings.Count(v, ":") == 1:
		host, port, _ = strings.Cut(v, ":")
		if port == "" {
			return bad()
		}
	case strings.Count(v, ":") > 1:
		if net.ParseIP(v) == nil {
			return bad()
		}
	}
	if host == "" {
		return bad()
	}
	e := Endpoint{Host: host}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return bad()
		}
		e.PCPPort = p
	}
	return e, nil
}

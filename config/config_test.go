package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `current-context: prod
contexts:
  - name: prod
    user: pcpadmin
    pgpools:
      - host: pgpool1.example.com
        pcp_port: 9898
        sql_port: 9999
      - host: pgpool2.example.com
        user: ops
  - name: lab
    pgpools:
      - host: /var/run/pgpool
`

func TestParseSample(t *testing.T) {
	c, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if c.CurrentContext != "prod" || len(c.Contexts) != 2 || strings.Join(c.Names(), ",") != "prod,lab" {
		t.Fatalf("%+v", c)
	}
	p, _ := c.Context("prod")
	if p.User != "pcpadmin" || p.Pgpools[0].SQLPort != 9999 || p.Pgpools[1].Port() != DefaultPCPPort || p.Pgpools[1].User != "ops" {
		t.Errorf("%+v", p)
	}
	if _, err := c.Context("staging"); err == nil || err.Error() != `no context "staging" (defined: prod, lab)` {
		t.Errorf("%v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"contexts:\n  - name: a\n    pgpools:\n      - host: h\n        pcpport: 1\n", "field pcpport not found"},
		{"contexts:\n  - name: a\n    pgpools: []\n", `context "a" lists no pgpools`},
		{"contexts:\n  - pgpools:\n      - host: h\n", "context #1 has no name"},
		{"contexts:\n  - name: a\n    pgpools:\n      - host: h\n  - name: a\n    pgpools:\n      - host: h\n", `context "a" is defined twice`},
		{"contexts:\n  - name: a\n    pgpools:\n      - pcp_port: 1\n", `context "a": pgpool #1 has no host`},
		{"contexts:\n  - name: a\n    pgpools:\n      - host: h\n        pcp_port: 70000\n", "invalid pcp_port 70000"},
		{"current-context: b\ncontexts:\n  - name: a\n    pgpools:\n      - host: h\n", `current-context "b" is not defined`},
		{"contexts: [\n", "yaml:"},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want %q on one line", c.doc, err, c.want)
		}
	}
	if c, err := Parse(nil); err != nil || len(c.Contexts) != 0 {
		t.Errorf("empty file: %v", err)
	}
}

func TestPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	get := func(k string) string { return env[k] }
	for _, c := range []struct {
		set  map[string]string
		want string
	}{
		{nil, "/home/u/.config/pcpctl/config.yaml"},
		{map[string]string{"XDG_CONFIG_HOME": "/xdg"}, "/xdg/pcpctl/config.yaml"},
		{map[string]string{"XDG_CONFIG_HOME": "relative"}, "/home/u/.config/pcpctl/config.yaml"},
		{map[string]string{"PCPCTL_CONFIG": "/etc/pcpctl.yaml", "XDG_CONFIG_HOME": "/xdg"}, "/etc/pcpctl.yaml"},
	} {
		for k, v := range c.set {
			env[k] = v
		}
		if p, err := Path(get); err != nil || p != c.want {
			t.Errorf("%v: %q %v", c.set, p, err)
		}
		for k := range c.set {
			delete(env, k)
		}
	}
	if _, err := Path(func(string) string { return "" }); !errors.Is(err, ErrNotExist) {
		t.Errorf("no HOME: %v", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.yaml")
	if _, err := Load(path); !errors.Is(err, ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	c, _ := Parse([]byte(sample))
	c.CurrentContext = "lab"
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	back, err := Load(path)
	if err != nil || back.CurrentContext != "lab" || len(back.Contexts) != 2 || back.Contexts[0].Pgpools[0].SQLPort != 9999 {
		t.Fatalf("%+v %v", back, err)
	}
	os.WriteFile(path, []byte("contexts: 3\n"), 0o600)
	if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), "config file "+path+": ") {
		t.Errorf("%v", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]Endpoint{
		"db1":            {Host: "db1"},
		"db1:19898":      {Host: "db1", PCPPort: 19898},
		"[::1]:9898":     {Host: "::1", PCPPort: 9898},
		"[::1]":          {Host: "::1"},
		"::1":            {Host: "::1"},
		"/tmp:9898":      {Host: "/tmp", PCPPort: 9898},
		"127.0.0.1:9898": {Host: "127.0.0.1", PCPPort: 9898},
	} {
		if got, err := ParseEndpoint(in); err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, in := range []string{"", ":9898", "db1:", "db1:0", "db1:x", "[::1", "[::1]x", "a:b:c"} {
		if _, err := ParseEndpoint(in); err == nil || !strings.HasPrefix(err.Error(), "invalid --pgpool ") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

package factory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func newF(env map[string]string) *Factory {
	ios, _, _, _ := iostreams.Test()
	f := New(ios)
	f.Env = environ.Map(env)
	return f
}

func TestSettingsFromEnvironment(t *testing.T) {
	f := newF(map[string]string{"PCPHOST": "db1", "PCPPORT": "19898", "PCPUSER": "ops", "PCPCONNECT_TIMEOUT": "3"})
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "db1" || s.Port != 19898 || s.User != "ops" || s.ConnectTimeout != 3*time.Second || s.Timeout != 10*time.Second {
		t.Errorf("settings %+v", s)
	}
	// Flags win over the environment.
	f.Host, f.Port, f.User, f.Timeout = "db2", "1234", "admin", "1m"
	s, _ = f.Settings()
	if s.Host != "db2" || s.Port != 1234 || s.User != "admin" || s.Timeout != time.Minute {
		t.Errorf("settings %+v", s)
	}
	if s.Endpoint() != "db2:1234" {
		t.Errorf("endpoint %q", s.Endpoint())
	}
	f.Host = ""
	if s, _ := f.Settings(); s.Endpoint() != "db1:1234" {
		t.Errorf("endpoint %q", s.Endpoint())
	}
}

func TestSettingsRejectBadValues(t *testing.T) {
	for _, c := range []struct {
		env        map[string]string
		port, tout string
		want       string
	}{
		{port: "99999", want: `invalid --port "99999"`},
		{port: "x", want: `invalid --port "x"`},
		{env: map[string]string{"PCPPORT": "0"}, want: `invalid PCPPORT "0"`},
		{tout: "soon", want: `invalid --timeout "soon"`},
		{tout: "-1s", want: `invalid --timeout "-1s"`},
		{env: map[string]string{"PCPCONNECT_TIMEOUT": "abc"}, want: `invalid PCPCONNECT_TIMEOUT "abc"`},
	} {
		f := newF(c.env)
		f.Port, f.Timeout = c.port, c.tout
		_, err := f.Settings()
		var ee *exitcode.Error
		if !errors.As(err, &ee) || ee.Code != exitcode.UsageError || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want usage error containing %s", c, err, c.want)
		}
	}
	f := newF(nil)
	f.NoPassword, f.ForcePassword = true, true
	if _, err := f.Settings(); err == nil {
		t.Error("-w -W accepted")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"10": 10 * time.Second, "0.5": 500 * time.Millisecond, "2m": 2 * time.Minute} {
		if d, err := ParseDuration(in); err != nil || d != want {
			t.Errorf("%q: %v %v", in, d, err)
		}
	}
	for _, in := range []string{"0", "", "x", "-3"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestNodeID(t *testing.T) {
	if id, err := NodeID("7"); err != nil || id != 7 {
		t.Errorf("7: %d %v", id, err)
	}
	for _, in := range []string{"-1", "128", "x", "1.0"} {
		if _, err := NodeID(in); err == nil || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func server(t *testing.T) (*pcptest.Server, *pcptest.Pgpool) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "s3cret", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
	return pcptest.NewServer(t, p.Serve), p
}

func TestConnectPasswordSources(t *testing.T) {
	srv, _ := server(t)
	dir := t.TempDir()
	pass := filepath.Join(dir, "pcppass")
	os.WriteFile(pass, []byte("127.0.0.1:*:pcpadmin:s3cret\n"), 0o600)

	// The password file, named by PCPPASSFILE.
	f := newF(map[string]string{"PCPPASSFILE": pass})
	f.Host, f.Port, f.User = srv.Host, itoa(srv.Port), "pcpadmin"
	f.Prompt = func(string) (string, error) { t.Fatal("prompted despite the password file"); return "", nil }
	f.IOStreams.SetStdinTTY(true)
	s, _ := f.Settings()
	c, err := f.Connect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	// No entry, stdin a terminal: prompt once, then reuse on reconnect.
	prompts := 0
	f = newF(map[string]string{"PCPPASSFILE": filepath.Join(dir, "missing")})
	f.Host, f.Port, f.User = srv.Host, itoa(srv.Port), "pcpadmin"
	f.Prompt = func(string) (string, error) { prompts++; return "s3cret", nil }
	f.IOStreams.SetStdinTTY(true)
	s, _ = f.Settings()
	for range 2 {
		c, err := f.Connect(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if prompts != 1 {
		t.Errorf("prompted %d times", prompts)
	}

	// Not a terminal: no prompt, authentication fails with exit 4 and the
	// password appears nowhere.
	ios, _, _, errOut := iostreams.Test()
	f = New(ios)
	f.Env = environ.Map(nil)
	f.Host, f.Port, f.User = srv.Host, itoa(srv.Port), "pcpadmin"
	f.Prompt = func(string) (string, error) { t.Fatal("prompted without a terminal"); return "", nil }
	s, _ = f.Settings()
	_, err = f.Connect(context.Background(), s)
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.Auth {
		t.Fatalf("err = %v, want exit 4", err)
	}
	if strings.Contains(err.Error()+errOut.String(), "s3cret") {
		t.Error("password leaked")
	}
}

func TestConnectTimeout(t *testing.T) {
	// A server that never answers: the connect deadline ends the wait.
	srv := pcptest.NewServer(t, func(s *pcptest.Session) { time.Sleep(time.Second) })
	f := newF(map[string]string{"PCPCONNECT_TIMEOUT": "0.2"})
	f.Host, f.Port, f.NoPassword = srv.Host, itoa(srv.Port), true
	s, _ := f.Settings()
	start := time.Now()
	_, err := f.Connect(context.Background(), s)
	var ee *exitcode.Error
	if !errors.As(err, &ee) || ee.Code != exitcode.Connection {
		t.Fatalf("err = %v, want exit 3", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestDebugTraceHasNoSecrets(t *testing.T) {
	srv, _ := server(t)
	ios, _, _, errOut := iostreams.Test()
	f := New(ios)
	f.Env = environ.Map(nil)
	f.Host, f.Port, f.User, f.Debug, f.ForcePassword = srv.Host, itoa(srv.Port), "pcpadmin", true, true
	f.Prompt = func(string) (string, error) { return "s3cret", nil }
	s, _ := f.Settings()
	c, err := f.Connect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	tr := errOut.String()
	if !strings.Contains(tr, "send Authenticate") || !strings.Contains(tr, "recv 'r' AuthenticationResult") {
		t.Errorf("trace:\n%s", tr)
	}
	if strings.Contains(tr, "s3cret") {
		t.Error("password in trace")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const contextsDoc = `current-context: lab
contexts:
  - name: lab
    user: pcpadmin
    pgpools:
      - host: 127.0.0.1
        pcp_port: 26920
        sql_port: 26910
      - host: 127.0.0.1
        pcp_port: 26921
        user: ops
  - name: prod
    pgpools:
      - host: db1.example.com
`

func TestContextSelectsEndpoints(t *testing.T) {
	path := writeConfig(t, contextsDoc)
	f := newF(map[string]string{"PCPCTL_CONFIG": path, "PCPUSER": "envuser"})
	// The current context: the first pgpool for one-pgpool commands.
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.Endpoint() != "127.0.0.1:26920" || s.User != "pcpadmin" || s.SQLPort != 26910 {
		t.Errorf("settings %+v", s)
	}
	ts, err := f.Targets()
	if err != nil || len(ts) != 2 || ts[1].Endpoint() != "127.0.0.1:26921" || ts[1].User != "ops" {
		t.Fatalf("targets %v %v", ts, err)
	}
	// -U wins over the context's users.
	f.User = "cli"
	if ts, _ := f.Targets(); ts[0].User != "cli" || ts[1].User != "cli" {
		t.Errorf("-U lost: %+v", ts)
	}
	f.User = ""
	// --context picks another; without a user there, PCPUSER.
	f.Context = "prod"
	if s, _ := f.Settings(); s.Endpoint() != "db1.example.com:9898" || s.User != "envuser" {
		t.Errorf("--context prod: %+v", s)
	}
	// --config beats PCPCTL_CONFIG: an empty one names no pgpool.
	f.Context, f.ConfigFile = "", writeConfig(t, "contexts: []\n")
	if _, err := f.Settings(); err == nil || err.Error() != NoEndpoint {
		t.Errorf("--config with no contexts: %v", err)
	}
}

// Without a pgpool named, a context or pgpool's local socket, a command
// says what is missing instead of failing to reach /tmp/.s.PGSQL.9898.
func TestNoEndpoint(t *testing.T) {
	for _, doc := range []string{"", "contexts: []\n", contextsDoc[strings.Index(contextsDoc, "contexts:"):]} {
		env := map[string]string{"HOME": t.TempDir()}
		if doc != "" {
			env["PCPCTL_CONFIG"] = writeConfig(t, doc)
		}
		f := newF(env)
		f.Stat = func(string) (os.FileInfo, error) { return nil, os.ErrNotExist }
		_, err := f.Settings()
		if code := exitCode(err); err == nil || err.Error() != NoEndpoint || code != exitcode.UsageError {
			t.Errorf("config %q: %v (exit %d), want the no-endpoint usage error", doc, err, code)
		}
		var asked string
		f.Stat = func(p string) (os.FileInfo, error) { asked = p; return nil, nil }
		if s, err := f.Settings(); err != nil || s.Host != "" || s.Port != DefaultPort || asked != "/tmp/.s.PGSQL.9898" {
			t.Errorf("config %q with the local socket: %+v %v (looked at %q)", doc, s, err, asked)
		}
	}
}

func TestNamedHostBypassesCurrentContext(t *testing.T) {
	path := writeConfig(t, contextsDoc)
	for _, env := range []map[string]string{{"PCPHOST": "db9"}, {"PCPPORT": "1234"}} {
		env["PCPCTL_CONFIG"] = path
		if s, err := newF(env).Settings(); err != nil || s.Port == 26920 {
			t.Errorf("%v: %+v %v", env, s, err)
		}
	}
	f := newF(map[string]string{"PCPCTL_CONFIG": path})
	f.Host = "db9"
	if s, err := f.Settings(); err != nil || s.Endpoint() != "db9:9898" {
		t.Errorf("-h: %+v %v", s, err)
	}
	// No config file at all: the PCP defaults, silently, when pgpool's
	// local socket is there.
	f = newF(map[string]string{"HOME": t.TempDir()})
	f.Stat = func(string) (os.FileInfo, error) { return nil, nil }
	if s, err := f.Settings(); err != nil || s.Port != DefaultPort {
		t.Errorf("no config: %+v %v", s, err)
	}
}

func TestContextUsageErrors(t *testing.T) {
	path := writeConfig(t, contextsDoc)
	for _, c := range []struct {
		set  func(f *Factory)
		env  map[string]string
		want string
	}{
		{func(f *Factory) { f.Context = "staging" }, nil, `no context "staging" (defined: lab, prod)`},
		{func(f *Factory) { f.Context = "lab"; f.Host = "db2" }, nil, "--context names the pgpools itself"},
		{func(f *Factory) { f.Pgpools = []string{"a:1"}; f.Port = "2" }, nil, "--pgpool names the pgpools itself"},
		{func(f *Factory) { f.Pgpools = []string{"a:1", "b:2"} }, nil, "--pgpool was given 2 times"},
		{func(f *Factory) { f.Context = "lab" }, map[string]string{"PCPCTL_CONFIG": "/nonexistent/c.yaml"}, "config file /nonexistent/c.yaml does not exist"},
		{func(f *Factory) {}, map[string]string{"PCPCTL_CONFIG": writeConfig(t, "contexts:\n  - name: x\n")}, `context "x" lists no pgpools`},
	} {
		env := map[string]string{"PCPCTL_CONFIG": path}
		for k, v := range c.env {
			env[k] = v
		}
		f := newF(env)
		c.set(f)
		_, err := f.Settings()
		var ee *exitcode.Error
		if !errors.As(err, &ee) || ee.Code != exitcode.UsageError || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want usage error %q, got %v", c.want, err)
		}
	}
}

func TestPreparePasswordPromptsOnce(t *testing.T) {
	f := newF(map[string]string{"PCPPASSFILE": filepath.Join(t.TempDir(), "none")})
	f.IOStreams.SetStdinTTY(true)
	prompts := 0
	f.Prompt = func(string) (string, error) { prompts++; return "secret", nil }
	ts := []*Settings{{Host: "a", Port: 1, User: "u"}, {Host: "b", Port: 2, User: "u"}}
	if err := f.PreparePassword(ts); err != nil || prompts != 1 || f.password != "secret" {
		t.Fatalf("prompts %d, err %v", prompts, err)
	}
	f.PreparePassword(ts)
	if prompts != 1 {
		t.Errorf("asked again")
	}
	// -w: never.
	g := newF(nil)
	g.IOStreams.SetStdinTTY(true)
	g.NoPassword = true
	g.Prompt = func(string) (string, error) { t.Error("prompted with -w"); return "", nil }
	g.PreparePassword(ts)
}

// A password file that is ignored for its permissions says so, once, before
// the prompt it causes, as libpcp's WARNING does.
func TestIgnoredPassFileWarnsBeforePrompt(t *testing.T) {
	srv, _ := server(t)
	pass := filepath.Join(t.TempDir(), "pcppass")
	if err := os.WriteFile(pass, []byte("*:*:pcpadmin:s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pass, 0o640); err != nil { // deliberately group-readable
		t.Fatal(err)
	}
	ios, _, _, errOut := iostreams.Test()
	f := New(ios)
	env := map[string]string{"PCPPASSFILE": pass}
	f.Env = environ.Map(env)
	f.Host, f.Port, f.User = srv.Host, itoa(srv.Port), "pcpadmin"
	prompts := 0
	f.Prompt = func(string) (string, error) { prompts++; return "s3cret", nil }
	ios.SetStdinTTY(true)
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Connect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	want := `pcpctl: password file "` + pass + `" has group or world access; permissions should be u=rw (0600) or less` + "\n"
	if prompts != 1 || errOut.String() != want {
		t.Errorf("prompts %d, stderr %q; want 1 and %q", prompts, errOut.String(), want)
	}
}

func exitCode(err error) int {
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return -1
}

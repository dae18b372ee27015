package contexts

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/config"
)

const doc = `current-context: lab
contexts:
  - name: lab
    user: pcpadmin
    pgpools:
      - host: 127.0.0.1
        pcp_port: 26920
        sql_port: 26910
      - host: ::1
        pcp_port: 26921
  - name: prod
    pgpools:
      - host: db1.example.com
`

func run(t *testing.T, path string, args ...string) (string, error) {
	t.Helper()
	f, st := factorytest.New(t, nil, "", "", map[string]string{"PCPCTL_CONFIG": path})
	cmd := NewCmdContext(f)
	cmd.PersistentFlags().StringVar(&f.Context, "context", "", "")
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usage(err) })
	err := cmd.Execute()
	return st.Out.String(), err
}

func file(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(p, []byte(doc), 0o600)
	return p
}

func usage(err error) bool {
	var ee *exitcode.Error
	return errors.As(err, &ee) && ee.Code == exitcode.UsageError
}

func TestList(t *testing.T) {
	p := file(t)
	out, err := run(t, p, "list", "-o", "plain")
	if err != nil || out != "*\tlab\tpcpadmin\t127.0.0.1:26920 [::1]:26921\n-\tprod\t-\tdb1.example.com:9898\n" {
		t.Errorf("%q %v", out, err)
	}
	out, err = run(t, p, "list", "-o", "json")
	if err != nil || !strings.Contains(out, `"name": "lab",`+"\n"+`    "current": true,`) || !strings.Contains(out, `"sql_port": 26910`) {
		t.Errorf("%s %v", out, err)
	}
	// No file yet: an empty list.
	if out, err := run(t, filepath.Join(t.TempDir(), "none.yaml"), "list", "-o", "plain"); err != nil || out != "" {
		t.Errorf("missing file: %q %v", out, err)
	}
}

func TestUseAndShow(t *testing.T) {
	p := file(t)
	if out, err := run(t, p, "use", "prod"); err != nil || out != "Switched to context \"prod\".\n" {
		t.Fatalf("%q %v", out, err)
	}
	c, err := config.Load(p)
	if err != nil || c.CurrentContext != "prod" || len(c.Contexts) != 2 {
		t.Fatalf("%+v %v", c, err)
	}
	out, err := run(t, p, "show", "-o", "table")
	if err != nil || !strings.HasPrefix(out, "context prod (current)\n") || !strings.Contains(out, "db1.example.com") {
		t.Errorf("%s %v", out, err)
	}
	out, err = run(t, p, "show", "lab", "-o", "plain")
	if err != nil || out != "127.0.0.1\t26920\t26910\tpcpadmin\n::1\t26921\t-\tpcpadmin\n" {
		t.Errorf("%q %v", out, err)
	}
	out, err = run(t, p, "--context", "lab", "show", "-o", "yaml")
	if err != nil || !strings.HasPrefix(out, "name: lab\ncurrent: false\n") {
		t.Errorf("%q %v", out, err)
	}
}

func TestErrors(t *testing.T) {
	p := file(t)
	before, _ := os.ReadFile(p)
	for _, args := range [][]string{{"use", "staging"}, {"use"}, {"use", "a", "b"}, {"show", "staging"}, {"list", "-o", "xml"}} {
		if _, err := run(t, p, args...); !usage(err) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Errorf("a refused command changed the file")
	}
	if _, err := run(t, filepath.Join(t.TempDir(), "none.yaml"), "use", "lab"); !usage(err) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("use without a file: %v", err)
	}
	noCurrent := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(noCurrent, []byte("contexts:\n  - name: a\n    pgpools:\n      - host: h\n"), 0o600)
	if _, err := run(t, noCurrent, "show"); !usage(err) || !strings.Contains(err.Error(), "has no current-context") {
		t.Errorf("show without current: %v", err)
	}
}

// runAdd is run with the root's connection flags, which add reads.
func runAdd(t *testing.T, path string, args ...string) (string, error) {
	t.Helper()
	f, st := factorytest.New(t, nil, "", "", map[string]string{"PCPCTL_CONFIG": path})
	cmd := NewCmdContext(f)
	cmd.PersistentFlags().Bool("help", false, "") // -h is the host, as in the root command
	f.AddConnFlags(cmd.PersistentFlags())
	cmd.SetArgs(append([]string{"add"}, args...))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usage(err) })
	err := cmd.Execute()
	return st.Out.String(), err
}

func TestAdd(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "config.yaml")
	out, err := runAdd(t, p, "trio", "--pgpool", "127.0.0.1:19920", "--pgpool", "127.0.0.1:19921", "--pgpool", "[::1]:19922",
		"--sql-port", "19910", "--sql-port", "19911", "--sql-port", "19912", "-U", "pcpadmin", "--use")
	if err != nil || out != "Added context \"trio\" (3 pgpools) in "+p+".\nSwitched to context \"trio\".\n" {
		t.Fatalf("%q %v", out, err)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", st, err)
	}
	if _, err := runAdd(t, p, "one", "--pgpool", "db1", "--sql-port", "9999"); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{CurrentContext: "trio", Contexts: []config.Context{
		{Name: "trio", User: "pcpadmin", Pgpools: []config.Endpoint{
			{Host: "127.0.0.1", PCPPort: 19920, SQLPort: 19910},
			{Host: "127.0.0.1", PCPPort: 19921, SQLPort: 19911},
			{Host: "::1", PCPPort: 19922, SQLPort: 19912}}},
		{Name: "one", Pgpools: []config.Endpoint{{Host: "db1", SQLPort: 9999}}},
	}}
	if got := *c; !equalConfig(got, want) {
		t.Errorf("file holds %+v, want %+v", got, want)
	}
	// The same name again needs --replace; then it replaces in place.
	if _, err := runAdd(t, p, "trio", "--pgpool", "h:1"); !usage(err) || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("duplicate: %v", err)
	}
	if out, err := runAdd(t, p, "trio", "--pgpool", "h:1", "--replace"); err != nil || !strings.HasPrefix(out, "Replaced context \"trio\" (1 pgpools)") {
		t.Errorf("replace: %q %v", out, err)
	}
	if c, _ := config.Load(p); len(c.Contexts) != 2 || c.Contexts[0].Pgpools[0].Host != "h" {
		t.Errorf("after replace: %+v", c)
	}
}

func TestAddRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"x"}, "needs at least one --pgpool"},
		{[]string{"x", "--pgpool", "a:1", "--pgpool", "b:2", "--sql-port", "1", "--sql-port", "2", "--sql-port", "3"}, "--sql-port was given 3 times for 2 pgpools"},
		{[]string{"x", "--pgpool", "a:0"}, `invalid --pgpool "a:0"`},
		{[]string{"x", "--pgpool", "a", "--sql-port", "70000"}, "invalid --sql-port 70000"},
		{[]string{"x", "--pgpool", "a", "--sql-port", "abc"}, `invalid argument "abc"`},
		{[]string{"--pgpool", "a"}, "exactly one context name"},
	} {
		p := filepath.Join(t.TempDir(), "config.yaml")
		_, err := runAdd(t, p, c.args...)
		if !usage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
		if _, statErr := os.Stat(p); statErr == nil {
			t.Errorf("%v: the file was written", c.args)
		}
	}
}

func equalConfig(a, b config.Config) bool {
	if a.CurrentContext != b.CurrentContext || len(a.Contexts) != len(b.Contexts) {
		return false
	}
	for i := range a.Contexts {
		x, y := a.Contexts[i], b.Contexts[i]
		if x.Name != y.Name || x.User != y.User || len(x.Pgpools) != len(y.Pgpools) {
			return false
		}
		for j := range x.Pgpools {
			if x.Pgpools[j] != y.Pgpools[j] {
				return false
			}
		}
	}
	return true
}

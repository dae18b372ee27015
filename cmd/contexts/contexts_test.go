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

// Package factorytest builds factories wired to fake PCP servers for the
// command tests: a password file in a temporary directory, an environment
// that contains only what the test says, a fixed clock.
package factorytest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// Streams are the buffers behind the factory's IOStreams.
type Streams struct {
	In, Out, ErrOut *bytes.Buffer
}

// Now is the fixed clock of test factories.
var Now = time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)

// New returns a factory whose environment is env (nil: empty) and whose
// password file holds user/password for the server.
func New(t testing.TB, srv *pcptest.Server, user, password string, env map[string]string) (*factory.Factory, *Streams) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	f := factory.New(ios)
	pass := filepath.Join(t.TempDir(), "pcppass")
	if srv != nil {
		line := fmt.Sprintf("%s:%d:%s:%s\n", srv.Host, srv.Port, user, password)
		if err := os.WriteFile(pass, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		f.Host, f.Port, f.User = srv.Host, strconv.Itoa(srv.Port), user
	}
	vars := map[string]string{"PCPPASSFILE": pass}
	for k, v := range env {
		vars[k] = v
	}
	f.Env = environ.Map(vars)
	f.Now = func() time.Time { return Now }
	f.Prompt = func(string) (string, error) {
		t.Error("unexpected password prompt")
		return "", fmt.Errorf("no prompt in tests")
	}
	return f, &Streams{in, out, errOut}
}

// Settings resolves the factory's settings or fails the test.
func Settings(t testing.TB, f *factory.Factory) *factory.Settings {
	t.Helper()
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

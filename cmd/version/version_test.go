package version

import (
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// TestTools checks the list the packaging reads: exactly compat's names,
// one a line, nothing else on stdout.
func TestTools(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmdVersion(ios, environ.Map(nil))
	cmd.SetArgs([]string{"--tools"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(compat.Names(), "\n") + "\n"
	if out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q", errOut.String())
	}
	if len(compat.Names()) < 13 {
		t.Errorf("only %d names", len(compat.Names()))
	}
}

func TestVersionLine(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	cmd := NewCmdVersion(ios, environ.Map(nil))
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "pcpctl ") || !strings.Contains(out.String(), "pgpool-II "+compat.Version) {
		t.Errorf("version line %q", out.String())
	}
}

package pcpctl_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/pcpctl/pcpctl"

// TestLayering keeps the data flow one-way (ARCHITECTURE.md): the wire codec
// stands alone, the session layer knows no front end, and the printer knows
// neither sessions nor commands. Transitive dependencies count, so a rule
// cannot be dodged through a third package.
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	rules := []struct {
		pkg       string
		forbidden []string // module-relative prefixes; "" forbids the whole module
		stdOnly   bool
	}{
		{pkg: "pcp", stdOnly: true},
		{pkg: "client", forbidden: []string{"cmd", "output"}},
		{pkg: "output", forbidden: []string{"client", "cmd"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "./"+r.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkg, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			path, std, _ := strings.Cut(line, " ")
			if path == module+"/"+r.pkg || strings.HasPrefix(path, module+"/"+r.pkg+"/") {
				continue
			}
			if r.stdOnly && std != "true" {
				t.Errorf("%s depends on %s; it may use only the standard library", r.pkg, path)
			}
			for _, f := range r.forbidden {
				if p := module + "/" + f; path == p || strings.HasPrefix(path, p+"/") {
					t.Errorf("%s depends on %s", r.pkg, path)
				}
			}
		}
	}
}

// Package testenv decides what a test does when a program it needs is not
// installed. A developer's `go test ./...` skips it, visibly; under
// make test (PCPCTL_REQUIRE_TOOLS=1), which installs everything the suite
// uses, a missing program is a failure: a skip there would hide a missing
// install step that a fresh machine or CI then silently lacks.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing programs fail tests.
func Required() bool { return os.Getenv("PCPCTL_REQUIRE_TOOLS") == "1" }

// NeedProgram returns the path of name (a command looked up in PATH, or an
// absolute path), or skips or fails the test, naming the Debian package
// that provides it.
func NeedProgram(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if Required() {
		t.Fatalf("%s is not installed (Debian package %s): make test installs it (scripts/cluster.sh install)", name, pkg)
	}
	t.Skipf("%s not installed (Debian package %s)", name, pkg)
	return ""
}

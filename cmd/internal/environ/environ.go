// Package environ is the one place pcpctl reads its environment, and names
// every variable it reads. Both front ends take an Env from here (the
// process's in the binary, a map in tests) instead of calling os.Getenv.
package environ

import "os"

// The variables, by who reads them.
const (
	// Both front ends, as libpcp reads it.
	PassFile = "PCPPASSFILE"
	// The pcp_* drop-ins.
	Compat         = "PCPCTL_COMPAT"  // which release's behaviour
	Timeout        = "PCPCTL_TIMEOUT" // seconds, when -t/--timeout is not given
	PosixlyCorrect = "POSIXLY_CORRECT"
	// The modern CLI, libpq-style.
	Host           = "PCPHOST"
	Port           = "PCPPORT"
	User           = "PCPUSER"
	ConnectTimeout = "PCPCONNECT_TIMEOUT"
	// Where the contexts file is.
	Config        = "PCPCTL_CONFIG"
	XDGConfigHome = "XDG_CONFIG_HOME"
	Home          = "HOME"
)

// Env looks a variable up: set or not, and its value.
type Env func(name string) (string, bool)

// System is the process's environment.
func System() Env { return os.LookupEnv }

// Map is a fixed environment, for tests.
func Map(m map[string]string) Env {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// Lookup is the variable's value and whether it is set. A nil Env is an
// empty environment.
func (e Env) Lookup(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	return e(name)
}

// Get is the variable's value, "" when unset.
func (e Env) Get(name string) string {
	v, _ := e.Lookup(name)
	return v
}

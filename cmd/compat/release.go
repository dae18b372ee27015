package compat

import (
	"fmt"
	"os"
)

// Release is a pgpool-II release line whose client behaviour the pcp_*
// names can follow: the -V text, whether the tool prompts for a password by
// default, and the tools it has. Only the client side differs: what is
// printed for a reply always follows the reply itself, whatever the
// release chosen here.
type Release struct {
	Line    string // "4.3"
	Version string // what -V prints
	// PromptByDefault: up to 4.4 the tools prompt unless -w is given; from
	// 4.5 on they read .pcppass first and prompt only with -W.
	PromptByDefault bool
}

// Releases are the selectable lines, oldest first; each is checked against
// that release's own tools (4.3: Debian 12's 4.3.5, 4.6: Debian 13's
// 4.6.1, both in make test).
var Releases = []Release{
	{Line: "4.3", Version: "4.3.5", PromptByDefault: true},
	{Line: "4.6", Version: "4.6.1", PromptByDefault: false},
}

// DefaultRelease is followed when PCPCTL_COMPAT is unset: the release of
// Debian 12, whose tools pcpctl first replaced.
const DefaultRelease = "4.3"

// CompatEnv names the variable that selects the release line.
const CompatEnv = "PCPCTL_COMPAT"

// CurrentRelease is the release PCPCTL_COMPAT selects ("4.6" or "4.6.1").
func CurrentRelease() (Release, error) {
	want := os.Getenv(CompatEnv)
	if want == "" {
		want = DefaultRelease
	}
	for _, r := range Releases {
		if want == r.Line || want == r.Version {
			return r, nil
		}
	}
	return Release{}, fmt.Errorf("%s=%q: not a supported release (use 4.3 or 4.6)", CompatEnv, want)
}

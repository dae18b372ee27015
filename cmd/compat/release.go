package compat

import (
	"fmt"

	"github.com/pcpctl/pcpctl/cmd/internal/environ"
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
	// GetAddrInfo: 4.6.2 replaced gethostbyname, and its error message.
	GetAddrInfo bool
	// PromptIfEmpty: 4.7 prompts when the password file has no entry,
	// even with -w.
	PromptIfEmpty bool
	// WarnAlways: 4.7 prints the password file's permission warnings on
	// stderr every time; earlier releases only into the -d trace.
	WarnAlways bool
}

// Releases are the selectable lines, oldest first. 4.3 (Debian 12's 4.3.5)
// and 4.6 (Debian 13's 4.6.1) are checked against that release's own tools
// in make test; 4.7 (4.7.2) against a transcript written from its libpcp
// and front end, and glibc's own getaddrinfo for its lookup errors, since
// no 4.7 build is in the test set-up.
var Releases = []Release{
	{Line: "4.3", Version: "4.3.5", PromptByDefault: true},
	{Line: "4.6", Version: "4.6.1", PromptByDefault: false},
	{Line: "4.7", Version: "4.7.2", PromptByDefault: false, GetAddrInfo: true, PromptIfEmpty: true, WarnAlways: true},
}

// DefaultRelease is followed when PCPCTL_COMPAT is unset: the release of
// Debian 12, whose tools pcpctl first replaced.
const DefaultRelease = "4.3"

// CurrentRelease is the release PCPCTL_COMPAT selects (a line such as
// "4.6", or its version, "4.6.1").
func CurrentRelease(env environ.Env) (Release, error) {
	want := env.Get(environ.Compat)
	if want == "" {
		want = DefaultRelease
	}
	for _, r := range Releases {
		if want == r.Line || want == r.Version {
			return r, nil
		}
	}
	return Release{}, fmt.Errorf("%s=%q: not a supported release (use 4.3, 4.6 or 4.7)", environ.Compat, want)
}

// SupportNote is one line of the releases table in pcpctl status-codes and
// the man pages: a range of pgpool-II releases, what changes in it, and how
// pcpctl is checked against it.
type SupportNote struct {
	Releases string
	Note     string
}

// Support covers every release pcpctl speaks to. The server's dialect is
// told from the shape of each reply, never from a version.
var Support = []SupportNote{
	{"3.0-3.4", "positional tools; 'e' errors, 4-field node info, 3.3-3.4 fixed-field watchdog. Byte fixtures"},
	{"3.5-4.2", "getopt tools; node info of 5-10 fields in one record, Master*/Leader* watchdog JSON. Byte fixtures"},
	{"4.3", "node info per record with pg_status and pg_role. Real 4.3.5 server and tools in make test; PCPCTL_COMPAT=4.3 (default)"},
	{"4.4", "replication delay in seconds under delay_threshold_by_time; spare process slots without a pid. Byte fixtures"},
	{"4.5", "process info adds load_balance_node; the tools read .pcppass first and prompt only with -W"},
	{"4.6", "pcp_log_rotate, pcp_invalidate_query_cache. Real 4.6.1 server (built from Debian 13's source) and tools in make test; PCPCTL_COMPAT=4.6"},
	{"4.7", "process info adds client_host, client_port, statement; getaddrinfo errors, a prompt when .pcppass has no entry, .pcppass warnings always. Byte fixtures and a transcript from its sources; PCPCTL_COMPAT=4.7"},
}

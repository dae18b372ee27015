package e2e

// PCPCTL_COMPAT=4.7: the client behaviour of pgpool-II 4.7.2's tools,
// against a transcript, since no 4.7 build is in the test set-up. The
// transcript is written from 4.7.2's sources (src/libs/pcp/pcp.c and
// src/tools/pcp/pcp_frontend_client.c at V4_7_2) as differences from what
// the cluster's own tools print for the same command: whatever comes from
// the server is the real tool's output; only what 4.7's client does on its
// own is added. Its lookup errors are checked against glibc's getaddrinfo
// itself in TestUnknownHostGetaddrinfo.

import (
	"strings"
	"testing"
)

// transcript47 is one command and how 4.7.2's tool differs from the
// cluster's tool running the command in stock (its own invocation, often
// the same one).
type transcript47 struct {
	name  string
	inv   invocation
	stock invocation
	// want is 4.7.2's result, given the stock tool's.
	want func(stock result) result
}

const (
	// pcp.c 4.7: "If reading password from .pcppass file fails, try to
	// read it from prompt": simple_prompt("Password: ", 100, false), which
	// without a terminal writes the prompt, and the newline after the
	// answer, to stderr.
	prompt47 = "Password: \n"
	// PasswordFromFile 4.7: the warning goes to stderr, always.
	worldWarning47 = "WARNING: password file \"%s\" has group or world access; permissions should be u=rw (0600) or less\n"
)

func transcripts47(t *testing.T) []transcript47 {
	user := env(t, "PCP_USER")
	good := passFile(t, "*:*:"+user+":"+clusterPassword+"\n", 0o600)
	open := passFile(t, "*:*:"+user+":"+clusterPassword+"\n", 0o644)
	other := passFile(t, "*:*:someone-else:"+clusterPassword+"\n", 0o600)
	base := tcp(t)
	inv := func(a []string, passfile, stdin string) invocation {
		return invocation{Tool: "pcp_node_count", Args: a, Env: map[string]string{"PCPPASSFILE": passfile}, Stdin: stdin}
	}
	withStderr := func(prefix string) func(result) result {
		return func(s result) result { s.Stderr = prefix + s.Stderr; return s }
	}
	return []transcript47{
		{"version", invocation{Tool: "pcp_node_count", Args: []string{"-V"}}, invocation{Tool: "pcp_node_count", Args: []string{"-V"}},
			func(result) result { return result{Stderr: "pcp_node_count (pgpool-II) 4.7.2\n"} }},
		{"version-new-tool", invocation{Tool: "pcp_log_rotate", Args: []string{"--version"}}, invocation{Tool: "pcp_node_count", Args: []string{"-V"}},
			func(result) result { return result{Stderr: "pcp_log_rotate (pgpool-II) 4.7.2\n"} }},
		// The stock tool, told the password by a good file, prints the
		// node count; 4.7 warns about the open file, ignores it and asks.
		{"open-passfile-warns-and-prompts", inv(base, open, clusterPassword+"\n"), inv(base, good, ""),
			withStderr(strings.ReplaceAll(worldWarning47, "%s", open) + prompt47)},
		{"no-entry-prompts-despite-w", inv(base, other, clusterPassword+"\n"), inv(base, good, ""), withStderr(prompt47)},
		// An empty answer leaves the password empty: the server's refusal,
		// as the stock tool gets it with no password at all.
		{"no-entry-empty-answer", inv(base, other, ""), inv(base, other, ""), withStderr(prompt47)},
		// -W prompts first (the front end), then libpcp again once the
		// file has nothing either.
		{"W-then-fallback", inv(args(base[:len(base)-1], "-W"), other, "\n"+clusterPassword+"\n"), inv(base, good, ""), withStderr(prompt47 + prompt47)},
		// -d: the trace is the stock one; the warning is not in it.
		{"debug-open-passfile", inv(args(base, "-d"), open, clusterPassword+"\n"), inv(args(base, "-d"), good, ""),
			withStderr(strings.ReplaceAll(worldWarning47, "%s", open) + prompt47)},
		// libpcp asks only once connected: a refused connection prompts
		// for nothing.
		{"refused-no-prompt", inv([]string{"-h", env(t, "PCP_HOST"), "-p", "1", "-U", user, "-w"}, other, clusterPassword+"\n"),
			inv([]string{"-h", env(t, "PCP_HOST"), "-p", "1", "-U", user, "-w"}, other, ""), func(s result) result { return s }},
	}
}

func TestCompat47Transcript(t *testing.T) {
	needCluster(t)
	for _, c := range transcripts47(t) {
		t.Run(c.name, func(t *testing.T) {
			want := c.want(stock(t, c.stock))
			c.inv.Env = withEnv(c.inv.Env, "PCPCTL_COMPAT", "4.7")
			if got := ours(t, c.inv); got != want {
				t.Errorf("%s %s:\n=== want (4.7.2)\n%s=== pcpctl\n%s", c.inv.Tool, strings.Join(c.inv.Args, " "), want, got)
			}
		})
	}
}

func withEnv(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for k2, v2 := range m {
		out[k2] = v2
	}
	return out
}

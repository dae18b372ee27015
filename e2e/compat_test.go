package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// diffCase is one side-by-side comparison: the stock tool and pcpctl get the
// same arguments, environment and stdin, and must produce the same stdout,
// stderr and exit code.
type diffCase struct {
	name string
	inv  invocation
}

// compare runs both tools and fails on any difference. Read-only commands on
// a live cluster can race with pgpool's own state changes (a node going from
// "waiting" to "up", a health check), so a difference is re-checked once
// with a fresh pair of runs before it counts.
func compare(t *testing.T, inv invocation) (result, result) {
	t.Helper()
	var c, g result
	for attempt := 0; attempt < 2; attempt++ {
		c = stock(t, inv)
		g = ours(t, inv)
		if c == g {
			return c, g
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Errorf("%s %s: outputs differ\n=== stock\n%s=== pcpctl\n%s", inv.Tool, strings.Join(inv.Args, " "), c, g)
	return c, g
}

func tcp(t *testing.T) []string {
	return []string{"-h", env(t, "PCP_HOST"), "-p", env(t, "PCP_PORT"), "-U", env(t, "PCP_USER"), "-w"}
}

func args(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

// passFile writes a password file for one test (0600 unless mode says
// otherwise) and returns its path.
func passFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pcppass")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// readOnlyCases are the comparisons that change nothing on the server.
func readOnlyCases(t *testing.T) []diffCase {
	host, port, user := env(t, "PCP_HOST"), env(t, "PCP_PORT"), env(t, "PCP_USER")
	sock := env(t, "PCP_SOCKET_DIR")
	base := tcp(t)
	wrong := passFile(t, "*:*:"+user+":not-the-password\n", 0o600)
	open := passFile(t, "*:*:"+user+":pcppass\n", 0o644)
	escaped := passFile(t, "otherhost:*:"+user+":nope\n"+host+":"+port+":"+user+":pcp\\pass:trailing\n", 0o600)
	sockFile := passFile(t, "localhost:"+port+":"+user+":wrong\n"+sock+":"+port+":"+user+":pcppass\n", 0o600)
	var cs []diffCase
	add := func(name, tool string, a []string, env map[string]string, stdin string) {
		cs = append(cs, diffCase{name, invocation{Tool: tool, Args: a, Env: env, Stdin: stdin}})
	}
	for _, tool := range []string{"pcp_node_info", "pcp_node_count", "pcp_attach_node", "pcp_detach_node", "pcp_recovery_node", "pcp_watchdog_info"} {
		add("help", tool, []string{"--help"}, nil, "")
		add("help-short", tool, []string{"-?"}, nil, "")
		add("version", tool, []string{"-V"}, nil, "")
		add("version-late", tool, args(base, "-V"), nil, "")
		add("unknown-option", tool, args(base, "-x"), nil, "")
		add("refused-port", tool, []string{"-h", host, "-p", "1", "-w", "-n", "0"}, nil, "")
	}
	// pcp_node_count
	add("count", "pcp_node_count", base, nil, "")
	add("count-verbose", "pcp_node_count", args(base, "-v"), nil, "")
	add("count-bundled", "pcp_node_count", []string{"-h", host, "-p", port, "-U", user, "-wv"}, nil, "")
	add("count-long-options", "pcp_node_count", []string{"--host=" + host, "--port", port, "--username=" + user, "--no-password", "--verbose"}, nil, "")
	add("count-socket", "pcp_node_count", []string{"-h", sock, "-p", port, "-U", user, "-w"}, nil, "")
	add("count-missing-socket", "pcp_node_count", []string{"-p", port, "-U", user, "-w"}, nil, "")
	add("count-socket-dir-missing", "pcp_node_count", []string{"-h", "/nonexistent/dir", "-p", port, "-w"}, nil, "")
	add("count-unknown-user", "pcp_node_count", []string{"-h", host, "-p", port, "-U", "nobody", "-w"}, nil, "")
	add("count-wrong-password", "pcp_node_count", base, map[string]string{"PCPPASSFILE": wrong}, "")
	add("count-no-passfile", "pcp_node_count", base, map[string]string{"PCPPASSFILE": "/nonexistent/pcppass"}, "")
	add("count-passfile-0644", "pcp_node_count", base, map[string]string{"PCPPASSFILE": open}, "")
	add("count-passfile-0644-debug", "pcp_node_count", args(base, "-d"), map[string]string{"PCPPASSFILE": open}, "")
	add("count-passfile-dir", "pcp_node_count", args(base, "-d"), map[string]string{"PCPPASSFILE": t.TempDir()}, "")
	add("count-passfile-escapes", "pcp_node_count", base, map[string]string{"PCPPASSFILE": escaped}, "")
	add("count-passfile-socket-dir", "pcp_node_count", []string{"-h", sock, "-p", port, "-U", user, "-w"}, map[string]string{"PCPPASSFILE": sockFile}, "")
	// count-unknown-host: TestUnknownHostErrno, under controlled resolvers.
	add("count-port-1024", "pcp_node_count", []string{"-h", host, "-p", "1024", "-w"}, nil, "")
	add("count-port-abc", "pcp_node_count", []string{"-h", host, "-p", "abc", "-w"}, nil, "")
	add("count-port-65536", "pcp_node_count", []string{"-h", host, "-p", "65536", "-w"}, nil, "")
	add("count-extra-args", "pcp_node_count", args(base, "extra", "more"), nil, "")
	add("count-debug", "pcp_node_count", args(base, "-d"), nil, "")
	add("count-prompt-stdin", "pcp_node_count", []string{"-h", host, "-p", port, "-U", user}, nil, "pcppass\n")
	add("count-prompt-forced", "pcp_node_count", []string{"-h", host, "-p", port, "-U", user, "-w", "-W"}, nil, "pcppass\n")
	add("count-prompt-wrong", "pcp_node_count", []string{"-h", host, "-p", port, "-U", user}, map[string]string{"PCPPASSFILE": "/nonexistent"}, "wrong\n")
	add("count-prompt-empty-falls-back-to-file", "pcp_node_count", []string{"-h", host, "-p", port, "-U", user}, nil, "\n")
	add("count-user-too-long", "pcp_node_count", []string{"-h", host, "-p", port, "-U", strings.Repeat("u", 130), "-w"}, nil, "")
	add("count-ambiguous-long", "pcp_node_count", args(base, "--p=1"), nil, "")
	add("count-long-needs-arg", "pcp_node_count", args(base, "--host"), nil, "")
	// pcp_node_info
	for _, n := range []string{"0", "1", "2"} {
		add("info-node-"+n, "pcp_node_info", args(base, "-n", n), nil, "")
		add("info-verbose-node-"+n, "pcp_node_info", args(base, "-v", "-n", n), nil, "")
	}
	add("info-all-nodes", "pcp_node_info", base, nil, "")
	add("info-all-flag", "pcp_node_info", args(base, "-a"), nil, "")
	add("info-all-verbose", "pcp_node_info", args(base, "-v"), nil, "")
	add("info-positional", "pcp_node_info", args(base, "1"), nil, "")
	add("info-positional-extra", "pcp_node_info", args(base, "1", "2", "3"), nil, "")
	add("info-positional-invalid", "pcp_node_info", args(base, "200"), nil, "")
	add("info-attached-arg", "pcp_node_info", args(base, "-n2"), nil, "")
	add("info-long-node-id", "pcp_node_info", args(base, "--node-id=1"), nil, "")
	add("info-node-3", "pcp_node_info", args(base, "-n", "3"), nil, "")
	add("info-node-99", "pcp_node_info", args(base, "-n", "99"), nil, "")
	add("info-node-128", "pcp_node_info", args(base, "-n", "128"), nil, "")
	add("info-node-129", "pcp_node_info", args(base, "-n", "129"), nil, "")
	add("info-node-minus-1", "pcp_node_info", args(base, "-n", "-1"), nil, "")
	add("info-node-abc", "pcp_node_info", args(base, "-n", "abc"), nil, "")
	add("info-missing-arg", "pcp_node_info", args(base, "-n"), nil, "")
	add("info-debug", "pcp_node_info", args(base, "-d", "-n", "0"), nil, "")
	add("info-debug-error", "pcp_node_info", args(base, "-d", "-n", "5"), nil, "")
	add("info-socket", "pcp_node_info", []string{"-h", sock, "-p", port, "-U", user, "-w", "-n", "1"}, nil, "")
	add("info-options-after-operand", "pcp_node_info", []string{"2", "-h", host, "-p", port, "-U", user, "-w"}, nil, "")
	add("info-double-dash", "pcp_node_info", args(base, "--", "-1"), nil, "")
	add("info-legacy-form-stock-misreads", "pcp_node_info", []string{"-w", "-h", host, "-p", port, "-U", user, "0", "x"}, nil, "")
	add("info-mode-not-allowed", "pcp_node_info", args(base, "--mode=fast"), nil, "")
	add("info-help-late", "pcp_node_info", args(base, "--help"), nil, "")
	// actions: only the refusals here; the real ones are in TestCompatActions
	add("attach-missing-node", "pcp_attach_node", base, nil, "")
	add("detach-missing-node", "pcp_detach_node", base, nil, "")
	add("recovery-missing-node", "pcp_recovery_node", base, nil, "")
	// Not attach/detach -n 99: pgpool 4.3.5 takes them for a real node (it
	// degenerates node 0), so pcpctl refuses them; see
	// TestCompatRefusesUnconfiguredNode.
	add("recovery-node-99", "pcp_recovery_node", args(base, "-n", "99"), nil, "")
	add("recovery-live-node", "pcp_recovery_node", args(base, "-n", "1"), nil, "")
	add("recovery-primary", "pcp_recovery_node", args(base, "-n", "0"), nil, "")
	add("detach-node-minus-1", "pcp_detach_node", args(base, "-n", "-1"), nil, "")
	add("attach-node-200", "pcp_attach_node", args(base, "-n", "200"), nil, "")
	add("detach-scope-not-allowed", "pcp_detach_node", args(base, "-n", "1", "--scope=local"), nil, "")
	// pcp_watchdog_info on a pgpool without watchdog
	add("watchdog-disabled", "pcp_watchdog_info", base, nil, "")
	add("watchdog-disabled-verbose", "pcp_watchdog_info", args(base, "-v"), nil, "")
	add("watchdog-disabled-id", "pcp_watchdog_info", args(base, "-n", "0"), nil, "")
	add("watchdog-negative-id", "pcp_watchdog_info", args(base, "-n", "-2"), nil, "")
	add("watchdog-debug", "pcp_watchdog_info", args(base, "-d"), nil, "")
	return cs
}

func TestCompatReadOnly(t *testing.T) {
	needCluster(t)
	cases := readOnlyCases(t)
	for _, c := range cases {
		t.Run(c.inv.Tool+"/"+c.name, func(t *testing.T) {
			compare(t, c.inv)
		})
	}
	t.Logf("%d side-by-side cases", len(cases))
}

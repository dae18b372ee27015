package e2e

// 4.6's two new tools, pcp_log_rotate and pcp_invalidate_query_cache, side
// by side with the 4.6 build's own tools on the 4.6 cluster (whose pgpool
// runs the logging collector and the shared-memory query cache, see
// scripts/cluster.sh), and their effect: a new log file, a query cache that
// empties. On the 4.3.5 cluster the same drop-ins are compared with the 4.6
// tools against a server that does not know the requests.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var newTools = []string{"pcp_log_rotate", "pcp_invalidate_query_cache"}

// need46 skips a test that needs a 4.6 server: the 4.3.5 cluster's pgpool
// does not have the feature (its own test compares the refusal instead).
func need46(t *testing.T) {
	t.Helper()
	needCluster(t)
	if release() == "4.3" {
		t.Skip("4.6 feature; this run is against the 4.3.5 cluster (make test runs both)")
	}
}

// newToolCases compare everything the two tools do that leaves the server as
// it was, except for another log file or an emptied cache.
func newToolCases(t *testing.T) []diffCase {
	host, port, user := env(t, "PCP_HOST"), env(t, "PCP_PORT"), env(t, "PCP_USER")
	sock := env(t, "PCP_SOCKET_DIR")
	base := tcp(t)
	wrong := passFile(t, "*:*:"+user+":not-the-password\n", 0o600)
	var cs []diffCase
	add := func(name, tool string, a []string, env map[string]string) {
		cs = append(cs, diffCase{name, invocation{Tool: tool, Args: a, Env: env}})
	}
	for _, tool := range newTools {
		add("help", tool, []string{"--help"}, nil)
		add("help-short", tool, []string{"-?"}, nil)
		add("version", tool, []string{"-V"}, nil)
		add("version-late", tool, args(base, "-V"), nil)
		add("unknown-option", tool, args(base, "-x"), nil)
		add("refused-port", tool, []string{"-h", host, "-p", "1", "-w"}, nil)
		add("wrong-password", tool, base, map[string]string{"PCPPASSFILE": wrong})
		add("plain", tool, base, nil)
		add("verbose", tool, args(base, "-v"), nil)
		add("debug", tool, args(base, "-d"), nil)
		add("socket", tool, []string{"-h", sock, "-p", port, "-U", user, "-w"}, nil)
		add("extra-args", tool, args(base, "extra"), nil)
		add("node-not-allowed", tool, args(base, "-n", "1"), nil)
		add("long-options", tool, []string{"--host=" + host, "--port=" + port, "--username=" + user, "--no-password"}, nil)
		add("no-password-flag-uses-passfile", tool, []string{"-h", host, "-p", port, "-U", user}, nil)
	}
	add("scope-local", "pcp_log_rotate", args(base, "-s", "local"), nil)
	add("scope-l", "pcp_log_rotate", args(base, "-s", "l"), nil)
	// Watchdog is off here, so pgpool rotates its own log only.
	add("scope-cluster", "pcp_log_rotate", args(base, "--scope=cluster"), nil)
	add("scope-c-verbose", "pcp_log_rotate", args(base, "-v", "-s", "c"), nil)
	add("scope-bogus", "pcp_log_rotate", args(base, "-s", "everywhere"), nil)
	add("scope-missing-arg", "pcp_log_rotate", args(base, "-s"), nil)
	add("scope-refused", "pcp_invalidate_query_cache", args(base, "-s", "local"), nil)
	add("scope-refused-cluster", "pcp_invalidate_query_cache", args(base, "--scope=cluster"), nil)
	return cs
}

func TestNewToolsCompat(t *testing.T) {
	need46(t)
	cases := newToolCases(t)
	for _, c := range cases {
		t.Run(c.inv.Tool+"/"+c.name, func(t *testing.T) {
			compare(t, c.inv)
		})
	}
	t.Logf("%d side-by-side cases", len(cases))
}

// TestNewToolsOnOlderServer: pgpool 4.3.5 has neither request. pcpctl's
// drop-ins must say what 4.6's own tools say to it (the FATAL it answers);
// only the server part is compared, so the client's release does not enter.
func TestNewToolsOnOlderServer(t *testing.T) {
	needCluster(t)
	if release() != "4.3" {
		t.Skip("needs a server older than 4.6: the 4.3.5 cluster (make test runs both)")
	}
	dir := filepath.Join(pgpool46Prefix(), "bin")
	if _, err := os.Stat(filepath.Join(dir, "pcp_log_rotate")); err != nil {
		t.Fatalf("no 4.6 tools to compare with (scripts/pgpool46.sh install): %v", err)
	}
	base := tcp(t)
	n := 0
	for _, tool := range newTools {
		for _, extra := range [][]string{nil, {"-v"}, {"-d"}} {
			inv := invocation{Tool: tool, Args: args(base, extra...)}
			c := run(t, filepath.Join(dir, tool), inv)
			g := ours(t, inv)
			sameResult(t, tool+" "+strings.Join(extra, " "), c, g)
			if !strings.Contains(g.Stderr, "unknown PCP packet type") {
				t.Errorf("%s %v on 4.3.5: want pgpool's refusal, got %s", tool, extra, g)
			}
			n++
		}
	}
	t.Logf("%d side-by-side cases (4.6 tools, 4.3.5 server)", n)
}

func pgpool46Prefix() string {
	if p := os.Getenv("PGPOOL46_PREFIX"); p != "" {
		return p
	}
	return "/opt/pcpctl-pgpool46"
}

// logFiles lists the 4.6 pgpool's log files: scripts/cluster.sh puts
// log_directory under the pgpool directory, which is the PCP socket
// directory.
func logFiles(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(env(t, "PCP_SOCKET_DIR"), "log"))
	if err != nil {
		t.Fatalf("pgpool log directory: %v", err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "pgpool-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestLogRotateTakesEffect: each rotation, by either tool, starts a new log
// file. File names carry seconds, so the rotations are a second apart.
func TestLogRotateTakesEffect(t *testing.T) {
	need46(t)
	for _, runner := range []struct {
		name string
		run  func(*testing.T, invocation) result
	}{{"stock", stock}, {"pcpctl", ours}} {
		time.Sleep(1100 * time.Millisecond)
		before := logFiles(t)
		r := runner.run(t, invocation{Tool: "pcp_log_rotate", Args: tcp(t)})
		if r.Code != 0 || r.Stdout != "pcp_log_rotate -- Command Successful\n" {
			t.Fatalf("%s pcp_log_rotate: %s", runner.name, r)
		}
		waitFor(t, runner.name+": a new pgpool log file", 10*time.Second, func() (bool, string) {
			now := logFiles(t)
			for _, f := range now {
				if !slices.Contains(before, f) {
					return true, ""
				}
			}
			return false, fmt.Sprintf("before %v, now %v", before, now)
		})
	}
}

// cacheEntries is SHOW pool_cache's num_cache_entries, asked through pgpool.
func cacheEntries(ctx context.Context, c *pgx.Conn) (string, error) {
	rows, err := c.Query(ctx, "SHOW pool_cache", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	col := -1
	for i, fd := range rows.FieldDescriptions() {
		if fd.Name == "num_cache_entries" {
			col = i
		}
	}
	if col < 0 {
		return "", fmt.Errorf("SHOW pool_cache has no num_cache_entries column")
	}
	v := ""
	for rows.Next() {
		v = string(rows.RawValues()[col])
	}
	return v, rows.Err()
}

// TestInvalidateQueryCacheTakesEffect: SELECTs through pgpool fill its
// query cache; after pcp_invalidate_query_cache (pcpctl's) it is empty.
func TestInvalidateQueryCacheTakesEffect(t *testing.T) {
	need46(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres sslmode=disable connect_timeout=5",
		env(t, "PCP_HOST"), env(t, "PGPOOL_PORT")))
	if err != nil {
		t.Fatalf("connect through pgpool: %v", err)
	}
	defer c.Close(context.Background())
	simple := pgx.QueryExecModeSimpleProtocol
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS pcpctl_e2e_cache (x int)",
		"TRUNCATE pcpctl_e2e_cache",
		"INSERT INTO pcpctl_e2e_cache VALUES (1), (2)",
	} {
		if _, err := c.Exec(ctx, q, simple); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// pgpool does not cache a SELECT inside a transaction that wrote, nor
	// one on a table written moments before; a fresh session, twice.
	c2, err := pgx.Connect(ctx, c.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(context.Background())
	waitFor(t, "query cache filled", 15*time.Second, func() (bool, string) {
		var n int
		for i := 0; i < 2; i++ {
			if err := c2.QueryRow(ctx, "SELECT count(*) FROM pcpctl_e2e_cache", simple).Scan(&n); err != nil {
				return false, err.Error()
			}
		}
		v, err := cacheEntries(ctx, c2)
		return err == nil && v != "" && v != "0", fmt.Sprintf("num_cache_entries %q, err %v", v, err)
	})
	r := ours(t, invocation{Tool: "pcp_invalidate_query_cache", Args: tcp(t)})
	if r.Code != 0 || r.Stdout != "pcp_invalidate_query_cache -- Command Successful\n" || r.Stderr != "" {
		t.Fatalf("pcp_invalidate_query_cache: %s", r)
	}
	// A child clears the cache on its next round of its client loop.
	waitFor(t, "query cache empty", 15*time.Second, func() (bool, string) {
		v, err := cacheEntries(ctx, c2)
		return err == nil && v == "0", fmt.Sprintf("num_cache_entries %q, err %v", v, err)
	})
}

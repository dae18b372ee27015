// Package e2e runs pcpctl against the project's real pgpool-II cluster
// (scripts/cluster.sh) and compares it with the stock C tools of the
// cluster's release: /usr/sbin for 4.3.5, the private build's bin for 4.6
// (PGPOOL_RELEASE=4.6 selects that cluster; see scripts/cluster46.sh). It
// runs only with PCPCTL_E2E=1 (make test sets it and starts the cluster).
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/compat"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

var (
	// binDir holds the freshly built pcpctl and its pcp_* symlinks.
	binDir string
	// pcpctlBin is the built binary.
	pcpctlBin string
	// cluster is the environment scripts/cluster.sh describes.
	cluster = map[string]string{}
	enabled bool
)

func TestMain(m *testing.M) {
	if sc := os.Getenv(dnsHelperEnv); sc != "" {
		if err := dnsHelper(sc); err != nil {
			fmt.Fprintf(os.Stderr, "dns helper: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	enabled = os.Getenv("PCPCTL_E2E") == "1"
	if !enabled {
		os.Exit(m.Run()) // every test skips itself
	}
	if err := setup(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e setup: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(filepath.Dir(binDir))
	os.Exit(code)
}

func setup() error {
	out, err := exec.Command("../scripts/cluster.sh", "env").Output()
	if err != nil {
		return fmt.Errorf("scripts/cluster.sh env: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		cluster[k] = v
		if k == "PCPHOST" || k == "PCPPORT" || k == "PCPUSER" {
			// For people at a shell (who may have run make test after
			// eval'ing this). The tests say where to connect themselves,
			// and some check what happens without these.
			os.Unsetenv(k)
			continue
		}
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	// pcpctl's pcp_* names follow the client behaviour of the cluster's
	// release, as its tools (the oracle) do.
	if _, set := os.LookupEnv("PCPCTL_COMPAT"); !set {
		os.Setenv("PCPCTL_COMPAT", release())
	}
	tmp, err := os.MkdirTemp("", "pcpctl-e2e-")
	if err != nil {
		return err
	}
	binDir = filepath.Join(tmp, "bin")
	os.MkdirAll(binDir, 0o755)
	pcpctlBin = filepath.Join(binDir, "pcpctl")
	build := exec.Command("go", "build", "-o", pcpctlBin, "../cmd/pcpctl")
	// As make build ships it: without cgo, so with Go's own resolver.
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %v", err)
	}
	for _, name := range compat.Names() {
		if err := os.Symlink("pcpctl", filepath.Join(binDir, name)); err != nil {
			return err
		}
	}
	return nil
}

// needCluster skips the test unless the live cluster is in use.
func needCluster(t *testing.T) {
	t.Helper()
	if !enabled {
		t.Skip("set PCPCTL_E2E=1 (make test does) to run against the real cluster")
	}
}

// env returns a cluster setting.
func env(t *testing.T, key string) string {
	t.Helper()
	v := cluster[key]
	if v == "" {
		v = os.Getenv(key)
	}
	if v == "" {
		t.Fatalf("cluster setting %s is missing (scripts/cluster.sh env)", key)
	}
	return v
}

// result is what one run of a tool produced.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// invocation is one command line with its environment and stdin.
type invocation struct {
	Tool  string
	Args  []string
	Env   map[string]string // added to (or, with "", removed from) the environment
	Stdin string
}

// runTimeout bounds every tool run; the slowest real one, an online
// recovery, takes about a second here.
const runTimeout = 90 * time.Second

// run executes path with argv[0] = the tool name, as a shell finding it on
// PATH would: glibc's getopt messages quote argv[0].
func run(t *testing.T, path string, inv invocation) result {
	t.Helper()
	// A wedged pgpool must fail one test, not hang the suite until go
	// test's own timeout.
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, inv.Args...)
	cmd.WaitDelay = time.Second
	cmd.Args[0] = inv.Tool
	cmd.Env = environ(inv.Env)
	cmd.Stdin = strings.NewReader(inv.Stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	// No controlling terminal, so password prompts fall back to stdin for
	// both tools alike.
	cmd.SysProcAttr = detachedTTY()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer within %s (is pgpool wedged?)\nstdout: %s\nstderr: %s", inv.Tool, strings.Join(inv.Args, " "), runTimeout, o.String(), e.String())
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", inv.Tool, err)
		}
		code = ee.ExitCode()
	}
	r := result{o.String(), e.String(), code}
	pcptest.NoLeak(t, inv.Tool+" "+strings.Join(inv.Args, " "), cluster["PCP_USER"], clusterPassword, r.Stdout, r.Stderr)
	return r
}

// clusterPassword is the PCP password scripts/cluster.sh sets up. Every
// run's output, stdout and stderr, of the stock tools too, is scanned for
// it and its MD5 forms (see pcptest.Leaks).
var clusterPassword = func() string {
	if p := os.Getenv("PCP_PASSWORD"); p != "" {
		return p
	}
	return "pcppass"
}()

func environ(extra map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := extra[k]; ok {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range extra {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// stock runs the reference C tool, ours the pcpctl symlink of the same name.
func stock(t *testing.T, inv invocation) result {
	return run(t, filepath.Join(oracleDir(), inv.Tool), inv)
}

// oracleDir holds the C tools of the cluster's own release: each release's
// replies are compared with what that release's tools print.
func oracleDir() string {
	if d := cluster["PCPCTL_ORACLE_DIR"]; d != "" {
		return d
	}
	return "/usr/sbin"
}

// release is the cluster's pgpool-II release line ("4.3", "4.6").
func release() string {
	if r := cluster["PGPOOL_RELEASE"]; r != "" {
		return r
	}
	return "4.3"
}

func ours(t *testing.T, inv invocation) result {
	return run(t, filepath.Join(binDir, inv.Tool), inv)
}

//go:build capture

// The seed recorder is a tool, not a test of pcpctl: it rewrites committed
// files, so it is built only when asked for, and never shows up as a skip:
//
//	PCPCTL_E2E=1 go test -tags capture -run TestCaptureFuzzSeeds ./e2e/

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingProxy forwards PCP connections to the real pgpool and keeps what
// the server sent on each one, so fuzz seeds are real 4.3.5 replies rather
// than our own idea of them.
type recordingProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	wg     sync.WaitGroup
	got    [][]byte
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *recordingProxy) port() string {
	return fmt.Sprint(p.ln.Addr().(*net.TCPAddr).Port)
}

func (p *recordingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer s.Close()
			go func() { io.Copy(s, c); s.(*net.TCPConn).CloseWrite() }()
			var rec bytes.Buffer
			io.Copy(io.MultiWriter(c, &rec), s)
			p.mu.Lock()
			p.got = append(p.got, rec.Bytes())
			p.mu.Unlock()
		}()
	}
}

// take waits for the sessions so far to end and returns what the server
// sent on them, concatenated.
func (p *recordingProxy) take() []byte {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	b := bytes.Join(p.got, nil)
	p.got = nil
	return b
}

// TestCaptureFuzzSeeds records the server side of real sessions with the
// stock 4.3.5 tools and writes them as seeds of pcp's FuzzReceive (the other
// pcp fuzz targets split them into packets). It rewrites the committed seeds,
// so it is built only with -tags capture.
func TestCaptureFuzzSeeds(t *testing.T) {
	needCluster(t)
	p := newRecordingProxy(t, net.JoinHostPort(env(t, "PCP_HOST"), env(t, "PCP_PORT")))
	base := []string{"-h", "127.0.0.1", "-p", p.port(), "-U", env(t, "PCP_USER"), "-w"}
	wrong := passFile(t, fmt.Sprintf("*:*:%s:not-the-password\n", env(t, "PCP_USER")), 0o600)
	dir := filepath.Join("..", "pcp", "testdata", "fuzz", "FuzzReceive")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	capture := func(name, tool string, extra []string, env map[string]string) {
		r := stock(t, invocation{Tool: tool, Args: args(base, extra...), Env: env})
		data := p.take()
		if len(data) == 0 {
			t.Fatalf("%s: nothing recorded (%s)", name, r)
		}
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, "capture-"+name), []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes, tool said: %s", name, len(data), strings.TrimSpace(r.Stderr))
	}
	for _, c := range []struct {
		name string
		tool string
		args []string
		env  map[string]string
	}{
		{"node-count", "pcp_node_count", nil, nil},
		{"node-info-0", "pcp_node_info", []string{"-n", "0"}, nil},
		{"node-info-1", "pcp_node_info", []string{"-n", "1"}, nil},
		{"node-info-all", "pcp_node_info", nil, nil},
		{"node-info-invalid", "pcp_node_info", []string{"-n", "99"}, nil},
		{"watchdog-disabled", "pcp_watchdog_info", nil, nil},
		{"proc-count", "pcp_proc_count", nil, nil},
		{"proc-info-all", "pcp_proc_info", nil, nil},
		{"pool-status", "pcp_pool_status", nil, nil},
		{"health-check-0", "pcp_health_check_stats", []string{"-n", "0"}, nil},
		{"health-check-invalid", "pcp_health_check_stats", []string{"-n", "99"}, nil},
		{"reload-config", "pcp_reload_config", nil, nil},
		{"auth-fatal", "pcp_node_count", nil, map[string]string{"PCPPASSFILE": wrong}},
	} {
		capture(c.name, c.tool, c.args, c.env)
	}
	// The watchdog's JSON, from the trio when it runs (make test starts it).
	wdPorts := strings.Fields(cluster["WD_PCP_PORTS"])
	if len(wdPorts) == 0 {
		t.Log("watchdog trio not running: no watchdog seeds recorded")
		return
	}
	wd := newRecordingProxy(t, net.JoinHostPort("127.0.0.1", wdPorts[0]))
	p, base = wd, []string{"-h", "127.0.0.1", "-p", wd.port(), "-U", env(t, "PCP_USER"), "-w"}
	capture("watchdog-all", "pcp_watchdog_info", nil, nil)
	capture("watchdog-local", "pcp_watchdog_info", []string{"-n", "0"}, nil)
	capture("watchdog-1", "pcp_watchdog_info", []string{"-n", "1"}, nil)
	capture("watchdog-99", "pcp_watchdog_info", []string{"-n", "99"}, nil)
}

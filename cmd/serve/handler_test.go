package serve

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/internal/monitor"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

// testHandler serves one pgpool (node 0 primary, 1 and 2 up standbys,
// watchdog leader) and counts its readings.
func testHandler(readErr error) (*handler, *int) {
	reads := 0
	one := "127.0.0.1:9898"
	snap := &monitor.Snapshot{At: time.Unix(1764000000, 0), Cluster: &output.Cluster{Pgpools: []output.PgpoolView{{
		Endpoint: one,
		Nodes:    output.NewNodeList(pcptest.ThreeNodes(), time.UTC),
		Watchdog: &pcp.WatchdogCluster{QuorumStatus: 1, AliveNodeCount: 3, NodesRequireForQuorum: 2, LeaderNodeName: "pgpool0",
			Nodes: []pcp.WatchdogNode{{ID: 0, State: 4, StateName: "LEADER", NodeName: "pgpool0"}}},
	}}}, Extra: []monitor.Extra{{Children: &monitor.Children{Total: 32, Busy: 3}, Took: 4 * time.Millisecond}}}
	h := &handler{targets: []string{one}, log: log.New(io.Discard, "", 0), read: func(context.Context) (*monitor.Snapshot, error) {
		reads++
		if readErr != nil {
			return nil, readErr
		}
		return snap, nil
	}}
	return h, &reads
}

// TestHandlerAnswers: each probe's status and one-line body, and which
// requests are refused before pgpool is read at all.
func TestHandlerAnswers(t *testing.T) {
	for _, c := range []struct {
		method, target string
		code           int
		body           string
		reads          int
	}{
		{"GET", "/primary?node=0", 200, "node 0 is the primary", 1},
		{"HEAD", "/primary?node=0", 200, "", 1},
		{"GET", "/primary?node=1", 503, "node 1 is not the primary", 1},
		{"GET", "/standby?node=1", 200, "node 1 is an up standby", 1},
		{"GET", "/standby?node=0", 503, "node 0 is not an up standby", 1},
		{"GET", "/primary?node=7", 404, "node 7 does not exist", 1},
		{"GET", "/primary?node=0&pgpool=127.0.0.1:9898", 200, "node 0 is the primary", 1},
		{"GET", "/leader", 200, "pgpool 127.0.0.1:9898 is the watchdog leader", 1},
		{"GET", "/healthz", 200, "ok", 0},
		{"GET", "/", 200, "pcpctl serve: /metrics /healthz /primary?node=N /standby?node=N /leader?pgpool=HOST:PORT", 0},
		// Refused without a reading of pgpool.
		{"GET", "/nope", 404, `not found: "/nope" (try /metrics, /healthz, /primary, /standby, /leader)`, 0},
		{"GET", "/metrics/x", 404, `not found: "/metrics/x" (try /metrics, /healthz, /primary, /standby, /leader)`, 0},
		{"POST", "/primary?node=0", 405, "method POST not allowed: use GET", 0},
		{"GET", "/primary", 400, "want ?node=N", 0},
		{"GET", "/primary?node=x", 400, `invalid node "x": want an integer 0-127`, 0},
		{"GET", "/primary?node=-1", 400, `invalid node "-1": want an integer 0-127`, 0},
		{"GET", "/primary?node=128", 400, `invalid node "128": want an integer 0-127`, 0},
		{"GET", "/primary?node=0&node=1", 400, "parameter node given 2 times", 0},
		{"GET", "/primary?node=0&verbose=1", 400, `unknown parameter "verbose" for /primary`, 0},
		{"GET", "/primary?node=%zz", 400, `bad query string: invalid URL escape "%zz"`, 0},
		{"GET", "/leader?node=1", 400, `unknown parameter "node" for /leader`, 0},
		{"GET", "/leader?pgpool=db9:9898", 404, `pgpool "db9:9898" is not served here; served: [127.0.0.1:9898]`, 0},
		{"GET", "/metrics?x=1", 400, `unknown parameter "x" for /metrics`, 0},
	} {
		h, reads := testHandler(nil)
		rec := httptest.NewRecorder()
		h.mux().ServeHTTP(rec, httptest.NewRequest(c.method, c.target, nil))
		body := rec.Body.String()
		want := c.body + "\n"
		if c.method == "HEAD" {
			want = body // httptest keeps the body; a real server drops it
		}
		if rec.Code != c.code || body != want || *reads != c.reads {
			t.Errorf("%s %s: %d %q after %d readings, want %d %q after %d", c.method, c.target, rec.Code, body, *reads, c.code, want, c.reads)
		}
		if strings.Count(strings.TrimSuffix(body, "\n"), "\n") != 0 {
			t.Errorf("%s %s: body is not one line: %q", c.method, c.target, body)
		}
		if ct := rec.Header().Get("Content-Type"); c.target != "/metrics" && ct != "text/plain; charset=utf-8" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.target, ct)
		}
	}
}

// TestHandlerReadFails: no reading of pgpool is a 503 for every probe and
// for /metrics, never a 200 from stale or empty data.
func TestHandlerReadFails(t *testing.T) {
	for _, target := range []string{"/primary?node=0", "/standby?node=1", "/leader", "/metrics"} {
		h, _ := testHandler(errors.New("timed out connecting to host \"db1\""))
		rec := httptest.NewRecorder()
		h.mux().ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if want := "no reading of pgpool in time: timed out connecting to host \"db1\"\n"; rec.Code != http.StatusServiceUnavailable || rec.Body.String() != want {
			t.Errorf("%s: %d %q", target, rec.Code, rec.Body.String())
		}
	}
}

// TestHandlerMetrics: /metrics renders the snapshot in the exposition
// format, node labels included.
func TestHandlerMetrics(t *testing.T) {
	h, reads := testHandler(nil)
	rec := httptest.NewRecorder()
	h.mux().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != 200 || *reads != 1 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("%d %q after %d readings: %s", rec.Code, rec.Header().Get("Content-Type"), *reads, body)
	}
	for _, want := range []string{
		`pgpool_backend_status{host="127.0.0.1:15432",node="0",pgpool="127.0.0.1:9898"} 2`,
		`pgpool_backend_status{host="127.0.0.1:15434",node="2",pgpool="127.0.0.1:9898"} 2`,
		`pgpool_up{pgpool="127.0.0.1:9898"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in\n%s", want, body)
		}
	}
}

package serve

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pcpctl/pcpctl/cmd/internal/monitor"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/pcp"
)

type handler struct {
	targets []string
	read    func(context.Context) (*monitor.Snapshot, error)
	log     *log.Logger
}

// reply writes a one-line plain-text body: probes and people read the same
// answer.
func reply(w http.ResponseWriter, code int, format string, a ...any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, format+"\n", a...)
}

func (h *handler) mux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("/metrics", h.get(nil, h.metrics))
	m.HandleFunc("/healthz", h.get(nil, func(w http.ResponseWriter, r *http.Request, _ url.Values) {
		reply(w, http.StatusOK, "ok")
	}))
	m.HandleFunc("/primary", h.get([]string{"node", "pgpool"}, h.role(true)))
	m.HandleFunc("/standby", h.get([]string{"node", "pgpool"}, h.role(false)))
	m.HandleFunc("/leader", h.get([]string{"pgpool"}, h.leader))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			reply(w, http.StatusOK, "pcpctl serve: /metrics /healthz /primary?node=N /standby?node=N /leader?pgpool=HOST:PORT")
			return
		}
		reply(w, http.StatusNotFound, "not found: %s (try /metrics, /healthz, /primary, /standby, /leader)", strconv.Quote(r.URL.Path))
	})
	return m
}

// get admits GET and HEAD with only the named query parameters, each at
// most once.
func (h *handler) get(allowed []string, next func(http.ResponseWriter, *http.Request, url.Values)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			reply(w, http.StatusMethodNotAllowed, "method %s not allowed: use GET", r.Method)
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			reply(w, http.StatusBadRequest, "bad query string: %v", err)
			return
		}
		for k, v := range q {
			if !slices.Contains(allowed, k) {
				reply(w, http.StatusBadRequest, "unknown parameter %s for %s", strconv.Quote(k), r.URL.Path)
				return
			}
			if len(v) > 1 {
				reply(w, http.StatusBadRequest, "parameter %s given %d times", k, len(v))
				return
			}
		}
		next(w, r, q)
	}
}

// pgpool resolves ?pgpool=: the index of a served pgpool, -1 for all.
func (h *handler) pgpool(w http.ResponseWriter, q url.Values, needOne bool) (int, bool) {
	name, given := q["pgpool"]
	if !given {
		if needOne && len(h.targets) != 1 {
			reply(w, http.StatusBadRequest, "name the pgpool: ?pgpool=HOST:PORT, one of %v", h.targets)
			return 0, false
		}
		if needOne {
			return 0, true
		}
		return -1, true
	}
	i := slices.Index(h.targets, name[0])
	if i < 0 {
		reply(w, http.StatusNotFound, "pgpool %s is not served here; served: %v", strconv.Quote(name[0]), h.targets)
		return 0, false
	}
	return i, true
}

func (h *handler) snapshot(w http.ResponseWriter, r *http.Request) (*monitor.Snapshot, bool) {
	s, err := h.read(r.Context())
	if err != nil {
		reply(w, http.StatusServiceUnavailable, "no reading of pgpool in time: %v", err)
		return nil, false
	}
	return s, true
}

// role answers /primary (primary true) and /standby.
func (h *handler) role(primary bool) func(http.ResponseWriter, *http.Request, url.Values) {
	return func(w http.ResponseWriter, r *http.Request, q url.Values) {
		v, given := q["node"]
		if !given {
			reply(w, http.StatusBadRequest, "want ?node=N")
			return
		}
		id, err := strconv.Atoi(v[0])
		if err != nil || id < 0 || id >= pcp.MaxBackends {
			reply(w, http.StatusBadRequest, "invalid node %s: want an integer 0-%d", strconv.Quote(v[0]), pcp.MaxBackends-1)
			return
		}
		only, ok := h.pgpool(w, q, false)
		if !ok {
			return
		}
		s, ok := h.snapshot(w, r)
		if !ok {
			return
		}
		hc := s.Cluster.Health()
		what := "the primary"
		if !primary {
			what = "an up standby"
		}
		asked, yes, absent := 0, 0, 0
		for i := range hc.Pgpools {
			p := &hc.Pgpools[i]
			if (only >= 0 && i != only) || !p.Reachable() {
				continue
			}
			asked++
			if id >= len(p.Nodes.Nodes) {
				absent++
				continue
			}
			n := &p.Nodes.Nodes[id]
			// (Outside streaming replication the main node takes no more
			// writes than the others: it is no primary, see IsPrimary.)
			if (primary && n.IsPrimary()) || (!primary && n.IsUpStandby()) {
				yes++
			}
		}
		switch {
		case asked == 0:
			reply(w, http.StatusServiceUnavailable, "no pgpool answered")
		case absent == asked:
			reply(w, http.StatusNotFound, "node %d does not exist", id)
		case yes == asked:
			reply(w, http.StatusOK, "node %d is %s", id, what)
		case yes > 0:
			reply(w, http.StatusServiceUnavailable, "node %d is %s for %d of %d pgpools: they disagree", id, what, yes, asked)
		default:
			reply(w, http.StatusServiceUnavailable, "node %d is not %s", id, what)
		}
	}
}

func (h *handler) leader(w http.ResponseWriter, r *http.Request, q url.Values) {
	i, ok := h.pgpool(w, q, true)
	if !ok {
		return
	}
	s, ok := h.snapshot(w, r)
	if !ok {
		return
	}
	p := s.Cluster.Health().Pgpools[i]
	switch {
	case !p.Reachable():
		reply(w, http.StatusServiceUnavailable, "pgpool %s is unreachable", p.Endpoint)
	case p.WatchdogOff:
		reply(w, http.StatusServiceUnavailable, "pgpool %s runs without watchdog", p.Endpoint)
	case p.Watchdog == nil:
		reply(w, http.StatusServiceUnavailable, "pgpool %s: watchdog status failed", p.Endpoint)
	case health.IsLeaderState(p.LocalState()):
		reply(w, http.StatusOK, "pgpool %s is the watchdog leader", p.Endpoint)
	default:
		reply(w, http.StatusServiceUnavailable, "pgpool %s is %s; the leader is %s", p.Endpoint, p.LocalState(), health.LeaderName(p.Watchdog))
	}
}

func (h *handler) metrics(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s, ok := h.snapshot(w, r)
	if !ok {
		return
	}
	reg := prometheus.NewPedanticRegistry()
	initDescs()
	reg.MustRegister(&collector{snap: s})
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: h.log, ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
}

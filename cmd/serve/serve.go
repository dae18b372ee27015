// Package serve implements "pcpctl serve": Prometheus metrics and
// leader/primary probes for routers, read from pgpool's PCP port alone.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/internal/monitor"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
)

// DefaultListen is loopback: the probes say who is primary, which is not
// for every network to ask unless the operator says so.
const DefaultListen = "127.0.0.1:9717"

// ServeOptions are serve's inputs.
type ServeOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Targets []*factory.Settings
	Listen  string
	// MinInterval is how long one reading of pgpool serves every request.
	MinInterval time.Duration
	// RequestTimeout bounds each HTTP request, PCP reading included.
	RequestTimeout time.Duration
	// Ready, when set, receives the bound address once listening (tests).
	Ready func(addr string)
}

// NewCmdServe builds the command; runF replaces the run function in tests.
func NewCmdServe(f *factory.Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, Factory: f}
	var minInterval, reqTimeout string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve Prometheus metrics and primary/leader probes from PCP",
		Long: `Serve over HTTP, from pgpool's PCP port alone (no database user, no pgpool
child taken):

  /metrics   Prometheus exposition: per backend status, role, weight,
             replication delay, last status change and health-check
             statistics; children busy and total; per watchdog member its
             state, plus quorum, leader and escalation; per pgpool whether
             the reading succeeded (pgpool_up) and how long it took.
  /primary?node=N   200 when node N is the primary now, else 503
  /standby?node=N   200 when node N is an up standby now, else 503
  /leader[?pgpool=HOST:PORT]   200 when that pgpool (default: the one
             served, when there is one) is the watchdog leader, else 503
  /healthz   200 while serve runs

The pgpools are -h/-p, a context, or --pgpool (repeatable). Each reading
opens one short PCP session per pgpool (a session held open stalls
failback on pgpool 4.3) and serves every request for --min-interval, so
several scrapers and probes do not multiply sessions. ?pgpool= limits
/primary and /standby to one pgpool's view; otherwise every reachable
pgpool must agree. Every request has a deadline (--request-timeout);
SIGTERM shuts down gracefully. The PCP password comes from the password
file and never appears in a response, a log line or a URL.`,
		Example: `  pcpctl serve --context prod
  pcpctl serve -h 127.0.0.1 -p 9898 -U pcpadmin -w --listen 127.0.0.1:9717
  curl -s 127.0.0.1:9717/primary?node=0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.MinInterval, err = factory.ParseDuration(minInterval); err != nil {
				return exitcode.Usage(fmt.Errorf("invalid --min-interval %q: want a duration such as 1s", minInterval))
			}
			if opts.RequestTimeout, err = factory.ParseDuration(reqTimeout); err != nil || opts.RequestTimeout <= 0 {
				return exitcode.Usage(fmt.Errorf("invalid --request-timeout %q: want a positive duration such as 15s", reqTimeout))
			}
			if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
				return exitcode.Usage(fmt.Errorf("invalid --listen %q: want HOST:PORT, such as %s", opts.Listen, DefaultListen))
			}
			return cmdutil.RunOnTargets(cmd.Context(), f, &opts.Targets, opts, runF, serveRun)
		},
	}
	cmd.Flags().StringVar(&opts.Listen, "listen", DefaultListen, "address to listen on (HOST:PORT)")
	cmd.Flags().StringVar(&minInterval, "min-interval", "1s", "serve one reading of pgpool for this long")
	cmd.Flags().StringVar(&reqTimeout, "request-timeout", "15s", "deadline of each HTTP request")
	return cmd
}

// reader takes snapshots, at most one at a time and at most one per
// MinInterval: requests in between share it.
type reader struct {
	take     func(ctx context.Context) *monitor.Snapshot
	interval time.Duration
	now      func() time.Time

	mu       sync.Mutex
	last     *monitor.Snapshot
	lastAt   time.Time
	inflight chan struct{}
	// readings counts snapshots taken (one PCP session per pgpool each).
	readings atomic.Int64
}

func (r *reader) get(ctx context.Context) (*monitor.Snapshot, error) {
	r.mu.Lock()
	if r.last != nil && r.now().Sub(r.lastAt) < r.interval {
		s := r.last
		r.mu.Unlock()
		return s, nil
	}
	if ch := r.inflight; ch != nil {
		r.mu.Unlock()
		select {
		case <-ch:
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.last, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ch := make(chan struct{})
	r.inflight = ch
	r.mu.Unlock()
	// The reading is not the request's: a scraper that gives up must not
	// cut it short for the others waiting on it. Each target's own
	// timeout bounds it.
	done := make(chan *monitor.Snapshot, 1)
	go func() {
		s := r.take(context.Background())
		r.readings.Add(1)
		r.mu.Lock()
		r.last, r.lastAt, r.inflight = s, r.now(), nil
		r.mu.Unlock()
		close(ch)
		done <- s
	}()
	select {
	case s := <-done:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func serveRun(ctx context.Context, o *ServeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	logger := log.New(o.IO.ErrOut, "pcpctl serve: ", log.LstdFlags|log.LUTC)
	rd := &reader{
		interval: o.MinInterval,
		now:      time.Now,
		take: func(ctx context.Context) *monitor.Snapshot {
			return monitor.Take(ctx, o.Factory, o.Targets, false, monitor.Want{Children: true, Health: true})
		},
	}
	h := &handler{targets: endpoints(o.Targets), read: rd.get, log: logger}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return &exitcode.Error{Code: exitcode.Failure, Err: fmt.Errorf("listen on %s: %v", o.Listen, err)}
	}
	srv := &http.Server{
		Handler:           http.TimeoutHandler(h.mux(), o.RequestTimeout, "request timed out\n"),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      o.RequestTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          logger,
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
	}
	logger.Printf("listening on http://%s for %s", ln.Addr(), strings.Join(h.targets, ", "))
	if o.Ready != nil {
		o.Ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return &exitcode.Error{Code: exitcode.Failure, Err: err}
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), o.RequestTimeout+5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return &exitcode.Error{Code: exitcode.Failure, Err: err}
	}
	return nil
}

func endpoints(ts []*factory.Settings) []string {
	out := make([]string, len(ts))
	for i, s := range ts {
		out[i] = s.Endpoint()
	}
	return out
}

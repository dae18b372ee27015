package compat

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/internal/environ"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// maxNumBackends is the tools' node id limit; like libpcp's front ends they
// accept it as an id (the check is "> MAX_NUM_BACKENDS").
const maxNumBackends = pcp.MaxBackends

// options is what the stock front end collects from its arguments.
type options struct {
	host         string
	port         int
	user         string
	userGiven    bool
	nodeID       int
	processID    int
	mode         byte
	scope        byte
	all          bool
	debug        bool
	needPassword bool
	graceful     bool
	switchover   bool
	verbose      bool
	// password is set only by the legacy positional form.
	password    string
	hasPassword bool
	// timeout bounds the whole command; 0 picks the per-command default.
	timeout time.Duration
}

// exitError ends Run with a code after its message has been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

// Run behaves as the pcp_* tool name with the arguments argv (argv[0] as
// invoked, which glibc's complaints quote). It returns the exit code.
func Run(name string, argv []string, ios *iostreams.IOStreams) int {
	return RunProcess(name, argv, ios, environ.System(), nil)
}

// RunProcess is Run for a process of its own: beforeDial (if not nil) runs
// once the arguments are good and the tool is about to connect, so that
// -V, --help and usage errors skip whatever it sets up for the wait.
func RunProcess(name string, argv []string, ios *iostreams.IOStreams, env environ.Env, beforeDial func()) int {
	t, ok := lookup(name)
	if !ok {
		fmt.Fprintf(ios.ErrOut, "%s is a invalid PCP utility\n", name)
		return 1
	}
	rel, err := CurrentRelease(env)
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "%s: %v\n", name, err)
		return 1
	}
	// The C tools print through stdio: stdout is buffered, and the -d
	// trace shares it, so both go through one buffer flushed at the end.
	out := bufio.NewWriter(ios.Out)
	defer out.Flush()
	// One buffer for every prompt, as C's stdin is: 4.7 may ask twice
	// (-W, then libpcp once the password file has nothing), and a second
	// reader would lose what the first one read ahead.
	r := &runner{t: t, ios: ios, env: env, out: out, beforeDial: beforeDial, rel: rel, stdin: bufio.NewReader(ios.In)}
	if IsLegacy(name, argv[1:]) {
		return r.runLegacy(argv)
	}
	return r.run(argv)
}

type runner struct {
	env        environ.Env
	t          *tool
	ios        *iostreams.IOStreams
	out        *bufio.Writer
	beforeDial func()
	rel        Release
	stdin      *bufio.Reader
}

// dialling prepares the process for the call's waits.
func (r *runner) dialling() {
	if r.beforeDial != nil {
		r.beforeDial()
	}
	growStack()
}

func (r *runner) errf(format string, args ...any) { fmt.Fprintf(r.ios.ErrOut, format, args...) }

func (r *runner) run(argv []string) int {
	t := r.t
	if len(argv) > 1 {
		switch argv[1] {
		case "--help", "-?":
			io.WriteString(r.ios.ErrOut, t.usage())
			return 0
		case "-V", "--version":
			r.errf("%s (pgpool-II) %s\n", t.name, r.rel.Version)
			return 0
		}
	}
	o, err := r.parse(argv)
	if err != nil {
		return err.(exitError).code
	}
	if o.needPassword {
		pw, _ := client.PromptPassword("Password: ", r.stdin, r.ios.ErrOut)
		o.password = pw
	}
	return r.execute(o)
}

// parse applies getopt's results in order, as main() of the C front end does,
// including its validation messages and their (sometimes surprising) exit
// codes.
func (r *runner) parse(argv []string) (*options, error) {
	t := r.t
	o := &options{port: 9898, nodeID: -1, mode: 's', scope: 'l', needPassword: r.rel.PromptByDefault}
	_, posixly := r.env.Lookup(environ.PosixlyCorrect)
	opts, operands := getopt(argv, t.optstring, posixly)
	for _, op := range opts {
		switch op.opt {
		case 'd':
			o.debug = true
		case 'a':
			o.all = true
		case 'w':
			o.needPassword = false
		case 'W':
			o.needPassword = true
		case 'g':
			o.graceful = true
		case 's':
			switch {
			case t.supportsScope():
				switch op.arg {
				case "c", "cluster":
					o.scope = 'c'
				case "l", "local":
					o.scope = 'l'
				default:
					r.errf("%s: Invalid command scope \"%s\", must be either \"cluster\" or \"local\" \n", t.name, cstr(op))
					return nil, exitError{1}
				}
			case t.kind == promoteNode:
				o.switchover = true
			default:
				r.errf("Invalid argument \"%s\", Try \"%s --help\" for more information.\n", cstr(op), t.name)
				return nil, exitError{1}
			}
		case 'm':
			if t.kind != stopPgpool {
				r.errf("Invalid argument \"%s\", Try \"%s --help\" for more information.\n", op.arg, t.name)
				return nil, exitError{1}
			}
			switch op.arg {
			case "s", "smart":
				o.mode = 's'
			case "f", "fast":
				o.mode = 'f'
			case "i", "immediate":
				o.mode = 'i'
			default:
				r.errf("%s: Invalid shutdown mode \"%s\", must be either \"smart\" \"immediate\" or \"fast\" \n", t.name, op.arg)
				return nil, exitError{1}
			}
		case 'v':
			o.verbose = true
		case 'n':
			o.nodeID = pcp.Atoi(op.arg)
			if t.kind == watchdogInfo {
				if o.nodeID < 0 {
					r.errf("%s: Invalid watchdog-id \"%s\", must be a positive number or zero for a local watchdog node\n", t.name, op.arg)
					return nil, exitError{0}
				}
			} else if o.nodeID < 0 || o.nodeID > maxNumBackends {
				r.errf("%s: Invalid node-id \"%s\", must be between 0 and %d\n", t.name, op.arg, maxNumBackends)
				return nil, exitError{0}
			}
		case 'p':
			o.port = pcp.Atoi(op.arg)
			if o.port <= 1024 || o.port > 65535 {
				r.errf("%s: Invalid port number \"%s\", must be between 1024 and 65535\n", t.name, op.arg)
				return nil, exitError{0}
			}
		case 'P':
			o.processID = pcp.Atoi(op.arg)
			if o.processID <= 0 {
				r.errf("%s: Invalid process-id \"%s\", must be greater than 0\n", t.name, op.arg)
				return nil, exitError{0}
			}
		case 'h':
			o.host = op.arg
		case 'U':
			o.user, o.userGiven = op.arg, true
		default: // '?', 'V' and getopt's complaints
			io.WriteString(r.ios.ErrOut, op.complaint)
			r.errf("Try \"%s --help\" for more information.\n\n", t.name)
			return nil, exitError{1}
		}
	}
	// Leftover operands fill a missing id; the C code quotes optarg, which
	// glibc has reset to NULL by then, hence "(null)".
	for _, a := range operands {
		switch {
		case t.kind == procInfo && o.processID <= 0:
			o.processID = pcp.Atoi(a)
			if o.processID <= 0 {
				r.errf("%s: Invalid process-id \"(null)\", must be greater than 0\n", t.name)
				return nil, exitError{0}
			}
		case t.kind == watchdogInfo && o.nodeID < 0:
			o.nodeID = pcp.Atoi(a)
			if o.nodeID < 0 {
				r.errf("%s: Invalid watchdog-id \"(null)\", must be a positive number or zero for local watchdog node\n", t.name)
				return nil, exitError{0}
			}
		case (t.requiresNodeID() || t.kind == nodeInfo) && o.nodeID < 0:
			o.nodeID = pcp.Atoi(a)
			if o.nodeID < 0 || o.nodeID > maxNumBackends {
				r.errf("%s: Invalid node-id \"(null)\", must be between 0 and %d\n", t.name, maxNumBackends)
				return nil, exitError{0}
			}
		default:
			r.errf("%s: Warning: extra command-line argument \"%s\" ignored\n", t.name, a)
		}
	}
	if o.nodeID < 0 && t.requiresNodeID() {
		r.errf("%s: missing node-id\n", t.name)
		r.errf("Try \"%s --help\" for more information.\n\n", t.name)
		return nil, exitError{1}
	}
	return o, nil
}

// cstr is optarg as printf("%s") shows it: a long option given without an
// argument (--switchover reaching the 's' case) has a NULL optarg.
func cstr(op option) string {
	if !op.hasArg {
		return "(null)"
	}
	return op.arg
}

// timeoutFor is the deadline of a command when the caller gave none. The
// stock tools wait forever; we do not, but the long server-side operations
// (online recovery, graceful detach/promote, cluster-wide stop) get room.
func (r *runner) timeoutFor(o *options) time.Duration {
	if o.timeout > 0 {
		return o.timeout
	}
	if s := r.env.Get(environ.Timeout); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	switch {
	case r.t.kind == recoveryNode:
		return client.RecoveryTimeout
	case o.graceful, o.switchover, r.t.kind == stopPgpool && o.scope == 'c', r.t.kind == reloadConfig && o.scope == 'c', r.t.kind == logRotate && o.scope == 'c':
		return client.LongTimeout
	}
	return client.RequestTimeout
}

func (r *runner) config(o *options) client.Config {
	// Pipelined authentication saves a round trip per call; the -d trace
	// keeps libpcp's strict send/receive order.
	cfg := client.Config{Host: o.host, Port: o.port, User: o.user, UserGiven: o.userGiven, Password: o.password, Pipeline: !o.debug, LookupInvalid: true}
	cfg.PassFile, _ = client.PassFilePath(r.env.Lookup(environ.PassFile))
	if o.debug {
		cfg.Tracer = &pcp.LibpcpTracer{W: r.out}
		cfg.Warn = func(s string) { fmt.Fprintln(r.out, s) }
	}
	if r.rel.WarnAlways {
		cfg.Warn = func(s string) {
			r.out.Flush() // stderr is unbuffered in C: keep the order
			r.errf("%s\n", s)
		}
	}
	if r.rel.PromptIfEmpty {
		cfg.PromptIfEmpty = func() string {
			r.out.Flush()
			pw, _ := client.PromptPassword("Password: ", r.stdin, r.ios.ErrOut)
			return pw
		}
	}
	return cfg
}

// execute connects and runs the command: connection and authentication
// failures exit 1; everything after authentication exits 0, even a server
// error, exactly like the 3.5+ tools.
func (r *runner) execute(o *options) int {
	r.dialling()
	ctx := client.Expiring(time.Now().Add(r.timeoutFor(o)))
	conn, err := client.Dial(ctx, r.config(o))
	if err != nil {
		r.errf("%s\n", r.errorText(err))
		return 1
	}
	defer conn.Close()
	if err := r.command(ctx, conn, o); err != nil {
		r.errf("%s\n", r.errorText(err))
		if !conn.Authenticated() {
			// The refusal of pipelined credentials: still a failure to
			// connect, as for the stock tools.
			return 1
		}
		if client.KindOf(err) == client.KindUsage {
			return 1 // refused by pcpctl itself: nothing was done
		}
	}
	return 0
}

func (r *runner) successful() { fmt.Fprintf(r.out, "%s -- Command Successful\n", r.t.name) }

func (r *runner) command(ctx context.Context, c *client.Conn, o *options) error {
	switch r.t.kind {
	case nodeCount:
		n, err := c.NodeCount(ctx)
		if err != nil {
			return err
		}
		output.NodeCountText(r.out, n, o.verbose)
	case nodeInfo:
		var nodes []pcp.NodeInfo
		var err error
		if o.nodeID < 0 {
			nodes, err = c.AllNodeInfo(ctx) // pre-4.3 servers node by node
		} else {
			nodes, err = c.NodeInfo(ctx, o.nodeID)
		}
		if err != nil {
			return err
		}
		if len(nodes) == 0 { // libpcp calls an empty result a success
			r.successful()
			return nil
		}
		output.NodeInfoText(r.out, nodes, o.all, o.verbose)
	case attachNode:
		if err := c.CheckNodeExists(ctx, o.nodeID); err != nil {
			return err
		}
		if err := c.AttachNode(ctx, o.nodeID); err != nil {
			return err
		}
		r.successful()
	case detachNode:
		if err := c.CheckNodeExists(ctx, o.nodeID); err != nil {
			return err
		}
		if err := c.DetachNode(ctx, o.nodeID, o.graceful); err != nil {
			return err
		}
		r.successful()
	case recoveryNode:
		if err := c.RecoverNode(ctx, o.nodeID); err != nil {
			return err
		}
		r.successful()
	case promoteNode:
		if err := c.PromoteNode(ctx, o.nodeID, o.graceful, o.switchover); err != nil {
			return err
		}
		r.successful()
	case stopPgpool:
		if err := c.StopPgpool(ctx, o.mode, o.scope == 'c'); err != nil {
			return err
		}
		r.successful()
	case reloadConfig:
		if err := c.ReloadConfig(ctx, o.scope); err != nil {
			return err
		}
		r.successful()
	case logRotate:
		if err := c.LogRotate(ctx, o.scope); err != nil {
			return err
		}
		r.successful()
	case invalidateQueryCache:
		if err := c.InvalidateQueryCache(ctx); err != nil {
			return err
		}
		r.successful()
	case watchdogInfo:
		cl, err := c.WatchdogCluster(ctx, o.nodeID)
		if err != nil {
			return err
		}
		output.WatchdogText(r.out, cl, o.verbose)
	case procCount:
		pids, err := c.ProcessCount(ctx)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			r.successful()
			return nil
		}
		output.ProcessCountText(r.out, pids, o.verbose)
	case procInfo:
		recs, err := c.ProcessInfo(ctx, o.processID)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			r.successful()
			return nil
		}
		output.ProcessInfoText(r.out, recs, o.all, o.verbose)
	case poolStatus:
		rows, err := c.PoolStatus(ctx)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			r.successful()
			return nil
		}
		output.PoolStatusText(r.out, rows, o.verbose)
	case healthCheckStats:
		f, err := c.HealthCheckStats(ctx, o.nodeID)
		if err != nil {
			return err
		}
		output.HealthCheckText(r.out, f, o.verbose)
	}
	return nil
}

package compat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// The 3.0–3.4 tools took `[-d] [-v] [-g] timeout host port user password
// [node-id|watchdog-id|process-id|mode]`. The 4.x tools misread that form
// (the timeout becomes the node id, the rest is ignored and they talk to the
// local socket), so it is recognised here and run as 3.x ran it: its output
// formats, its error names on stdout and its exit statuses. Deliberate
// differences, each because the 3.x behaviour was unsafe or a bug:
//   - the timeout is a deadline for the whole command (3.x ignored it);
//     0 means no deadline of the caller's, pcpctl's per-command one applies;
//   - an empty host is refused (3.x silently used the local socket);
//   - an unknown option is InvalidArgumentError (3.x printed usage, exit 0);
//   - a detach the server refuses is BackendError (3.x exited 0);
//   - pcp_health_check_stats and pcp_reload_config, which 3.x lacked, take
//     the same form (node id / nothing) and 3.x-style silence on success.

// Exit statuses of the 3.x tools (their ErrorCode enum).
const (
	legacyUnknown       = 1
	legacyEOF           = 2
	legacyRead          = 4
	legacyWrite         = 5
	legacyTimeout       = 6
	legacyInvalidArg    = 7
	legacyConnection    = 8
	legacyHost          = 11
	legacyBackend       = 12
	legacyAuthorization = 13
)

// 3.x limits: MAX_DB_HOST_NAMELEN, MAX_USER_PASSWD_LEN, MAX_WATCHDOG_NUM.
const (
	maxLegacyHost    = 128
	maxLegacyName    = 128
	maxLegacyWdID    = 128
	maxLegacyTimeout = 1 << 30 // seconds; keeps time.Duration from overflowing
)

// legacyForm is a tool's 3.x signature.
type legacyForm struct {
	operand  string // trailing positional, "" for none
	optional bool   // the operand may be left out
	flags    string // short options besides -d and -h
}

func (t *tool) legacyForm() legacyForm {
	switch t.kind {
	case nodeInfo:
		return legacyForm{operand: "nodeID", flags: "v"}
	case healthCheckStats:
		return legacyForm{operand: "nodeID", flags: "v"}
	case watchdogInfo:
		return legacyForm{operand: "watchdogID", optional: true, flags: "v"}
	case procInfo:
		return legacyForm{operand: "processID", optional: true, flags: "va"}
	case attachNode, recoveryNode:
		return legacyForm{operand: "nodeID"}
	case detachNode, promoteNode:
		return legacyForm{operand: "nodeID", flags: "g"}
	case stopPgpool:
		return legacyForm{operand: "mode"}
	}
	return legacyForm{} // node_count, proc_count, pool_status, reload_config
}

var legacyLong = []struct {
	name string
	opt  byte
}{{"debug", 'd'}, {"help", 'h'}, {"verbose", 'v'}, {"gracefully", 'g'}, {"all", 'a'}}

// legacyArgs is the result of scanning argv with 3.x's getopt rules: no
// option takes an argument, options may appear anywhere, "--" ends them.
type legacyArgs struct {
	flags       map[byte]bool
	positionals []string
	bad         string // first unknown option, as written
}

func scanLegacy(args []string, flags string) legacyArgs {
	la := legacyArgs{flags: map[byte]bool{}}
	known := "hd" + flags
	for i, a := range args {
		switch {
		case a == "--":
			la.positionals = append(la.positionals, args[i+1:]...)
			return la
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			var match byte
			n := 0
			for _, l := range legacyLong {
				if strings.IndexByte(known, l.opt) >= 0 && strings.HasPrefix(l.name, name) && name != "" {
					if l.name == name {
						match, n = l.opt, 1
						break
					}
					match = l.opt
					n++
				}
			}
			if n == 1 {
				la.flags[match] = true
			} else if la.bad == "" {
				la.bad = a
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				if strings.IndexByte(known, a[j]) >= 0 {
					la.flags[a[j]] = true
				} else if la.bad == "" {
					la.bad = "-" + a[j:j+1]
				}
			}
		default:
			la.positionals = append(la.positionals, a)
		}
	}
	return la
}

// modernOperands counts the operands of args under the 3.5+ grammar, where
// -h, -p, -U, -n … take a value: `-h db -p 9898 -U u -n 1` has none.
func modernOperands(args []string, optstring string) int {
	n := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return n + len(args) - i - 1
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			if hasValue {
				continue
			}
			var match *longOption
			for k := range longOptions {
				if strings.HasPrefix(longOptions[k].name, name) && name != "" {
					if match == nil || longOptions[k].name == name {
						match = &longOptions[k]
					}
				}
			}
			if match != nil && match.hasArg {
				i++
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				k := strings.IndexByte(optstring, a[j])
				if k >= 0 && k+1 < len(optstring) && optstring[k+1] == ':' {
					if j == len(a)-1 {
						i++
					}
					break
				}
			}
		default:
			n++
		}
	}
	return n
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsLegacy reports whether args (without argv[0]) are the 3.0–3.4 form of
// the tool: five or more positionals, the third (port) an integer. The 3.5+
// form never has more than one operand, so anything that parses as a valid
// 3.5+ call stays one. A timeout that is not a number still makes the 3.x
// form (refused as an invalid argument): read as 3.5+, the line would
// connect to the local socket and echo every positional, the password
// included, in "extra command-line argument" warnings.
func IsLegacy(name string, args []string) bool {
	t, ok := lookup(name)
	if !ok {
		return false
	}
	if modernOperands(args, t.optstring) <= 1 {
		return false
	}
	p := scanLegacy(args, t.legacyForm().flags).positionals
	return len(p) >= 5 && isDigits(p[2])
}

// legacyParse turns the 3.x form into options. help is set for -h/--help;
// otherwise a non-nil error means InvalidArgumentError (why says what).
func (t *tool) legacyParse(args []string) (o *options, help bool, why error) {
	form := t.legacyForm()
	la := scanLegacy(args, form.flags)
	if la.flags['h'] {
		return nil, true, nil
	}
	if la.bad != "" {
		return nil, false, fmt.Errorf("unknown option %q", la.bad)
	}
	p := la.positionals
	want := 5
	if form.operand != "" {
		want = 6
	}
	if len(p) != want && !(form.optional && len(p) == 5) {
		return nil, false, fmt.Errorf("%d positional arguments, want %d", len(p), want)
	}
	o = &options{nodeID: -1, mode: 's', scope: 'l', hasPassword: true,
		debug: la.flags['d'], verbose: la.flags['v'], graceful: la.flags['g'], all: la.flags['a']}
	if !isDigits(p[0]) {
		return nil, false, fmt.Errorf("timeout %q is not a number of seconds", p[0])
	}
	timeout := pcp.Atol(p[0])
	if timeout < 0 {
		return nil, false, errors.New("negative timeout")
	}
	o.timeout = time.Duration(min(timeout, maxLegacyTimeout)) * time.Second
	o.host = p[1]
	if o.host == "" {
		return nil, false, errors.New("empty hostname")
	}
	if len(o.host) >= maxLegacyHost {
		return nil, false, errors.New("hostname too long")
	}
	o.port = pcp.Atoi(p[2])
	if o.port <= 1024 || o.port > 65535 {
		return nil, false, errors.New("port out of range")
	}
	o.user, o.password = p[3], p[4]
	if len(o.user) >= maxLegacyName || len(o.password) >= maxLegacyName {
		return nil, false, errors.New("username or password too long")
	}
	if len(p) == 6 {
		v := p[5]
		switch t.kind {
		case watchdogInfo:
			id := pcp.Atoi(v)
			if id < 0 || id > maxLegacyWdID {
				return nil, false, errors.New("watchdog id out of range")
			}
			o.nodeID = id + 1 // 0 is the local pgpool, k+1 the k-th other
		case procInfo:
			o.processID = pcp.Atoi(v)
			if o.processID < 0 {
				return nil, false, errors.New("negative process id")
			}
		case stopPgpool:
			if v == "" || strings.IndexByte("sfi", v[0]) < 0 {
				return nil, false, errors.New("mode must be s, f or i")
			}
			o.mode = v[0]
		default:
			o.nodeID = pcp.Atoi(v)
			if o.nodeID < 0 || o.nodeID > maxNumBackends {
				return nil, false, errors.New("node id out of range")
			}
		}
	} else if t.kind == watchdogInfo {
		o.nodeID = 0
	}
	return o, false, nil
}

func (t *tool) legacyUsage() string {
	form := t.legacyForm()
	var b strings.Builder
	opts := "[-d]"
	for _, f := range form.flags {
		opts += "[-" + string(f) + "]"
	}
	operand := ""
	if form.operand != "" {
		operand = " " + form.operand
		if form.optional {
			operand = " [" + form.operand + "]"
		}
	}
	line := func(k, v string) { fmt.Fprintf(&b, "  %-17s: %s\n", k, v) }
	fmt.Fprintf(&b, "%s - %s\n\n", t.name, t.description)
	fmt.Fprintf(&b, "Usage: %s %s timeout hostname port# username password%s\n", t.name, opts, operand)
	fmt.Fprintf(&b, "Usage: %s -h\n\n", t.name)
	line("-d, --debug", "enable debug message (optional)")
	if strings.Contains(form.flags, "g") {
		line("-g, --gracefully", "wait for clients to leave first (optional)")
	}
	if strings.Contains(form.flags, "a") {
		line("-a, --all", "display all child processes and their connection slots (optional)")
	}
	if strings.Contains(form.flags, "v") {
		line("-v, --verbose", "display one line per information with a header (optional)")
	}
	line("timeout", "deadline in seconds for the whole command; 0 for none")
	line("hostname", "pgpool-II hostname (a directory for its UNIX socket)")
	line("port#", "PCP port number")
	line("username", "username for PCP authentication")
	line("password", "password for PCP authentication")
	switch form.operand {
	case "nodeID":
		line("nodeID", "ID of a backend node")
	case "watchdogID":
		line("watchdogID", "index of another pgpool (0 = the first); omitted = this pgpool")
	case "processID":
		line("processID", "PID of a child process; omitted or 0 = all")
	case "mode":
		line("mode", "s (smart), f (fast) or i (immediate)")
	}
	line("-h, --help", "print this help")
	return b.String()
}

// runLegacy runs the 3.x form and returns its exit status.
func (r *runner) runLegacy(argv []string) int {
	t := r.t
	o, help, why := t.legacyParse(argv[1:])
	if help {
		io.WriteString(r.ios.ErrOut, t.legacyUsage())
		return 0
	}
	if why != nil {
		// o is nil here; -d still asks for the reason.
		debug := scanLegacy(argv[1:], t.legacyForm().flags).flags['d']
		return r.legacyFail(legacyInvalidArg, why.Error(), true, debug)
	}
	r.dialling()
	ctx := client.Expiring(time.Now().Add(r.timeoutFor(o)))
	// The password comes from the command line and nowhere else: no
	// prompt, no password file.
	cfg := client.Config{Host: o.host, Port: o.port, User: o.user, Password: o.password, NoPassFile: true}
	if o.debug {
		cfg.Tracer = &pcp.LegacyTracer{W: r.ios.ErrOut}
	}
	conn, err := client.Dial(ctx, cfg)
	if err != nil {
		return r.legacyClientFail(err, o)
	}
	defer conn.Close()
	if err := r.legacyCommand(ctx, conn, o); err != nil {
		return r.legacyClientFail(err, o)
	}
	return 0
}

// legacyFail prints the 3.x error name on stdout (and the usage for an
// invalid argument) and returns the status.
func (r *runner) legacyFail(code int, detail string, usage, debug bool) int {
	if debug && detail != "" {
		r.errf("DEBUG: %s\n", strings.TrimRight(detail, "\n"))
	}
	fmt.Fprintln(r.out, output.LegacyErrorName(code))
	if usage {
		r.out.Flush()
		io.WriteString(r.ios.ErrOut, r.t.legacyUsage())
	}
	return code
}

func (r *runner) legacyClientFail(err error, o *options) int {
	code := legacyCode(err)
	text := r.errorText(err)
	if code == legacyBackend {
		text = "command failed. reason=" + strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "ERROR:"))
	}
	return r.legacyFail(code, text, false, o.debug)
}

// legacyCode maps a failure to the 3.x ErrorCode.
func legacyCode(err error) int {
	var e *client.Error
	if !errors.As(err, &e) {
		return legacyUnknown
	}
	switch e.Kind {
	case client.KindUsage:
		return legacyInvalidArg
	case client.KindConnect:
		return legacyConnection
	case client.KindHost:
		return legacyHost
	case client.KindAuth:
		return legacyAuthorization
	case client.KindServer:
		return legacyBackend
	case client.KindTimeout:
		return legacyTimeout
	case client.KindIO:
		switch {
		case errors.Is(e.Err, io.EOF), errors.Is(e.Err, io.ErrUnexpectedEOF):
			return legacyEOF
		case e.Op == client.OpWrite:
			return legacyWrite
		}
		return legacyRead
	case client.KindProtocol:
		// 3.x servers refuse a detach in band; it was a refusal, not noise.
		if e.Reason == "CommandFailed" {
			return legacyBackend
		}
	}
	return legacyUnknown
}

// legacyCommand runs one command and prints its 3.x output; actions print
// nothing on success.
func (r *runner) legacyCommand(ctx context.Context, c *client.Conn, o *options) error {
	switch r.t.kind {
	case nodeCount:
		n, err := c.NodeCount(ctx)
		if err != nil {
			return err
		}
		output.NodeCountText(r.out, n, false)
	case nodeInfo:
		nodes, err := c.NodeInfo(ctx, o.nodeID)
		if err != nil {
			return err
		}
		if len(nodes) != 1 {
			return &client.Error{Kind: client.KindProtocol, Err: fmt.Errorf("%d node records for one node id", len(nodes))}
		}
		output.LegacyNodeInfoText(r.out, &nodes[0], o.verbose)
	case watchdogInfo:
		wd, err := c.LegacyWatchdog(ctx, o.nodeID)
		if err != nil {
			return err
		}
		output.LegacyWatchdogText(r.out, &wd, o.verbose)
	case healthCheckStats:
		f, err := c.HealthCheckStats(ctx, o.nodeID)
		if err != nil {
			return err
		}
		output.HealthCheckText(r.out, f, o.verbose)
	case procCount:
		pids, err := c.ProcessCount(ctx)
		if err != nil {
			return err
		}
		output.ProcessCountText(r.out, pids, false)
	case procInfo:
		recs, err := c.ProcessInfo(ctx, o.processID)
		if err != nil {
			return err
		}
		output.LegacyProcessInfoText(r.out, recs, o.all, o.verbose)
	case poolStatus:
		rows, err := c.PoolStatus(ctx)
		if err != nil {
			return err
		}
		output.PoolStatusText(r.out, rows, false)
	case attachNode, detachNode:
		// 4.3.5 acts on the wrong node for an id it does not have; 3.x
		// answered such an id with 'e', so it is a BackendError here too.
		if err := c.CheckNodeExists(ctx, o.nodeID); err != nil {
			var e *client.Error
			if errors.As(err, &e) && e.Kind == client.KindUsage {
				return &client.Error{Kind: client.KindServer, Err: e.Err}
			}
			return err
		}
		if r.t.kind == attachNode {
			return c.AttachNode(ctx, o.nodeID)
		}
		return c.DetachNode(ctx, o.nodeID, o.graceful)
	case recoveryNode:
		return c.RecoverNode(ctx, o.nodeID)
	case promoteNode:
		return c.PromoteNode(ctx, o.nodeID, o.graceful, false)
	case stopPgpool:
		// 3.0–3.4 servers never answer 'T'; their PCP process just goes
		// away with pgpool, which is the success 3.x tools assumed.
		err := c.StopPgpool(ctx, o.mode, false)
		if client.KindOf(err) == client.KindIO && legacyCode(err) == legacyEOF {
			return nil
		}
		return err
	case reloadConfig:
		return c.ReloadConfig(ctx, 'l')
	}
	return nil
}

// LegacyExitCode is one exit status of the legacy form.
type LegacyExitCode struct {
	Code          int
	Name, Meaning string
}

// LegacyExitCodes documents the legacy form's statuses (3.x's ErrorCode
// enum; the name is printed on stdout), for help, status-codes and man pages.
// A function rather than a table, so the pcp_* path does not build it at
// start-up.
func LegacyExitCodes() []LegacyExitCode {
	return []LegacyExitCode{
		{0, "", "success (actions print nothing), or -h/--help"},
		{legacyUnknown, output.LegacyErrorName(legacyUnknown), "pgpool's reply could not be understood"},
		{legacyEOF, output.LegacyErrorName(legacyEOF), "pgpool closed the connection"},
		{legacyRead, output.LegacyErrorName(legacyRead), "reading from pgpool failed"},
		{legacyWrite, output.LegacyErrorName(legacyWrite), "sending to pgpool failed"},
		{legacyTimeout, output.LegacyErrorName(legacyTimeout), "the timeout argument expired"},
		{legacyInvalidArg, output.LegacyErrorName(legacyInvalidArg), "invalid arguments (usage on stderr); nothing was sent"},
		{legacyConnection, output.LegacyErrorName(legacyConnection), "pgpool unreachable: connection refused, no such socket"},
		{legacyHost, output.LegacyErrorName(legacyHost), "the host name did not resolve"},
		{legacyBackend, output.LegacyErrorName(legacyBackend), "pgpool refused or failed the request: invalid node id, refused detach, failed recovery, watchdog disabled"},
		{legacyAuthorization, output.LegacyErrorName(legacyAuthorization), "wrong user name or password"},
	}
}

// LegacyUsage writes the tool's help in the legacy form.
func LegacyUsage(w io.Writer, name string) {
	if t, ok := lookup(name); ok {
		io.WriteString(w, t.legacyUsage())
	}
}

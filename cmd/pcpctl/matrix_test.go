package main

// The bad-input matrix: every command form fed values it must refuse or
// survive. Each case says which server it talks to: a Recorder (answers
// nothing, keeps every byte) for input that must be refused before any
// connection, or a scripted pgpool for input that is only found bad once
// connected (password files, odd user names). For the pcp_* names the
// stock 4.3.5 tool is the specification: where /usr/sbin has it, the same
// command line runs against the same fake and must produce the same bytes
// and exit code. For the modern CLI the codes are cmd/exitcode's.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/e2e/testenv"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

const (
	testUser     = "pcpadmin"
	testPassword = "Hyg13ne-pw"
)

// server kinds of a case.
const (
	recorder = iota // must not be contacted at all
	pgpool          // a scripted pgpool-II 4.3
	none            // the case never gets as far as a host (socket dir, .invalid)
)

type matrixCase struct {
	name string
	// argv, argv[0] being the tool name ("pcpctl" or a pcp_* name). HOST
	// and PORT are replaced by the server's address.
	argv   []string
	server int
	// passFile is written (mode passMode, 0600 when zero) and named by
	// PCPPASSFILE; PASSLINE in it is the right entry for the server.
	passFile string
	passMode os.FileMode
	// passDir makes PCPPASSFILE a directory.
	passDir bool
	// unreadable makes the password file mode 000.
	unreadable bool

	code int
	// errHas must all be in stderr (the bad value, named); PASSFILE is
	// replaced by the password file's path.
	errHas []string
	// errLines is the number of stderr lines (modern CLI); 0 means 1.
	errLines int
	// outHas must be in stdout (-d traces, successful output).
	outHas []string
	// secret is one more password that must not show (a wrong or
	// over-long one the case passes on the command line).
	secret string
	// stock compares with /usr/sbin/<tool> (not for .invalid names, which
	// the C resolver would send to a DNS server).
	stock bool
}

func modern(args ...string) []string {
	return append([]string{"pcpctl", "-h", "HOST", "-p", "PORT", "-U", testUser, "-w"}, args...)
}

// bare is the modern CLI without -h/-p, for commands that name their
// pgpools otherwise (--pgpool, --context).
func bare(args ...string) []string {
	return append([]string{"pcpctl", "-U", testUser, "-w"}, args...)
}

func tool(name string, args ...string) []string { return append([]string{name}, args...) }

// conn is the connection part of a pcp_* command line.
func conn(args ...string) []string {
	return append([]string{"-h", "HOST", "-p", "PORT", "-U", testUser, "-w"}, args...)
}

var (
	longHost = strings.Repeat("h", 300) + ".invalid"
	longUser = strings.Repeat("u", 200)
	longPass = strings.Repeat("p", 400)
	longDir  = "/tmp/" + strings.Repeat("d", 120)
)

// asRoot picks the expectation for the effective user: root reads any file.
func asRoot(root, other int) int {
	if os.Geteuid() == 0 {
		return root
	}
	return other
}

func matrix() []matrixCase {
	usage := exitcode.UsageError
	return []matrixCase{
		// --- modern CLI: values refused before connecting (exit 2, nothing sent)
		{name: "node id not a number", argv: modern("node", "info", "x"), code: usage, errHas: []string{`invalid node id "x"`}},
		{name: "node id negative", argv: modern("node", "info", "--", "-1"), code: usage, errHas: []string{`invalid node id "-1"`}},
		{name: "node id too large", argv: modern("node", "detach", "128"), code: usage, errHas: []string{`invalid node id "128"`}},
		{name: "node id overflows int64", argv: modern("node", "attach", "99999999999999999999"), code: usage, errHas: []string{`invalid node id "99999999999999999999"`}},
		{name: "node id fraction", argv: modern("node", "promote", "1.5"), code: usage, errHas: []string{`invalid node id "1.5"`}},
		{name: "node id missing", argv: modern("node", "recover"), code: usage, errHas: []string{"needs exactly one node id, got 0"}},
		{name: "two node ids", argv: modern("node", "info", "1", "2"), code: usage, errHas: []string{"needs exactly one node id, got 2"}},
		{name: "port not a number", argv: []string{"pcpctl", "-h", "HOST", "-p", "pcp", "-w", "node", "count"}, code: usage, errHas: []string{`invalid --port "pcp"`}},
		{name: "port zero", argv: []string{"pcpctl", "-h", "HOST", "-p", "0", "-w", "node", "list"}, code: usage, errHas: []string{`invalid --port "0"`}},
		{name: "port too large", argv: []string{"pcpctl", "-h", "HOST", "-p", "65536", "-w", "node", "list"}, code: usage, errHas: []string{`invalid --port "65536"`}},
		{name: "timeout not a duration", argv: modern("--timeout", "soon", "node", "count"), code: usage, errHas: []string{`invalid --timeout "soon"`}},
		{name: "timeout zero", argv: modern("--timeout", "0", "node", "count"), code: usage, errHas: []string{`invalid --timeout "0"`}},
		{name: "timeout negative", argv: modern("--timeout", "-5s", "node", "info", "0"), code: usage, errHas: []string{`invalid --timeout "-5s"`}},
		{name: "timeout overflows", argv: modern("--timeout", "9999999999h", "node", "count"), code: usage, errHas: []string{`invalid --timeout "9999999999h"`}},
		{name: "unknown output format", argv: modern("node", "list", "-o", "xml"), code: usage, errHas: []string{`invalid output format "xml"`}},
		{name: "unknown output format on info", argv: modern("node", "info", "0", "-o", "html"), code: usage, errHas: []string{`invalid output format "html"`}},
		{name: "unknown output format on watchdog", argv: modern("watchdog", "status", "-o", "toml"), code: usage, errHas: []string{`invalid output format "toml"`}},
		{name: "-w with -W", argv: modern("-W", "node", "count"), code: usage, errHas: []string{"-w/--no-password and -W/--password contradict"}},
		{name: "--dry-run with --wait", argv: modern("node", "detach", "2", "--dry-run", "--wait"), code: usage, errHas: []string{"--dry-run and --wait cannot be combined"}},
		{name: "--watch with --check", argv: modern("node", "list", "--watch", "--check"), code: usage, errHas: []string{"--check and --watch cannot be combined"}},
		{name: "--watch interval not a duration", argv: modern("node", "list", "--watch=soon"), code: usage, errHas: []string{`invalid --watch interval "soon"`}},
		{name: "--force on recover", argv: modern("node", "recover", "1", "--force"), code: usage, errHas: []string{"--force is only for detach, promote and attach; recover"}},
		{name: "--force on list", argv: modern("node", "list", "--force"), code: usage, errHas: []string{"unknown flag: --force"}},
		{name: "--force on count", argv: modern("node", "count", "--force"), code: usage, errHas: []string{"unknown flag: --force"}},
		{name: "empty user", argv: []string{"pcpctl", "-h", "HOST", "-p", "PORT", "-U", "", "-w", "node", "count"}, code: usage, errHas: []string{`invalid --username ""`}},
		{name: "over-long user", argv: []string{"pcpctl", "-h", "HOST", "-p", "PORT", "-U", longUser, "-w", "node", "count"}, code: usage, errHas: []string{"user name is too long (200 bytes"}},
		{name: "over-long host", argv: []string{"pcpctl", "-h", longHost, "-p", "PORT", "-w", "node", "count"}, code: usage, errHas: []string{`invalid --host "hhhh`, "host name is 308 bytes"}},
		{name: "over-long socket dir", argv: []string{"pcpctl", "-h", longDir, "-p", "PORT", "-w", "node", "list"}, code: usage, errHas: []string{`invalid --host "/tmp/ddd`, "socket path is"}},
		{name: "unknown command", argv: modern("node", "bogus"), code: usage, errHas: []string{`unknown command "bogus"`}},
		{name: "stray argument", argv: modern("node", "count", "7"), code: usage, errHas: []string{`unknown command "7"`}},
		{name: "--sql not a port", argv: modern("node", "list", "--sql=db:x"), code: usage, errHas: []string{`invalid --sql "db:x"`}},
		{name: "cluster status: --pgpool with -h/-p", argv: modern("cluster", "status", "--pgpool", "HOST:PORT"), code: usage, errHas: []string{"--pgpool names the pgpools itself"}},
		{name: "cluster status: --pgpool port out of range", argv: bare("cluster", "status", "--pgpool", "HOST:99999"), code: usage, errHas: []string{`invalid --pgpool "127.0.0.1:99999"`}},
		{name: "cluster status: unknown output format", argv: bare("cluster", "status", "--pgpool", "HOST:PORT", "-o", "xml"), code: usage, errHas: []string{`invalid output format "xml"`}},
		{name: "cluster status: zero --watch", argv: bare("cluster", "status", "--pgpool", "HOST:PORT", "--watch=0"), code: usage, errHas: []string{`invalid --watch interval "0"`}},
		{name: "unknown context", argv: bare("--context", "nosuch", "node", "list"), code: usage, errHas: []string{"config file", "does not exist"}},
		{name: "cluster status: unresolvable pgpool", argv: bare("cluster", "status", "--pgpool", "pgpool.invalid:PORT", "-o", "plain"), server: none, code: exitcode.Unhealthy,
			outHas: []string{"pgpool.invalid:"}, errHas: []string{`pgpool pgpool.invalid:`, `cannot resolve host "pgpool.invalid"`}},
		{name: "status-codes csv", argv: []string{"pcpctl", "status-codes", "-o", "csv"}, code: usage, errHas: []string{`invalid output format "csv"`}},

		// --- modern CLI: found bad only when connecting
		{name: "unresolvable host", argv: []string{"pcpctl", "-h", "pgpool.invalid", "-p", "PORT", "-U", testUser, "-w", "node", "count"}, server: none, code: exitcode.Connection, errHas: []string{`cannot resolve host "pgpool.invalid"`}},
		{name: "missing socket dir", argv: []string{"pcpctl", "-h", "/nonexistent/pcpctl-socket-dir", "-p", "9898", "-U", testUser, "-w", "node", "count"}, server: none, code: exitcode.Connection, errHas: []string{`"/nonexistent/pcpctl-socket-dir/.s.PGSQL.9898"`, "No such file or directory"}},
		{name: "group-readable password file", argv: modern("node", "count"), server: pgpool, passFile: "PASSLINE\n", passMode: 0o640, code: exitcode.Auth, errLines: 2,
			errHas: []string{`password file "PASSFILE" has group or world access`, `authentication failed for user "pcpadmin"`}},
		{name: "world-readable password file", argv: modern("node", "list"), server: pgpool, passFile: "PASSLINE\n", passMode: 0o604, code: exitcode.Auth, errLines: 2,
			errHas: []string{`password file "PASSFILE" has group or world access`}},
		// Mode 000: unreadable, except to root, for whom the permission
		// check (no group or other bits) passes and the entry is used.
		{name: "unreadable password file", argv: modern("node", "count"), server: pgpool, passFile: "PASSLINE\n", unreadable: true, code: asRoot(0, exitcode.Auth), errLines: asRoot(-1, 1)},
		{name: "password file is a directory", argv: modern("node", "count"), server: pgpool, passDir: true, code: exitcode.Auth, errLines: 2,
			errHas: []string{`password file "PASSFILE" is not a plain file`}},
		{name: "malformed password file", argv: modern("node", "count"), server: pgpool, passFile: "no colons here\n\x00\xff\xfe:::\n*:*\n", code: exitcode.Auth, errHas: []string{`authentication failed for user "pcpadmin"`}},
		{name: "over-long password in file", argv: modern("node", "count"), server: pgpool, passFile: "HOST:PORT:pcpadmin:" + longPass + "\n", code: exitcode.Auth, errHas: []string{`authentication failed for user "pcpadmin"`}},
		{name: "password file missing", argv: modern("node", "count"), server: pgpool, code: exitcode.Auth, errHas: []string{`authentication failed for user "pcpadmin"`}},
		{name: "node id beyond the server's nodes", argv: modern("node", "info", "7"), server: pgpool, passFile: "PASSLINE\n", code: usage, errHas: []string{"node 7 does not exist"}},
		{name: "-d trace of a good session", argv: modern("-d", "node", "count"), server: pgpool, passFile: "PASSLINE\n", code: 0, errLines: -1, outHas: []string{"3\n"}, errHas: []string{"trace: send Authenticate"}},

		// --- pcp_* names: the stock tools' behaviour is the specification
		{name: "pcp node id too large", argv: tool("pcp_node_info", conn("-n", "200")...), code: 0, errHas: []string{`Invalid node-id "200"`}, stock: true},
		{name: "pcp node id negative", argv: tool("pcp_attach_node", conn("-n", "-1")...), code: 0, errHas: []string{`Invalid node-id "-1"`}, stock: true},
		{name: "pcp node id not a number is node 0", argv: tool("pcp_node_info", conn("-n", "x")...), server: pgpool, passFile: "PASSLINE\n", code: 0, outHas: []string{"127.0.0.1 15432 2 "}, stock: true},
		{name: "pcp node id missing", argv: tool("pcp_detach_node", conn()...), code: 1, errHas: []string{"missing node-id"}, stock: true},
		{name: "pcp recovery node id 129", argv: tool("pcp_recovery_node", conn("-n", "129")...), code: 0, errHas: []string{`Invalid node-id "129"`}, stock: true},
		{name: "pcp promote node id overflow", argv: tool("pcp_promote_node", conn("-n", "99999999999")...), code: 0, errHas: []string{`Invalid node-id "99999999999"`}, stock: true},
		{name: "pcp port not a number", argv: tool("pcp_node_count", "-h", "HOST", "-p", "abc", "-w"), code: 0, errHas: []string{`Invalid port number "abc"`}, stock: true},
		{name: "pcp port 1024", argv: tool("pcp_node_count", "-h", "HOST", "-p", "1024", "-w"), code: 0, errHas: []string{`Invalid port number "1024"`}, stock: true},
		{name: "pcp port too large", argv: tool("pcp_pool_status", "-h", "HOST", "-p", "70000", "-w"), code: 0, errHas: []string{`Invalid port number "70000"`}, stock: true},
		{name: "pcp process id zero", argv: tool("pcp_proc_info", conn("-P", "0")...), code: 0, errHas: []string{`Invalid process-id "0"`}, stock: true},
		{name: "pcp process id not a number", argv: tool("pcp_proc_info", conn("-P", "pid")...), code: 0, errHas: []string{`Invalid process-id "pid"`}, stock: true},
		{name: "pcp process id negative", argv: tool("pcp_proc_info", conn("-P", "-7")...), code: 0, errHas: []string{`Invalid process-id "-7"`}, stock: true},
		{name: "pcp watchdog id negative", argv: tool("pcp_watchdog_info", conn("-n", "-2")...), code: 0, errHas: []string{`Invalid watchdog-id "-2"`}, stock: true},
		{name: "pcp health check node id too large", argv: tool("pcp_health_check_stats", conn("-n", "1000")...), code: 0, errHas: []string{`Invalid node-id "1000"`}, stock: true},
		{name: "pcp shutdown mode unknown", argv: tool("pcp_stop_pgpool", conn("-m", "gently")...), code: 1, errHas: []string{`Invalid shutdown mode "gently"`}, stock: true},
		{name: "pcp reload scope unknown", argv: tool("pcp_reload_config", conn("-s", "planet")...), code: 1, errHas: []string{`Invalid command scope "planet"`}, stock: true},
		{name: "pcp unknown option -o", argv: tool("pcp_node_info", conn("-n", "0", "-o", "json")...), code: 1, errHas: []string{"invalid option -- 'o'"}, stock: true},
		{name: "pcp --force", argv: tool("pcp_attach_node", conn("-n", "1", "--force")...), code: 1, errHas: []string{"unrecognized option '--force'"}, stock: true},
		{name: "pcp -s on node count", argv: tool("pcp_node_count", conn("-s", "c")...), code: 1, errHas: []string{"invalid option -- 's'"}, stock: true},
		{name: "pcp missing option argument", argv: tool("pcp_node_info", "-h", "HOST", "-p", "PORT", "-w", "-n"), code: 1, errHas: []string{"option requires an argument -- 'n'"}, stock: true},
		{name: "pcp missing socket dir", argv: tool("pcp_node_count", "-h", "/nonexistent/pcpctl-socket-dir", "-p", "9898", "-w"), server: none, code: 1, errHas: []string{`"/nonexistent/pcpctl-socket-dir/.s.PGSQL.9898"`}, stock: true},
		// "pcp unresolvable host" asks the resolver, as libpcp does: e2e TestUnknownHostErrno runs it in namespaces of its own.
		{name: "pcp over-long user", argv: tool("pcp_node_count", "-h", "HOST", "-p", "PORT", "-U", longUser, "-w"), server: pgpool, passFile: "PASSLINE\n", code: 1, errHas: []string{"username too long"}, stock: true},
		{name: "pcp empty user", argv: tool("pcp_node_count", "-h", "HOST", "-p", "PORT", "-U", "", "-w"), server: pgpool, passFile: "PASSLINE\n", code: 1, errHas: []string{`authentication failed`}, stock: true},
		{name: "pcp group-readable password file, -d", argv: tool("pcp_node_count", conn("-d")...), server: pgpool, passFile: "PASSLINE\n", passMode: 0o640, code: 1,
			outHas: []string{`WARNING: password file "PASSFILE" has group or world access`}, errHas: []string{"authentication failed"}, stock: true},
		{name: "pcp group-readable password file, quiet", argv: tool("pcp_node_count", conn()...), server: pgpool, passFile: "PASSLINE\n", passMode: 0o640, code: 1, errHas: []string{"authentication failed"}, stock: true},
		{name: "pcp unreadable password file, -d", argv: tool("pcp_node_count", conn("-d")...), server: pgpool, passFile: "PASSLINE\n", unreadable: true, code: asRoot(0, 1), stock: true},
		{name: "pcp password file is a directory, -d", argv: tool("pcp_node_count", conn("-d")...), server: pgpool, passDir: true, code: 1,
			outHas: []string{`WARNING: password file "PASSFILE" is not a plain file`}, stock: true},
		{name: "pcp malformed password file", argv: tool("pcp_node_count", conn()...), server: pgpool, passFile: "::::\n\\\n*:*:*\n", code: 1, errHas: []string{"authentication failed"}, stock: true},
		{name: "pcp over-long password in file, -d", argv: tool("pcp_node_count", conn("-d")...), server: pgpool, passFile: "HOST:PORT:pcpadmin:" + longPass + "\n", code: 1, errHas: []string{"authentication failed"}, stock: true},
		// --- legacy 3.x positional form (timeout host port user password [operand]);
		// stock 4.3.5 has no such form, so its codes are the 3.x ErrorCode enum
		// (see cmd/compat/legacy.go), the error name on stdout.
		// Stock 4.3.5 reads this as its own form and echoes the password in
		// an "extra argument" warning; pcpctl refuses it as 3.x would.
		{name: "legacy non-numeric timeout", argv: tool("pcp_node_count", "ten", "HOST", "PORT", testUser, testPassword), code: 7, outHas: []string{"InvalidArgumentError\n"}},
		{name: "legacy non-numeric timeout, -d", argv: tool("pcp_node_info", "-d", "1.5", "HOST", "PORT", testUser, testPassword, "0"), code: 7,
			outHas: []string{"InvalidArgumentError\n"}, errHas: []string{`DEBUG: timeout "1.5" is not a number of seconds`}},
		{name: "legacy node id out of range", argv: tool("pcp_node_info", "10", "HOST", "PORT", testUser, testPassword, "999"), code: 7, outHas: []string{"InvalidArgumentError\n"}},
		{name: "legacy node id out of range, -d", argv: tool("pcp_node_info", "-d", "10", "HOST", "PORT", testUser, testPassword, "999"), code: 7, outHas: []string{"InvalidArgumentError\n"}, errHas: []string{"DEBUG: node id out of range"}},
		{name: "legacy port out of range", argv: tool("pcp_node_count", "10", "HOST", "80", testUser, testPassword), code: 7, outHas: []string{"InvalidArgumentError\n"}},
		{name: "legacy over-long password, -d", argv: tool("pcp_node_count", "-d", "10", "HOST", "PORT", testUser, longPass[:150]), secret: longPass[:150], code: 7,
			outHas: []string{"InvalidArgumentError\n"}, errHas: []string{"DEBUG: username or password too long"}},
		{name: "legacy empty host", argv: tool("pcp_node_count", "10", "", "PORT", testUser, testPassword), code: 7, outHas: []string{"InvalidArgumentError\n"}},
		{name: "legacy unknown shutdown mode", argv: tool("pcp_stop_pgpool", "10", "HOST", "PORT", testUser, testPassword, "x"), code: 7, outHas: []string{"InvalidArgumentError\n"}},
		{name: "legacy wrong password, -d", argv: tool("pcp_node_count", "-d", "10", "HOST", "PORT", testUser, "Wr0ng-legacy-pw"), server: pgpool, secret: "Wr0ng-legacy-pw", code: 13, outHas: []string{"AuthorizationError\n"}},
		{name: "legacy good session, -d", argv: tool("pcp_node_count", "-d", "10", "HOST", "PORT", testUser, testPassword), server: pgpool, code: 0, outHas: []string{"3\n"}},
		{name: "legacy unresolvable host", argv: tool("pcp_node_count", "10", "pgpool.invalid", "9898", testUser, testPassword), server: none, code: 11, outHas: []string{"HostError\n"}},
		{name: "legacy missing socket dir", argv: tool("pcp_node_count", "10", "/nonexistent/pcpctl-socket-dir", "9898", testUser, testPassword), server: none, code: 8, outHas: []string{"ConnectionError\n"}},

		{name: "pcp good session, -d", argv: tool("pcp_node_count", conn("-d")...), server: pgpool, passFile: "PASSLINE\n", code: 0, outHas: []string{"DEBUG: recv: tos=\"l\"", "\n3\n"}, stock: true},
	}
}

// outcome is what one run produced.
type outcome struct {
	code        int
	stdout      string
	stderr      string
	connections int
	received    int
}

func TestBadInputMatrix(t *testing.T) {
	cases := matrix()
	if len(cases) < 40 {
		t.Fatalf("matrix has %d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, subst := runCase(t, c, ours)
			check(t, c, got, subst)
			if c.stock {
				stockPath := testenv.NeedProgram(t, filepath.Join("/usr/sbin", c.argv[0]), "pgpool2")
				want, _ := runCase(t, c, func(t *testing.T, argv []string, env []string) (int, string, string) {
					return stock(t, stockPath, argv, env)
				})
				if got.code != want.code || got.stdout != want.stdout || got.stderr != want.stderr {
					t.Errorf("differs from the stock tool:\n=== stock: exit %d\n%s--- stderr\n%s=== pcpctl: exit %d\n%s--- stderr\n%s",
						want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
				}
				if got.connections != want.connections {
					t.Errorf("pcpctl made %d connections, the stock tool %d", got.connections, want.connections)
				}
			}
		})
	}
}

type runner func(t *testing.T, argv []string, env []string) (int, string, string)

// runCase sets up the case's server and password file, runs it and
// returns what came out, with the replacements it made.
func runCase(t *testing.T, c matrixCase, run runner) (outcome, *strings.Replacer) {
	t.Helper()
	dir := t.TempDir()
	var rec *pcptest.Recorder
	var srv *pcptest.Server
	host, port := "127.0.0.1", "1"
	switch c.server {
	case recorder:
		rec = pcptest.NewRecorder(t)
		port = strconv.Itoa(rec.Port)
	case pgpool:
		p := &pcptest.Pgpool{User: testUser, Password: testPassword, Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
		srv = pcptest.NewServer(t, p.Serve)
		port = strconv.Itoa(srv.Port)
	}
	passPath := filepath.Join(dir, "pcppass")
	subst := strings.NewReplacer("PASSLINE", host+":"+port+":"+testUser+":"+testPassword, "HOST", host, "PORT", port)
	switch {
	case c.passDir:
		if err := os.Mkdir(passPath, 0o700); err != nil {
			t.Fatal(err)
		}
	case c.passFile != "":
		writePassFile(t, passPath, subst.Replace(c.passFile), c.passMode)
	}
	if c.unreadable {
		if err := os.Chmod(passPath, 0); err != nil {
			t.Fatal(err)
		}
	}
	argv := make([]string, len(c.argv))
	for i, a := range c.argv {
		argv[i] = subst.Replace(a)
	}
	// No contexts file: the tests must not read the developer's.
	env := []string{"PCPPASSFILE=" + passPath, "PCPCTL_CONFIG=" + filepath.Join(dir, "config.yaml"), "HOME=" + dir, "PATH=/usr/bin:/bin", "LANG=C"}
	var o outcome
	o.code, o.stdout, o.stderr = run(t, argv, env)
	// The stock tool runs against a server and file of its own: name them
	// alike in both outputs.
	norm := strings.NewReplacer(passPath, "PASSFILE", ":"+port, ":PORT", "."+port, ".PORT")
	o.stdout, o.stderr = norm.Replace(o.stdout), norm.Replace(o.stderr)
	if rec != nil {
		rec.Close()
		o.connections, o.received = rec.Connections(), len(rec.Bytes())
	}
	if srv != nil {
		srv.Close()
		o.connections, o.received = srv.Sessions(), srv.Received()
	}
	return o, subst
}

// writePassFile writes a password file 0600, then sets the case's mode:
// a test's password file is never readable by others unless that is what
// the test is about.
func writePassFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if mode != 0 {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
}

func check(t *testing.T, c matrixCase, got outcome, subst *strings.Replacer) {
	t.Helper()
	pcptest.NoLeak(t, "stdout", testUser, testPassword, got.stdout)
	pcptest.NoLeak(t, "stderr", testUser, testPassword, got.stderr)
	if c.secret != "" {
		pcptest.NoLeak(t, "output", testUser, c.secret, got.stdout, got.stderr)
	}
	if got.code != c.code {
		t.Errorf("exit %d, want %d\n--- stdout\n%s--- stderr\n%s", got.code, c.code, got.stdout, got.stderr)
	}
	for _, want := range c.errHas {
		if w := subst.Replace(want); !strings.Contains(got.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, got.stderr)
		}
	}
	for _, want := range c.outHas {
		if w := subst.Replace(want); !strings.Contains(got.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, got.stdout)
		}
	}
	if c.server == recorder && (got.connections != 0 || got.received != 0) {
		t.Errorf("refused input still reached the server: %d connections, %d bytes", got.connections, got.received)
	}
	if c.argv[0] == "pcpctl" && c.errLines >= 0 {
		want := max(c.errLines, 1)
		if c.code == 0 {
			want = 0
		}
		if n := strings.Count(got.stderr, "\n"); n != want || !strings.HasSuffix(got.stderr, "\n") && want > 0 {
			t.Errorf("stderr has %d lines, want %d:\n%s", n, want, got.stderr)
		}
		if c.code >= exitcode.UsageError && c.code <= exitcode.Protocol && got.stdout != "" {
			t.Errorf("failure wrote to stdout: %q", got.stdout)
		}
	}
}

// ours runs the multi-call entry point in this process, with env as the
// whole environment of the variables pcpctl reads.
func ours(t *testing.T, argv []string, env []string) (int, string, string) {
	t.Helper()
	for _, k := range []string{"PCPHOST", "PCPPORT", "PCPUSER", "PCPPASSFILE", "PCPCONNECT_TIMEOUT", "PCPCTL_TIMEOUT", "PCPCTL_CONFIG", "XDG_CONFIG_HOME"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PCP") || k == "HOME" {
			t.Setenv(k, v)
		}
	}
	ios, _, out, errOut := iostreams.Test()
	code := run(argv, func(bool) *iostreams.IOStreams { return ios }, func() {})
	return code, out.String(), errOut.String()
}

// stock runs a C tool with argv[0] as given, no terminal and empty stdin.
func stock(t *testing.T, path string, argv []string, env []string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, o.String(), e.String()
}

// TestNoStartupWorkInOwnPackages builds the binary and runs a pcp_* tool
// with the runtime's init trace: none of pcpctl's own packages may run
// code before main (tables, maps and compiled patterns are built lazily or
// are constant data), as every pcp_* call would pay for it.
func TestNoStartupWorkInOwnPackages(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pcpctl")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tool := filepath.Join(dir, "pcp_node_count")
	if err := os.Symlink("pcpctl", tool); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "-V")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pcp_node_count -V: %v\n%s", err, stderr.String())
	}
	var inits, own []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			inits = append(inits, f[1])
			if strings.HasPrefix(f[1], "github.com/pcpctl/pcpctl/") {
				own = append(own, line)
			}
		}
	}
	if len(inits) < 10 {
		t.Fatalf("no init trace (GODEBUG=inittrace=1 ignored?):\n%s", stderr.String())
	}
	if len(own) > 0 {
		t.Errorf("pcpctl's own packages do work at start-up:\n%s", strings.Join(own, "\n"))
	}
	if !strings.Contains(stderr.String(), "pcp_node_count (pgpool-II) 4.3.5\n") || stdout.Len() != 0 {
		t.Errorf("-V: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

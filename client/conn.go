package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pcpctl/pcpctl/pcp"
)

// Config says where and as whom to connect.
type Config struct {
	// Host is a TCP host name or IP address; empty or starting with "/"
	// means a UNIX socket (<dir>/.s.PGSQL.<port>).
	Host string
	Port int
	// User defaults to the effective OS user.
	User string
	// UserGiven sends User even when it is empty, as libpcp does with an
	// explicit -U "".
	UserGiven bool
	// Password, when empty, is looked up in the password file.
	Password string
	// SocketDir is used when Host is empty; default DefaultSocketDir.
	SocketDir string
	// PassFile is the password file (PassFilePath gives the stock tools'
	// choice); none is read when it is empty.
	PassFile string
	// NoPassFile disables the password file lookup.
	NoPassFile bool
	// Warn receives password-file warnings (nil drops them).
	Warn func(string)
	// Tracer sees every packet (nil for none).
	Tracer pcp.Tracer
	// LookupInvalid sends names under the reserved .invalid domain to the
	// resolver like any other, as gethostbyname does: the pcp_* drop-ins
	// need the resolver's answer to print the errno the C tool prints.
	// Otherwise such names fail here without leaving the host (RFC 6761).
	LookupInvalid bool
	// PromptIfEmpty, when set, is asked for the password once the password
	// file has given none, as libpcp 4.7 does even under -w.
	PromptIfEmpty func() string
	// Pipeline defers the authentication result to the first request:
	// the credentials and that request reach pgpool together, saving a
	// round trip (and a wake-up of pgpool's worker) per session. A refusal
	// is then returned by the first command instead of Dial, and
	// Authenticated tells the two apart.
	Pipeline bool
}

// Conn is an authenticated PCP session. It is not safe for concurrent use;
// pgpool serves one command at a time per connection anyway.
type Conn struct {
	nc     transport
	fe     *pcp.Frontend
	closed bool
	// broken is set once the stream can no longer be trusted (I/O error,
	// FATAL, deadline): Close then skips the polite 'X'.
	broken bool
	// fatal: pgpool ended the session with FATAL. libpcp still sends (and
	// traces) its 'X' then, and the write succeeds because the peer has
	// only half-closed, so Close sends it too, for the same -d trace.
	fatal bool
	// authPending: the credentials are sent but the verdict is unread
	// (Config.Pipeline); authed: the server accepted them.
	authPending, authed bool
}

// MaxNameLength is libpcp's limit for user names (and passwords): 128 bytes
// and above are refused before anything is sent.
const MaxNameLength = 128

// SocketPath is the UNIX socket path for a socket directory and port.
func SocketPath(dir string, port int) string {
	return dir + "/.s.PGSQL." + strconv.Itoa(port)
}

// OSUser is the effective user's login name, libpcp's default user.
func OSUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// Dial connects, resolves the password and authenticates. Every wait is
// bounded by ctx.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	nc, err := dial(ctx, cfg)
	if err != nil {
		return nil, tag(err, OpDial, cfg.Host)
	}
	// Replies are read through a buffer: one read(2) takes a whole reply
	// rather than one per header and body.
	c := &Conn{nc: nc, fe: pcp.NewFrontend(bufio.NewReaderSize(nc, 4096), nc)}
	c.fe.SetTracer(cfg.Tracer)

	username := cfg.username()
	password := cfg.Password
	if password == "" && !cfg.NoPassFile {
		password, _ = cfg.PassFilePassword()
	}
	if password == "" && cfg.PromptIfEmpty != nil {
		password = cfg.PromptIfEmpty()
	}
	if err := c.authenticate(ctx, username, password, cfg.Pipeline); err != nil {
		c.broken = true
		c.nc.Close()
		return nil, tag(err, OpAuth, cfg.Host)
	}
	return c, nil
}

// tag records where a failure happened unless a deeper step already did.
func tag(err error, op Op, addr string) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Op == 0 {
			e.Op = op
		}
		if e.Addr == "" {
			e.Addr = addr
		}
	}
	return err
}

// Authenticated reports whether pgpool has accepted the credentials. With
// Config.Pipeline it is false until the first command has read the verdict,
// and stays false if that command failed because of it.
func (c *Conn) Authenticated() bool { return c.authed }

func (cfg Config) username() string {
	if cfg.User == "" && !cfg.UserGiven {
		return OSUser()
	}
	return cfg.User
}

// PassFilePassword is what the password file gives this session: the entry
// for its host, port and user in PassFile. A caller that must know before
// dialling (to prompt or not) passes the answer on in Password with
// NoPassFile, so the file is read once.
func (cfg Config) PassFilePassword() (string, bool) {
	path := cfg.PassFile
	if path == "" {
		return "", false
	}
	host := cfg.Host
	if host == "" {
		host = cfg.socketDir()
	}
	return LookupPassword(path, PassFileHost(host), strconv.Itoa(cfg.Port), cfg.username(), cfg.Warn)
}

func (cfg Config) socketDir() string {
	if cfg.SocketDir != "" {
		return cfg.SocketDir
	}
	return DefaultSocketDir
}

// IsSocket reports whether host names a UNIX socket directory.
func IsSocket(host string) bool { return host == "" || host[0] == '/' }

// transport is the byte stream under a Conn: sock on Linux, a net.Conn
// elsewhere.
type transport interface {
	io.ReadWriteCloser
	SetDeadline(t time.Time) error
	// interrupt wakes a read or write in progress, for good: the
	// connection is unusable afterwards.
	interrupt()
}

func dial(ctx context.Context, cfg Config) (transport, error) {
	// failed is a dial failure of kind k at addr: a timeout when the
	// context ended first.
	failed := func(k Kind, err error, addr string, socket, lookup bool) error {
		e := causeError(k, OpDial, err)
		if ctx.Err() != nil {
			e = timeoutError(ctx, OpDial, err)
		}
		e.Addr, e.Socket, e.Lookup = addr, socket, lookup
		return e
	}
	if IsSocket(cfg.Host) {
		dir := cfg.Host
		if dir == "" {
			dir = cfg.socketDir()
		}
		path := SocketPath(dir, cfg.Port)
		nc, err := dialUnix(ctx, path)
		if err != nil {
			return nil, failed(KindConnect, err, path, true, false)
		}
		return nc, nil
	}
	ip, err := resolve(ctx, cfg.Host, cfg.LookupInvalid)
	if err != nil {
		return nil, failed(KindHost, err, cfg.Host, false, true)
	}
	nc, err := dialTCP(ctx, ip, cfg.Port)
	if err != nil {
		return nil, failed(KindConnect, err, cfg.Host, false, false)
	}
	return nc, nil
}

// resolve picks one address as libpcp does (the first one), preferring IPv4
// because libpcp only ever asked for IPv4; IPv6-only names and literals work
// here where they fail with the stock tools.
func resolve(ctx context.Context, host string, lookupInvalid bool) (net.IP, error) {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(h); ip != nil {
		return ip, nil
	}
	if !lookupInvalid && reservedInvalid(h) {
		return nil, &net.DNSError{Err: "no such host", Name: h, IsNotFound: true}
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, h)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP, nil
		}
	}
	if len(addrs) > 0 {
		return addrs[0].IP, nil
	}
	return nil, fmt.Errorf("no address for %s", host)
}

// reservedInvalid reports a name under the "invalid" top-level domain,
// which RFC 6761 §6.4 says never resolves and which name APIs should answer
// locally: asking a DNS server about it only leaks the name off the host.
func reservedInvalid(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "invalid" || strings.HasSuffix(h, ".invalid")
}

// Strerror renders the errno behind err as glibc's strerror would. Go's errno
// strings are glibc's with a lower-case first letter.
func Strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

func timeoutError(ctx context.Context, op Op, cause error) *Error {
	return &Error{Kind: KindTimeout, Op: op, Cancelled: errors.Is(ctx.Err(), context.Canceled), Err: cause}
}

// arm applies ctx to the socket for the duration of one exchange.
func (c *Conn) arm(ctx context.Context) (disarm func()) {
	if d, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(d)
	} else {
		c.nc.SetDeadline(time.Time{})
	}
	// Wake a blocked read or write at once on cancellation.
	stop := onCancel(ctx, c.nc.interrupt)
	return func() { stop() }
}

// ioError classifies a failure of the socket itself.
func (c *Conn) ioError(ctx context.Context, err error, reading bool) *Error {
	c.broken = true
	var ne net.Error
	if ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, os.ErrDeadlineExceeded) {
		op := OpRead
		if !reading {
			op = OpWrite
		}
		return timeoutError(ctx, op, err)
	}
	var le *pcp.ErrLength
	var me *pcp.ErrMalformed
	switch {
	case errors.As(err, &le):
		return &Error{Kind: KindProtocol, Err: err}
	case errors.As(err, &me):
		return errInvalidResponse(err)
	}
	if reading {
		return causeError(KindIO, OpRead, err)
	}
	return causeError(KindIO, OpWrite, err)
}

func (c *Conn) send(ctx context.Context, msg pcp.FrontendMessage) error {
	err := c.fe.Send(msg)
	if c.authPending && errors.Is(err, pcp.ErrRequestTooLong) {
		// Refused before sending: the credentials still go out alone.
		err = c.fe.Flush()
		if err == nil {
			err = pcp.ErrRequestTooLong
		}
	}
	if c.authPending && (err == nil || errors.Is(err, pcp.ErrRequestTooLong)) {
		// The verdict on the credentials comes before the reply.
		c.authPending = false
		if aerr := c.authResult(ctx); aerr != nil {
			c.broken = true
			return aerr
		}
	}
	if err != nil {
		if errors.Is(err, pcp.ErrRequestTooLong) {
			return &Error{Kind: KindUsage, Op: OpWrite, Err: err}
		}
		return c.ioError(ctx, err, false)
	}
	return nil
}

// receive returns the next packet that is not a notice. A server error comes
// back as *Error; the session survives an ERROR but not a FATAL.
func (c *Conn) receive(ctx context.Context) (pcp.BackendMessage, error) {
	for {
		msg, err := c.fe.Receive()
		if err != nil {
			return nil, c.ioError(ctx, err, true)
		}
		switch m := msg.(type) {
		case *pcp.ErrorResponse:
			if m.Notice {
				continue
			}
			if m.Fatal() {
				c.broken, c.fatal = true, true
			}
			return nil, serverError(m)
		case *pcp.LegacyError:
			return nil, &Error{Kind: KindServer, Legacy: m.Message}
		case *pcp.Unknown:
			return nil, &Error{Kind: KindProtocol, Op: OpRead, Packet: m.Kind, Err: ErrUnknownPacket}
		}
		return msg, nil
	}
}

// authenticate sends the credentials and, unless pipeline is set, reads the
// verdict.
func (c *Conn) authenticate(ctx context.Context, username, password string, pipeline bool) error {
	defer c.arm(ctx)()
	if len(username) >= MaxNameLength {
		return &Error{Kind: KindAuth, Op: OpAuth, Err: ErrUserTooLong}
	}
	if err := c.send(ctx, &pcp.SaltRequest{}); err != nil {
		return err
	}
	msg, err := c.receive(ctx)
	if err != nil {
		return authFailure(err)
	}
	salt, ok := msg.(*pcp.Salt)
	if !ok {
		return &Error{Kind: KindProtocol, Op: OpAuth, Packet: byte(kindOf(msg)), Err: fmt.Errorf("unexpected reply %q to the salt request", kindOf(msg))}
	}
	auth := &pcp.Authenticate{User: username, Response: pcp.MD5Response(username, password, salt.Salt)}
	if pipeline {
		// Held back to leave with the first request.
		if err := c.fe.Queue(auth); err != nil {
			return &Error{Kind: KindUsage, Op: OpAuth, Err: err}
		}
		c.authPending = true
		return nil
	}
	if err := c.send(ctx, auth); err != nil {
		return err
	}
	return c.authResult(ctx)
}

// authResult reads the server's verdict on the credentials.
func (c *Conn) authResult(ctx context.Context) error {
	msg, err := c.receive(ctx)
	if err != nil {
		return authFailure(err)
	}
	r, ok := msg.(*pcp.AuthenticationResult)
	if !ok {
		return &Error{Kind: KindProtocol, Op: OpAuth, Packet: byte(kindOf(msg)), Err: fmt.Errorf("unexpected reply %q to authentication", kindOf(msg))}
	}
	if !r.OK() {
		return &Error{Kind: KindAuth, Op: OpAuth, Reason: r.Tag}
	}
	c.authed = true
	return nil
}

// authFailure: any server error during authentication is an authentication
// failure to the caller (pgpool answers bad credentials with FATAL).
func authFailure(err error) error {
	var e *Error
	if errors.As(err, &e) && (e.Kind == KindServer) {
		e.Kind = KindAuth
	}
	return err
}

func kindOf(msg pcp.BackendMessage) byte {
	b, _ := msg.Encode(nil)
	if len(b) == 0 {
		return '?'
	}
	return b[0]
}

// Close says goodbye ('X') when the session is still sound, then closes.
func (c *Conn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if !c.broken || c.fatal {
		c.nc.SetDeadline(time.Now().Add(time.Second))
		c.fe.Send(&pcp.Terminate{})
	}
	return c.nc.Close()
}

package stop

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func code(err error) int {
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestStop(t *testing.T) {
	for _, c := range []struct {
		name         string
		mode, scope  string
		force, dry   bool
		tty          bool
		answer       string
		code         int
		log          string
		out, errText string
	}{
		{"no tty, no force", "smart", "local", false, false, false, "", exitcode.UsageError, "", "", "refusing to stop pgpool at 127.0.0.1:"},
		{"tty, declined", "fast", "local", false, false, true, "n\n", exitcode.Failure, "", "", "not confirmed; nothing was sent"},
		{"tty, no answer", "fast", "local", false, false, true, "", exitcode.Failure, "", "", "not confirmed"},
		{"tty, confirmed", "fast", "local", false, false, true, "yes\n", 0, "T f", "(fast shutdown): shutdown requested, pgpool accepted it", ""},
		{"force", "i", "local", true, false, false, "", 0, "T i", "(immediate shutdown): shutdown requested", ""},
		{"force cluster", "smart", "cluster", true, false, false, "", 0, "t s", "(smart shutdown, every pgpool of its watchdog cluster)", ""},
		{"dry run", "fast", "cluster", false, true, false, "", 0, "", "would stop pgpool at 127.0.0.1:", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
			srv := pcptest.NewServer(t, p.Serve)
			f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
			f.IOStreams.SetStdinTTY(c.tty)
			st.In.WriteString(c.answer)
			o := &StopOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Mode: c.mode, Scope: c.scope, Force: c.force, DryRun: c.dry}
			err := stopRun(context.Background(), o)
			if code(err) != c.code || (c.errText != "" && !strings.Contains(err.Error(), c.errText)) {
				t.Errorf("err %v (code %d), want code %d %q", err, code(err), c.code, c.errText)
			}
			if got := strings.Join(p.Log(), ","); got != c.log {
				t.Errorf("server log %q, want %q", got, c.log)
			}
			if !strings.Contains(st.Out.String(), c.out) {
				t.Errorf("stdout %q, want %q", st.Out, c.out)
			}
			if c.code != 0 && (srv.Sessions() != 0 || st.Out.Len() != 0) {
				t.Errorf("refused, yet %d sessions, stdout %q", srv.Sessions(), st.Out)
			}
			if c.tty && !strings.Contains(st.ErrOut.String(), "? Every client loses its connection. [y/N] ") {
				t.Errorf("no prompt: %q", st.ErrOut)
			}
		})
	}
}

func TestBadMode(t *testing.T) {
	if _, err := modeByte("slow"); code(err) != exitcode.UsageError || err.Error() != `invalid --mode "slow": want smart, fast or immediate` {
		t.Errorf("%v", err)
	}
}

// TestWaitGone: --wait ends only when the PCP port refuses connections;
// a pgpool that still answers, or whose port accepts but stays silent
// (its shutdown hung), is reported as not stopped, each in its words.
func TestWaitGone(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held <- c // accepted, never answered
		}
	}()
	t.Cleanup(func() {
		for len(held) > 0 {
			(<-held).Close()
		}
	})
	for _, c := range []struct {
		name   string
		target func(srv *pcptest.Server) (string, int)
		code   int
		text   string
	}{
		{"port refuses", func(srv *pcptest.Server) (string, int) { srv.Close(); return srv.Host, srv.Port }, 0, ""},
		{"still answers", func(srv *pcptest.Server) (string, int) { return srv.Host, srv.Port }, exitcode.Connection, "to stop (it still answers); raise --timeout"},
		{"accepts, silent", func(*pcptest.Server) (string, int) {
			a := silent.Addr().(*net.TCPAddr)
			return a.IP.String(), a.Port
		}, exitcode.Connection, "(its PCP port still accepts connections but does not answer: pgpool's shutdown has not finished"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
			srv := pcptest.NewServer(t, p.Serve)
			f, _ := factorytest.New(t, srv, "pcpadmin", "pw", nil)
			host, port := c.target(srv)
			f.Host, f.Port, f.Timeout = host, strconv.Itoa(port), "1s"
			o := &StopOptions{Factory: f, Settings: factorytest.Settings(t, f), PollInterval: 50 * time.Millisecond}
			err := o.waitGone(context.Background())
			if code(err) != c.code || (c.text != "" && !strings.Contains(err.Error(), c.text)) {
				t.Errorf("err %v (code %d), want code %d %q", err, code(err), c.code, c.text)
			}
		})
	}
}

package stop

import (
	"context"
	"errors"
	"strings"
	"testing"

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

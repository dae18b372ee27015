package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/client"
	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// Action is one of the node-changing commands.
type Action string

const (
	Attach  Action = "attach"
	Detach  Action = "detach"
	Recover Action = "recover"
	Promote Action = "promote"
)

// PollTimeout bounds each status read of --wait.
const PollTimeout = 3 * time.Second

// ActionOptions are the inputs of every action command.
type ActionOptions struct {
	IO       *iostreams.IOStreams
	Factory  *factory.Factory
	Settings *factory.Settings

	Action     Action
	ID         int
	Wait       bool
	DryRun     bool
	Force      bool
	Graceful   bool
	Switchover bool

	// PollInterval is how often --wait re-reads the node (500ms default).
	PollInterval time.Duration

	// The verified switchover's (promote --switchover): the target's
	// largest replay lag (0: rules.DefaultMaxLag), the SQL user for the
	// backends, and how long the other standbys get to follow.
	MaxLag        uint64
	SQLUser       string
	FollowTimeout time.Duration

	// Mode is pgpool's clustering mode, read before the checks.
	Mode health.Mode
}

// SetUpAction gives an action command its flags (--wait, --dry-run;
// --force is real on detach, promote and attach (attach: a node that may
// have missed writes) and, elsewhere, a hidden flag that is refused, so
// that the mistake gets a clear message) and its run
// function: runF, when tests pass one, or RunAction.
func SetUpAction(cmd *cobra.Command, f *factory.Factory, o *ActionOptions, destructive bool, runF func(context.Context, *ActionOptions) error) {
	cmd.Flags().BoolVar(&o.Wait, "wait", false, "poll until the node reaches the expected state (deadline: --timeout)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "check and show what would be done; send nothing that changes state")
	cmd.Flags().BoolVar(&o.Force, "force", false, "allow detaching or promoting away the primary or the last up node")
	if o.Action == Attach {
		cmd.Flags().Lookup("force").Usage = "attach even a node that may have missed writes (native replication, snapshot isolation)"
	} else if !destructive {
		cmd.Flags().MarkHidden("force")
	}
	// Checked before the command runs, so that no command can forget it.
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if o.DryRun && o.Wait {
			return exitcode.Usage(errors.New("--dry-run and --wait cannot be combined: a dry run changes nothing, so there is nothing to wait for"))
		}
		if o.Force && !destructive && o.Action != Attach {
			return exitcode.Usage(fmt.Errorf("--force is only for detach, promote and attach; %s is not destructive", cmd.Name()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var err error
		if o.Settings, err = f.Settings(); err != nil {
			return err
		}
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return RunAction(cmd.Context(), o)
	}
}

func describe(n *output.Node) string {
	s := fmt.Sprintf("node %d (%s", n.ID, n.Addr())
	if r := n.RoleName(); r != "" {
		s += ", " + r
	}
	return s + ", " + n.StatusName() + ")"
}

// errNothingToDo ends the action successfully without sending anything.
type nothingToDo struct{ msg string }

func (e *nothingToDo) Error() string { return e.msg }

// spec is what one action does differently; the rest of RunAction is the
// same for all four. Adding an action means one row in actions.
type spec struct {
	progress string // the live line's verb
	goal     string // the state --wait waits for
	reached  func(n *output.Node) bool
	// check applies the action's safety rules; it only reads.
	check func(o *ActionOptions, l *output.NodeList, n *output.Node, refuse func(string, ...any) error) error
	send  func(ctx context.Context, c *client.Conn, o *ActionOptions) error
	// timeout is the deadline without --timeout, 0 for the usual one:
	// pgpool answers the long operations only once they are over.
	timeout func(o *ActionOptions) time.Duration
	// recovery: pgpool runs the recovery stages of the mode before it
	// answers, and its answer already says the node is up, so the outcome
	// is reported as after --wait.
	recovery bool
	// movesPrimary: the outcome names the old primary too.
	movesPrimary bool
}

// longIf is LongTimeout when the action takes that long, else the usual.
func longIf(long bool) time.Duration {
	if long {
		return client.LongTimeout
	}
	return 0
}

// A fixed array, not a map: it is laid out at build time, so pcp_* and
// every other command pay nothing for it at start-up.
var actions = [...]struct {
	action Action
	spec
}{
	{action: Attach, spec: spec{
		progress: "attaching", goal: "up", reached: (*output.Node).IsUp,
		check: func(o *ActionOptions, l *output.NodeList, n *output.Node, refuse func(string, ...any) error) error {
			if n.IsUp() {
				return &nothingToDo{fmt.Sprintf("%s is already attached; nothing was sent", describe(n))}
			}
			if h := n.Health(); !o.Force {
				if why := health.AttachRefusal(l.Health().EffectiveMode(), &h); why != "" {
					return refuse("%s", why)
				}
			}
			return nil
		},
		send: func(ctx context.Context, c *client.Conn, o *ActionOptions) error { return c.AttachNode(ctx, o.ID) },
	}},
	{action: Recover, spec: spec{
		progress: "recovering", goal: "up", reached: (*output.Node).IsUp, recovery: true,
		check: func(o *ActionOptions, l *output.NodeList, n *output.Node, _ func(string, ...any) error) error {
			if n.IsUp() {
				return exitcode.Usage(fmt.Errorf("cannot recover %s: it is up; only a detached node can be recovered; nothing was sent", describe(n)))
			}
			return nil
		},
		send:    func(ctx context.Context, c *client.Conn, o *ActionOptions) error { return c.RecoverNode(ctx, o.ID) },
		timeout: func(*ActionOptions) time.Duration { return client.RecoveryTimeout },
	}},
	{action: Detach, spec: spec{
		progress: "detaching", goal: "down", reached: (*output.Node).IsDown,
		check: func(o *ActionOptions, l *output.NodeList, n *output.Node, refuse func(string, ...any) error) error {
			switch {
			case n.IsDown():
				return &nothingToDo{fmt.Sprintf("%s is already detached; nothing was sent", describe(n))}
			case o.Force:
				return nil
			case l.Lead() == n:
				return refuse("it is the %s", n.RoleName())
			case n.IsUp() && l.Up() == 1:
				return refuse("it is the last node up")
			}
			return nil
		},
		send: func(ctx context.Context, c *client.Conn, o *ActionOptions) error {
			return c.DetachNode(ctx, o.ID, o.Graceful)
		},
		timeout: func(o *ActionOptions) time.Duration { return longIf(o.Graceful) },
	}},
	{action: Promote, spec: spec{
		progress: "promoting", goal: "primary",
		reached: func(n *output.Node) bool { return n.Info.Role == 2 && n.IsUp() },
		check: func(o *ActionOptions, l *output.NodeList, n *output.Node, refuse func(string, ...any) error) error {
			// Whatever --force says: pgpool itself refuses.
			if why := health.PromoteRefusal(l.Health().EffectiveMode()); why != "" {
				return exitcode.Usage(fmt.Errorf("cannot promote %s: %s; nothing was sent", describe(n), why))
			}
			primary := l.Primary()
			switch {
			case primary == n && n.Info.Role == 2:
				return &nothingToDo{fmt.Sprintf("%s is already the primary; nothing was sent", describe(n))}
			case o.Force:
				return nil
			case !n.IsUp():
				return refuse("it is not up")
			case primary != nil && primary != n:
				// (--switchover never gets here: runSwitchover has its own checks.)
				return refuse("node %d (%s) is the primary and pgpool would stop treating it as primary", primary.ID, primary.Addr())
			}
			return nil
		},
		send: func(ctx context.Context, c *client.Conn, o *ActionOptions) error {
			return c.PromoteNode(ctx, o.ID, o.Graceful, o.Switchover)
		},
		timeout:      func(o *ActionOptions) time.Duration { return longIf(o.Switchover || o.Graceful) },
		movesPrimary: true,
	}},
}

func (o *ActionOptions) spec() spec {
	for _, a := range actions {
		if a.action == o.Action {
			return a.spec
		}
	}
	panic("no such action: " + string(o.Action))
}

// check applies the safety rules; it only reads.
func (o *ActionOptions) check(l *output.NodeList) error {
	n := &l.Nodes[o.ID]
	refuse := func(format string, args ...any) error {
		return exitcode.Usage(fmt.Errorf("refusing to %s %s: %s; nothing was sent (use --force to override)", o.Action, describe(n), fmt.Sprintf(format, args...)))
	}
	return o.spec().check(o, l, n, refuse)
}

// reached reports whether the node is where the action should leave it.
func (o *ActionOptions) reached(n *output.Node) bool { return o.spec().reached(n) }

func (o *ActionOptions) goal() string { return o.spec().goal }

func state(n *output.Node) string {
	if r := n.RoleName(); r != "" {
		return n.StatusName() + ", " + r
	}
	return n.StatusName()
}

// defaultTimeout is the deadline without --timeout: pgpool answers a
// recovery, a graceful detach or promote and a switchover only once it is
// over.
func (o *ActionOptions) defaultTimeout(s *factory.Settings) time.Duration {
	if t := o.spec().timeout; !s.TimeoutSet && t != nil && t(o) > 0 {
		return t(o)
	}
	return s.Timeout
}

// open connects and reads every node, with o.ID checked against them, so
// that an action never sends anything for a node pgpool does not have.
func (o *ActionOptions) open(ctx context.Context) (*client.Conn, []pcp.NodeInfo, error) {
	conn, err := o.Factory.Connect(ctx, o.Settings)
	if err != nil {
		return nil, nil, err
	}
	infos, err := Nodes(ctx, conn, o.Settings)
	if err == nil {
		err = CheckNodeID(o.ID, infos)
	}
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, infos, nil
}

// RunAction performs one action with its checks, dry run and wait.
func RunAction(ctx context.Context, o *ActionOptions) error {
	if o.Action == Promote && o.Switchover {
		return runSwitchover(ctx, o)
	}
	s := o.Settings
	conn, infos, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	before := output.NewNodeList(infos, nil)
	before.Mode = Mode(ctx, conn, s, infos)
	n := &before.Nodes[o.ID]
	if err := o.check(before); err != nil {
		var nd *nothingToDo
		if errors.As(err, &nd) {
			fmt.Fprintln(o.IO.Out, nd.msg)
			return nil
		}
		return err
	}
	verb := string(o.Action)
	if o.DryRun {
		extra := ""
		if o.Graceful {
			extra = " gracefully"
		}
		fmt.Fprintf(o.IO.Out, "would %s %s%s; dry run, nothing was sent\n", verb, describe(n), extra)
		return nil
	}

	actx, cancel := context.WithTimeout(ctx, o.defaultTimeout(s))
	start := time.Now()
	stages := ""
	if o.spec().recovery {
		stages = health.RecoveryStages(before.Health().EffectiveMode())
	}
	stop := o.progress(fmt.Sprintf("%s node %d", o.spec().progress, o.ID), start, stages)
	err = o.spec().send(actx, conn, o)
	stop()
	cancel()
	if err != nil {
		return exitcode.FromClient(err)
	}
	if !o.Wait && !o.spec().recovery {
		fmt.Fprintf(o.IO.Out, "%s: %s requested, pgpool accepted it (was %s); --wait confirms the change\n", describe(n), verb, state(n))
		return nil
	}
	// Close before waiting: pgpool finishes a failover or failback only
	// after every PCP session has ended (its PCP process restarts), so a
	// session held open would block the very change we wait for.
	conn.Close()
	after, err := o.wait(ctx, start)
	if err != nil {
		return err
	}
	an := &after.Nodes[o.ID]
	fmt.Fprintf(o.IO.Out, "node %d (%s): %s → %s after %s\n", o.ID, n.Addr(), state(n), state(an), elapsed(time.Since(start)))
	if o.spec().movesPrimary {
		if p := before.Lead(); p != nil && p != n {
			fmt.Fprintf(o.IO.Out, "node %d (%s): %s → %s\n", p.ID, p.Addr(), state(p), state(&after.Nodes[p.ID]))
		}
	}
	return nil
}

func elapsed(d time.Duration) string {
	return d.Round(100 * time.Millisecond).String()
}

// progress shows a live line on a terminal until stop is called.
func (o *ActionOptions) progress(what string, start time.Time, stages string) (stop func()) {
	if !o.IO.IsStdoutTTY() {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			stage := ""
			if stages != "" {
				stage = " (pgpool runs the recovery stages: " + stages + ")"
			}
			fmt.Fprintf(o.IO.ErrOut, "\r\x1b[K%s: %s%s", what, elapsed(time.Since(start)), stage)
			select {
			case <-done:
				io.WriteString(o.IO.ErrOut, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// wait polls until the node reaches the goal, under --timeout. Each poll is
// a short session of its own: pgpool's failover and failback wait for
// every open PCP session to end before they complete.
func (o *ActionOptions) wait(ctx context.Context, start time.Time) (*output.NodeList, error) {
	s := o.Settings
	wctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	deadline, _ := wctx.Deadline()
	interval := o.PollInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	tty := o.IO.IsStdoutTTY()
	defer func() {
		if tty {
			io.WriteString(o.IO.ErrOut, "\r\x1b[K")
		}
	}()
	poll := *s
	poll.Timeout = min(s.Timeout, PollTimeout)
	last := "unknown"
	for {
		infos, err := o.pollOnce(wctx, &poll)
		if err == nil && o.ID < len(infos) {
			l := output.NewNodeList(infos, nil)
			n := &l.Nodes[o.ID]
			if o.reached(n) {
				return l, nil
			}
			last = state(n)
		} else if err != nil && wctx.Err() == nil && time.Now().Before(deadline) {
			// (A socket deadline can fire a moment before the context's
			// timer does; that is the overall timeout, not an outage.)
			if code := exitcode.FromClient(err).(*exitcode.Error).Code; code == exitcode.Connection {
				last = "pgpool unreachable"
			} else {
				return nil, err
			}
		}
		if tty {
			fmt.Fprintf(o.IO.ErrOut, "\r\x1b[Kwaiting for node %d to be %s: %s (now %s)", o.ID, o.goal(), elapsed(time.Since(start)), last)
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return nil, &exitcode.Error{Code: exitcode.Failure, Err: errors.New("interrupted")}
			}
			return nil, &exitcode.Error{Code: exitcode.Connection, Err: fmt.Errorf("timed out after %s waiting for node %d to be %s (still %s); raise --timeout to wait longer", s.Timeout, o.ID, o.goal(), last)}
		case <-time.After(interval):
		}
	}
}

// pollOnce reads the node list in a session of its own.
func (o *ActionOptions) pollOnce(ctx context.Context, s *factory.Settings) ([]pcp.NodeInfo, error) {
	c, err := o.Factory.ConnectQuiet(ctx, s)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return Nodes(ctx, c, s)
}

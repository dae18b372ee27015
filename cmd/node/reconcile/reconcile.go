// Package reconcile implements "pcpctl node reconcile": attach again the
// nodes pgpool has down that are really fine, and only those.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/cmdutil"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/reconcile/rules"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/output"
)

// DefaultMaxLag is --max-lag's default.
const DefaultMaxLag = rules.DefaultMaxLag

// ReconcileOptions are reconcile's inputs.
type ReconcileOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Targets []*factory.Settings

	Apply   bool
	MaxLag  uint64
	SQLUser string
	// PollInterval is how often the attach wait re-reads the node.
	PollInterval time.Duration
}

// NewCmdReconcile builds the command; runF replaces the run function in tests.
func NewCmdReconcile(f *factory.Factory, runF func(context.Context, *ReconcileOptions) error) *cobra.Command {
	opts := &ReconcileOptions{IO: f.IOStreams, Factory: f}
	maxLag := rules.FormatBytes(DefaultMaxLag)
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Attach the detached nodes that are safe to attach (a dry run without --apply)",
		Long: `For every node pgpool has down or unused, decide whether attaching it is
safe, asking the backend and the current primary directly (pgx; user
--sql-user, else PGUSER; password from PGPASSWORD or .pgpass): the node must
be in recovery, its WAL receiver streaming from the primary's host and
port, on the primary's timeline, and its replay no more than --max-lag
behind. Refused, with the reason:
  - a node that is read-write while another primary exists (two primaries);
  - a standby that streams from elsewhere, from nowhere, or on an old timeline;
  - a node lagging beyond --max-lag;
  - every node in native replication or snapshot isolation mode (online
    recovery, pcpctl node recover, is the way back there);
  - every node when pgpool has no primary.

One line per node says what was decided and why. Without --apply nothing is
sent. With --apply the nodes that pass are attached, one by one, each
waited for (deadline: --timeout) until pgpool has it up; nothing is sent for
a refused node. With a context (or several --pgpool) each pgpool is
reconciled in turn; a node attached through one shows as up on the next
when they share state through the watchdog.

Exit status: 0 when nothing needed doing or every node found was attached
(or, in a dry run, would be); 26 when any node was refused; 3 when a pgpool
or the wait timed out.`,
		Example: `  pcpctl node reconcile                    # what would be attached, and why
  pcpctl node reconcile --apply --max-lag 1MB
  # cron, mails only on a refusal or an error:
  */5 * * * * pcpctl --context prod node reconcile --apply >/dev/null`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.MaxLag, err = rules.ParseBytes(maxLag); err != nil {
				return exitcode.Usage(fmt.Errorf("--max-lag: %v", err))
			}
			return cmdutil.RunOnTargets(cmd.Context(), f, &opts.Targets, opts, runF, reconcileRun)
		},
	}
	cmd.Flags().BoolVar(&opts.Apply, "apply", false, "attach the nodes that pass (default: a dry run that sends nothing)")
	cmd.Flags().StringVar(&maxLag, "max-lag", maxLag, "largest replay lag a standby may have to be attached: bytes, or kB, MB, GB")
	cmd.Flags().StringVar(&opts.SQLUser, "sql-user", "", "user for the backends (default: PGUSER, else the OS user)")
	return cmd
}

// Decision is one node's line.
type Decision struct {
	ID      int
	Node    *output.Node
	Verdict rules.Verdict
	// Skip: the node is up, nothing to decide.
	Skip bool
}

func reconcileRun(ctx context.Context, o *ReconcileOptions) error {
	refused, pending := 0, 0
	var failure error
	for _, s := range o.Targets {
		prefix := ""
		if len(o.Targets) > 1 {
			prefix = "pgpool " + s.Endpoint() + ": "
		}
		ds, err := o.decide(ctx, s)
		if err != nil {
			fmt.Fprintf(o.IO.Out, "%s%s\n", prefix, strings.TrimSpace(err.Error()))
			if failure == nil {
				failure = err
			}
			continue
		}
		for _, d := range ds {
			line := prefix + nodeName(d.Node) + ": "
			switch {
			case d.Skip:
				fmt.Fprintln(o.IO.Out, line+"nothing to do")
				continue
			case !d.Verdict.Attach:
				refused++
				fmt.Fprintln(o.IO.Out, line+"refused: "+d.Verdict.Reason+"; nothing was sent")
				continue
			case !o.Apply:
				pending++
				fmt.Fprintln(o.IO.Out, line+"would attach: "+d.Verdict.Reason)
				continue
			}
			fmt.Fprintln(o.IO.Out, line+"attaching: "+d.Verdict.Reason)
			if err := o.attach(ctx, s, d.ID); err != nil {
				fmt.Fprintf(o.IO.Out, "%snode %d: attach failed: %v\n", prefix, d.ID, err)
				if failure == nil {
					failure = err
				}
			}
		}
	}
	if pending > 0 {
		fmt.Fprintf(o.IO.Out, "dry run: %d node(s) would be attached; nothing was sent (--apply attaches them)\n", pending)
	}
	if failure != nil {
		return exitcode.FromClient(failure)
	}
	if refused > 0 {
		return &exitcode.Error{Code: exitcode.Refused, Err: fmt.Errorf("%d node(s) refused; nothing was sent for them", refused)}
	}
	return nil
}

// decide reads one pgpool and its backends, and applies the rules to every
// node pgpool has down or unused. It sends nothing that changes state.
func (o *ReconcileOptions) decide(ctx context.Context, s *factory.Settings) ([]Decision, error) {
	cctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	conn, err := o.Factory.Connect(cctx, s)
	if err != nil {
		return nil, exitcode.FromClient(err)
	}
	infos, err := shared.Nodes(cctx, conn, s)
	if err != nil {
		conn.Close()
		return nil, err
	}
	mode, err := shared.ClusteringMode(cctx, conn)
	conn.Close()
	if err != nil {
		return nil, exitcode.FromClient(err)
	}
	l := output.NewNodeList(infos, nil)
	primary := l.Primary()
	var ids []int
	for i := range l.Nodes {
		if !l.Nodes[i].IsUp() {
			ids = append(ids, i)
		}
	}
	if len(ids) > 0 && primary != nil {
		ids = append(ids, primary.ID)
	}
	var probes map[int]*rules.Backend
	if len(ids) > 0 && primary != nil && (mode == "streaming_replication" || mode == "") {
		probes = shared.ProbeBackends(ctx, infos, ids, o.SQLUser, s.Timeout)
	}
	var ds []Decision
	for i := range l.Nodes {
		n := &l.Nodes[i]
		d := Decision{ID: i, Node: n}
		if n.IsUp() {
			d.Skip = true
			ds = append(ds, d)
			continue
		}
		in := Input(mode, n, primary, probes, o.MaxLag)
		d.Verdict = rules.Decide(in)
		ds = append(ds, d)
	}
	return ds, nil
}

// Input gathers the rules' input for node n.
func Input(mode string, n, primary *output.Node, probes map[int]*rules.Backend, maxLag uint64) rules.Input {
	in := rules.Input{Mode: mode, MaxLag: maxLag, Node: rules.Backend{ID: n.ID, Host: n.Info.Hostname, Port: n.Info.Port}}
	if b := probes[n.ID]; b != nil {
		in.Node = *b
	}
	if primary != nil {
		in.Primary = &rules.Backend{ID: primary.ID, Host: primary.Info.Hostname, Port: primary.Info.Port, Err: "not checked"}
		if b := probes[primary.ID]; b != nil {
			in.Primary = b
		}
	}
	return in
}

// attach sends the attach and waits for it, through the action machinery.
// pgpool restarts its PCP process after each failback and drops the
// sessions open then, so a connection refused right after the previous
// attach is tried again within the deadline.
func (o *ReconcileOptions) attach(ctx context.Context, s *factory.Settings, id int) error {
	deadline := time.Now().Add(s.Timeout)
	for {
		a := &shared.ActionOptions{IO: o.IO, Factory: o.Factory, Settings: s, Action: shared.Attach, ID: id, Wait: true, PollInterval: o.PollInterval}
		err := shared.RunAction(ctx, a)
		var ee *exitcode.Error
		if err == nil || !errors.As(err, &ee) || ee.Code != exitcode.Connection || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func nodeName(n *output.Node) string {
	s := fmt.Sprintf("node %d (%s", n.ID, n.Addr())
	if r := n.RoleName(); r != "" {
		s += ", " + r
	}
	return s + ", " + n.StatusName() + ")"
}

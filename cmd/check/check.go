// Package check implements "pcpctl check": a monitoring plugin with the
// Nagios plugin conventions (Icinga, Sensu, Zabbix), judging pgpool from
// its PCP port through the same health rules as cluster status.
package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory"
	"github.com/pcpctl/pcpctl/cmd/internal/monitor"
	"github.com/pcpctl/pcpctl/cmd/iostreams"
	"github.com/pcpctl/pcpctl/cmd/node/shared"
	"github.com/pcpctl/pcpctl/health"
	"github.com/pcpctl/pcpctl/output"
	"github.com/pcpctl/pcpctl/pcp"
)

// CheckOptions are check's inputs.
type CheckOptions struct {
	IO      *iostreams.IOStreams
	Factory *factory.Factory
	Targets []*factory.Settings

	RequirePrimary bool
	Standbys       *health.Thresholds
	Lag            *health.Thresholds
	BusyChildren   *health.Thresholds
	Quorum         bool
	Backends       bool
	SQLUser        string
}

// unknown is a plugin's UNKNOWN: the message on stdout (where monitoring
// systems read it) as the status line, exit 3.
func unknown(ios *iostreams.IOStreams, err error) error {
	msg := err.Error()
	var ee *exitcode.Error
	if errors.As(err, &ee) && ee.Err != nil {
		msg = ee.Err.Error()
	}
	fmt.Fprintf(ios.Out, "PGPOOL UNKNOWN - %s\n", strings.Join(strings.Fields(msg), " "))
	return &exitcode.Error{Code: int(health.Unknown), Err: err, Silent: true}
}

// NewCmdCheck builds the command; runF replaces the run function in tests.
func NewCmdCheck(f *factory.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IOStreams, Factory: f}
	var standbys, lag, busy string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Monitoring plugin (Nagios/Icinga conventions): exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
		Long: `Judge pgpool as a monitoring plugin: one status line, then "|" and
perfdata (label=value[UOM];warn;crit;min;max), then one line per finding.

Exit status: 0 OK, 1 WARNING, 2 CRITICAL (an unreachable pgpool is
CRITICAL), 3 UNKNOWN (bad flags, or an answer that cannot be judged). These
are the plugin conventions, not pcpctl's usual exit codes.

It reads one pgpool (-h/-p), or every pgpool of a context or of --pgpool
(one PCP session each, concurrently), and applies the health rules that
cluster status applies: a node down or quarantined, pgpool against the
backend, no primary, pgpools disagreeing, quorum, watchdog members. Only
the PCP port is used, except by --backends.

Thresholds are WARN,CRIT, each in the plugin range syntax: 10 (alert
outside 0..10), 10: (below 10), ~:10 (above 10), 10:20 (outside), @10:20
(inside). Either may be left out ("5," or ",10").
  --standbys     up standbys; a bare number is a minimum (2 means 2:)
  --lag          replication delay per standby: bytes, or a duration (10s)
                 when pgpool reports delay by time (delay_threshold_by_time)
  --busy-children  per cent of pgpool's children serving a client

Outside streaming replication, where the roles are main and replica,
--standbys counts the replicas (perfdata replicas_up) and
--require-primary requires the main node (main_up).`,
		Example: `  pcpctl check -h db1 -p 9898 -U pcpadmin -w --standbys 2,1 --lag 1000000,16000000
  pcpctl check --context prod --quorum --require-primary
  pcpctl check --pgpool db1:9898 --pgpool db2:9898 --busy-children 80,95`,
		// Arguments are refused in RunE, where the refusal can be a
		// plugin's UNKNOWN on stdout: root probes Args with a made-up word.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknown(f.IOStreams, fmt.Errorf("check takes no arguments, got %q", args[0]))
			}
			var err error
			parse := func(name, v string, atLeast, durations bool) *health.Thresholds {
				if err != nil || !cmd.Flags().Changed(name) {
					return nil
				}
				t, perr := health.ParseThresholds(v, atLeast, durations)
				if perr != nil {
					err = fmt.Errorf("invalid --%s %q: %v", name, v, perr)
					return nil
				}
				return &t
			}
			opts.Standbys = parse("standbys", standbys, true, false)
			opts.Lag = parse("lag", lag, false, true)
			opts.BusyChildren = parse("busy-children", busy, false, false)
			if err != nil {
				return unknown(f.IOStreams, err)
			}
			if opts.Targets, err = f.Targets(); err != nil {
				return unknown(f.IOStreams, err)
			}
			if err := f.PreparePassword(opts.Targets); err != nil {
				return unknown(f.IOStreams, err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return unknown(f.IOStreams, err) })
	fl := cmd.Flags()
	fl.BoolVar(&opts.RequirePrimary, "require-primary", false, "CRITICAL unless a primary node is up (the main node where the roles are main and replica)")
	fl.StringVar(&standbys, "standbys", "", "WARN,CRIT minimum up standbys, or replicas outside streaming replication (e.g. 2,1)")
	fl.StringVar(&lag, "lag", "", "WARN,CRIT replication delay: bytes, or a duration under delay by time")
	fl.StringVar(&busy, "busy-children", "", "WARN,CRIT per cent of pgpool children serving a client")
	fl.BoolVar(&opts.Quorum, "quorum", false, "CRITICAL unless the watchdog has quorum and every pgpool agrees on one leader")
	fl.BoolVar(&opts.Backends, "backends", false, "connect to each backend (pgx) and check its role against pgpool's")
	fl.StringVar(&opts.SQLUser, "sql-user", "", "user for --backends (default: PGUSER, else the OS user)")
	return cmd
}

// result collects findings and perfdata.
type result struct {
	findings []health.Finding
	perf     []string
}

func (r *result) add(sev health.Severity, subj, code, text string) {
	r.findings = append(r.findings, health.Finding{Severity: sev, Subject: subj, Code: code, Text: text})
}

func (r *result) perfItem(label, value, thresholds, lo, hi string) {
	if strings.ContainsAny(label, " '=:") {
		label = "'" + strings.ReplaceAll(label, "'", "''") + "'"
	}
	r.perf = append(r.perf, label+"="+value+thresholds+";"+lo+";"+hi)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func checkRun(ctx context.Context, o *CheckOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	want := monitor.Want{Children: o.BusyChildren != nil}
	snap := monitor.Take(ctx, o.Factory, o.Targets, true, want)
	c := snap.Cluster
	if o.Backends {
		for i := range c.Pgpools {
			if p := &c.Pgpools[i]; p.Reachable() {
				timeout := o.Targets[i].Timeout
				shared.Enrich{Backends: true, User: o.SQLUser, Timeout: timeout}.Apply(ctx, p.Nodes)
			}
		}
	}
	h := c.Health()
	r := &result{findings: h.Findings()}
	judge(o, c, h, snap, r)
	return report(o.IO, c, h, r)
}

func judge(o *CheckOptions, c *output.Cluster, h *health.Cluster, snap *monitor.Snapshot, r *result) {
	multi := len(c.Pgpools) > 1
	suffix := func(i int) string {
		if multi {
			return " " + c.Pgpools[i].Endpoint
		}
		return ""
	}
	// The nodes as the first pgpool that answered sees them: the backends
	// are the same for every pgpool.
	var ref *health.Nodes
	for i := range h.Pgpools {
		if h.Pgpools[i].Reachable() {
			ref = h.Pgpools[i].Nodes
			break
		}
	}
	if ref != nil {
		r.perfItem("nodes_up", strconv.Itoa(ref.Up()), ";;", "0", strconv.Itoa(len(ref.Nodes)))
		for i := range ref.Nodes {
			n := &ref.Nodes[i]
			r.perfItem(fmt.Sprintf("node%d_status", n.ID), strconv.Itoa(n.Info.Status), ";;", "0", "3")
		}
	}
	if o.RequirePrimary {
		// Where the roles are main and replica there is no primary: the
		// main node is the one required (a healthy native cluster was
		// CRITICAL for want of a primary).
		seen, word := false, "primary"
		for i := range h.Pgpools {
			p := &h.Pgpools[i]
			if !p.Reachable() {
				continue
			}
			word = p.Nodes.LeadWord()
			seen = seen || p.Nodes.Lead() != nil
		}
		already := false
		for _, f := range r.findings {
			already = already || f.Code == health.CodeNoPrimary
		}
		if !seen && !already {
			r.add(health.Critical, "cluster", health.CodeNoPrimaryRequired, "no "+word+" node is up")
		}
		v := 0
		if seen {
			v = 1
		}
		r.perfItem(word+"_up", strconv.Itoa(v), ";;1:", "0", "1")
	}
	if t := o.Standbys; t != nil {
		worst, total, any, word := math.MaxInt, 0, false, ""
		for i := range h.Pgpools {
			p := &h.Pgpools[i]
			if !p.Reachable() {
				continue
			}
			// Outside streaming replication the replicas count: the
			// nodes besides the main one.
			n := p.Nodes.UpSecondaries()
			word = p.Nodes.SecondaryWord()
			if sev := t.Judge(float64(n)); sev != health.OK {
				r.add(sev, "pgpool"+suffix(i), health.CodeThreshold, fmt.Sprintf("%d %s up%s (%s)", n, word, onWhat(multi, c.Pgpools[i].Endpoint), describe(*t)))
			}
			worst, any = min(worst, n), true
			total = max(total, p.Nodes.Secondaries())
		}
		if any {
			r.perfItem(word+"_up", strconv.Itoa(worst), t.Perf(), "0", strconv.Itoa(total))
		}
	}
	if t := o.Lag; t != nil && ref != nil {
		for i := range ref.Nodes {
			n := &ref.Nodes[i]
			if !n.Info.Layout.Has(pcp.FieldDelay) || n.Info.Role != 3 {
				continue
			}
			byTime := n.Info.DelayByTime
			if byTime != t.Duration() {
				unit := "bytes"
				if byTime {
					unit = "time (delay_threshold_by_time)"
				}
				r.add(health.Unknown, fmt.Sprintf("node %d", n.ID), health.CodeCannotJudge,
					fmt.Sprintf("node %d: pgpool reports the replication delay by %s; give --lag in %s", n.ID, unit, map[bool]string{true: "a duration such as 10s", false: "bytes"}[byTime]))
				continue
			}
			v, uom := float64(n.Info.Delay), "B"
			if byTime {
				v, uom = float64(n.Info.Delay)/1e6, "s"
			}
			if sev := t.Judge(v); sev != health.OK && n.IsUp() {
				r.add(sev, fmt.Sprintf("node %d", n.ID), health.CodeThreshold, fmt.Sprintf("node %d (%s): replication delay %s%s (%s)", n.ID, n.Addr(), num(v), uom, describe(*t)))
			}
			r.perfItem(fmt.Sprintf("node%d_delay", n.ID), num(v)+uom, t.Perf(), "0", "")
		}
	}
	if t := o.BusyChildren; t != nil {
		for i := range c.Pgpools {
			if !c.Pgpools[i].Reachable() {
				continue
			}
			e := snap.Extra[i]
			if e.Children == nil {
				r.add(health.Unknown, "pgpool"+suffix(i), health.CodeCannotJudge, fmt.Sprintf("pgpool %s: process info failed: %s", c.Pgpools[i].Endpoint, e.ChildrenErr))
				continue
			}
			pct := 0.0
			if e.Children.Total > 0 {
				pct = math.Round(float64(e.Children.Busy)*1000/float64(e.Children.Total)) / 10
			}
			if sev := t.Judge(pct); sev != health.OK {
				r.add(sev, "pgpool"+suffix(i), health.CodeThreshold, fmt.Sprintf("%d of %d children busy (%s%%)%s (%s)", e.Children.Busy, e.Children.Total, num(pct), onWhat(multi, c.Pgpools[i].Endpoint), describe(*t)))
			}
			r.perfItem("busy_children"+suffix(i), num(pct)+"%", t.Perf(), "0", "100")
			r.perfItem("children"+suffix(i), strconv.Itoa(e.Children.Total), ";;", "0", "")
		}
	}
	if o.Quorum {
		for i := range h.Pgpools {
			p := &h.Pgpools[i]
			if !p.Reachable() {
				continue
			}
			if p.WatchdogOff {
				r.add(health.Critical, "pgpool"+suffix(i), health.CodeWatchdogOff, fmt.Sprintf("pgpool %s: watchdog is not enabled", p.Endpoint))
				continue
			}
			if p.Watchdog == nil {
				continue // the base rules already say why (UNKNOWN)
			}
			r.perfItem("quorum"+suffix(i), strconv.Itoa(p.Watchdog.QuorumStatus), ";1:;0:", "-2", "1")
			if health.LeaderName(p.Watchdog) == "no leader" && p.Watchdog.QuorumStatus != -2 {
				r.add(health.Critical, "watchdog", health.CodeNoLeader, fmt.Sprintf("pgpool %s knows no watchdog leader", p.Endpoint))
			}
		}
		if len(h.Leaders()) == 0 && h.NodeCount() >= 0 && multi {
			anyWD := false
			for i := range h.Pgpools {
				anyWD = anyWD || h.Pgpools[i].Watchdog != nil
			}
			if anyWD {
				r.add(health.Critical, "watchdog", health.CodeNoLeader, "no pgpool checked claims to be the watchdog leader")
			}
		}
	}
}

func onWhat(multi bool, ep string) string {
	if multi {
		return " on " + ep
	}
	return ""
}

// describe words the thresholds an operator set.
func describe(t health.Thresholds) string {
	var parts []string
	if t.Warn != nil {
		parts = append(parts, "warning "+t.Warn.Text)
	}
	if t.Crit != nil {
		parts = append(parts, "critical "+t.Crit.Text)
	}
	return strings.Join(parts, ", ")
}

func report(ios *iostreams.IOStreams, c *output.Cluster, h *health.Cluster, r *result) error {
	sev := health.Worst(r.findings)
	var line string
	if sev == health.OK {
		line = okSummary(h)
	} else {
		// The worst finding leads the status line; the rest are below.
		for _, f := range r.findings {
			if f.Severity == sev {
				line = f.Text
				break
			}
		}
		if n := len(r.findings) - 1; n > 0 {
			line += fmt.Sprintf(" (and %d more)", n)
		}
	}
	var b strings.Builder
	b.WriteString("PGPOOL " + sev.String() + " - " + line)
	if len(r.perf) > 0 {
		b.WriteString(" | " + strings.Join(r.perf, " "))
	}
	b.WriteByte('\n')
	for _, f := range r.findings {
		b.WriteString(f.Severity.String() + ": " + f.Text + "\n")
	}
	fmt.Fprint(ios.Out, b.String())
	if sev == health.OK {
		return nil
	}
	return &exitcode.Error{Code: int(sev), Err: errors.New(sev.String()), Silent: true}
}

func okSummary(h *health.Cluster) string {
	reach := 0
	var ref *health.Nodes
	for i := range h.Pgpools {
		if h.Pgpools[i].Reachable() {
			reach++
			if ref == nil {
				ref = h.Pgpools[i].Nodes
			}
		}
	}
	s := ""
	if len(h.Pgpools) > 1 {
		s = fmt.Sprintf("%d/%d pgpools agree, ", reach, len(h.Pgpools))
	}
	if ref == nil {
		return s + "no pgpool answered"
	}
	s += fmt.Sprintf("%d/%d nodes up", ref.Up(), len(ref.Nodes))
	if p := ref.Lead(); p != nil {
		// main outside streaming replication, where pgpool has no primary.
		s += fmt.Sprintf(", %s node %d (%s)", p.RoleName(), p.ID, p.Addr())
	}
	if ref.Streaming() {
		s += fmt.Sprintf(", %d standbys up", ref.UpStandbys())
	}
	if l := h.Leaders(); len(l) == 1 {
		s += ", watchdog leader " + l[0]
	}
	return s
}

package shared

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcpctl/pcpctl/cmd/exitcode"
	"github.com/pcpctl/pcpctl/cmd/factory/factorytest"
	"github.com/pcpctl/pcpctl/pcp"
	"github.com/pcpctl/pcpctl/pcp/pcptest"
)

func pgpool(t *testing.T) (*pcptest.Server, *pcptest.Pgpool) {
	p := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: pcptest.ThreeNodes()}
	return pcptest.NewServer(t, p.Serve), p
}

func action(t *testing.T, srv *pcptest.Server, a Action, id int) (*ActionOptions, *factorytest.Streams) {
	f, st := factorytest.New(t, srv, "pcpadmin", "pw", nil)
	return &ActionOptions{IO: f.IOStreams, Factory: f, Settings: factorytest.Settings(t, f), Action: a, ID: id, PollInterval: 10 * time.Millisecond}, st
}

func code(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitcode.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return -1
}

var elapsedRE = regexp.MustCompile(`after [0-9.]+m?s`)

func TestDetachRefusals(t *testing.T) {
	srv, p := pgpool(t)
	// The primary.
	o, st := action(t, srv, Detach, 0)
	err := RunAction(context.Background(), o)
	if code(err) != exitcode.UsageError || err.Error() != "refusing to detach node 0 (127.0.0.1:15432, primary, up): it is the primary; nothing was sent (use --force to override)" {
		t.Errorf("detach primary: %v (code %d)", err, code(err))
	}
	if st.Out.Len() != 0 {
		t.Errorf("stdout %q", st.Out)
	}
	// The last node up.
	nodes := pcptest.ThreeNodes()
	nodes[0].Status, nodes[1].Status = 3, 3
	p2 := &pcptest.Pgpool{User: "pcpadmin", Password: "pw", Layout: pcp.Layout43Q, Nodes: nodes}
	srv2 := pcptest.NewServer(t, p2.Serve)
	o, _ = action(t, srv2, Detach, 2)
	err = RunAction(context.Background(), o)
	if code(err) != exitcode.UsageError || !strings.Contains(err.Error(), "it is the last node up") {
		t.Errorf("detach last: %v", err)
	}
	// Out of range.
	o, _ = action(t, srv, Detach, 5)
	err = RunAction(context.Background(), o)
	if code(err) != exitcode.UsageError || err.Error() != "node 5 does not exist: pgpool has 3 nodes (0-2)" {
		t.Errorf("detach 5: %v", err)
	}
	if len(p.Log()) != 0 || len(p2.Log()) != 0 {
		t.Errorf("actions sent: %v %v", p.Log(), p2.Log())
	}
	// --force detaches the primary.
	o, st = action(t, srv, Detach, 0)
	o.Force, o.Wait = true, true
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := elapsedRE.ReplaceAllString(st.Out.String(), "after X"); got != "node 0 (127.0.0.1:15432): up, primary → down, primary after X\n" {
		t.Errorf("stdout %q", got)
	}
	if strings.Join(p.Log(), ",") != "D 0" {
		t.Errorf("log %v", p.Log())
	}
}

func TestDetachDryRunAndWait(t *testing.T) {
	srv, p := pgpool(t)
	o, st := action(t, srv, Detach, 2)
	o.DryRun = true
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if st.Out.String() != "would detach node 2 (127.0.0.1:15434, standby, up); dry run, nothing was sent\n" || len(p.Log()) != 0 {
		t.Errorf("dry run: %q, log %v", st.Out, p.Log())
	}
	o, st = action(t, srv, Detach, 2)
	o.Graceful = true
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if st.Out.String() != "node 2 (127.0.0.1:15434, standby, up): detach requested, pgpool accepted it (was up, standby); --wait confirms the change\n" {
		t.Errorf("stdout %q", st.Out)
	}
	// Again: already down, nothing sent.
	o, st = action(t, srv, Detach, 2)
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if st.Out.String() != "node 2 (127.0.0.1:15434, standby, down) is already detached; nothing was sent\n" {
		t.Errorf("stdout %q", st.Out)
	}
	// Attach back with --wait: waiting counts as up.
	o, st = action(t, srv, Attach, 2)
	o.Wait = true
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := elapsedRE.ReplaceAllString(st.Out.String(), "after X"); got != "node 2 (127.0.0.1:15434): down, standby → waiting, standby after X\n" {
		t.Errorf("stdout %q", got)
	}
	if strings.Join(p.Log(), ",") != "d 2,C 2" && strings.Join(p.Log(), ",") != "D 2,C 2" {
		t.Errorf("log %v", p.Log())
	}
	// Attach of an attached node: nothing sent.
	o, st = action(t, srv, Attach, 1)
	if err := RunAction(context.Background(), o); err != nil || !strings.Contains(st.Out.String(), "already attached; nothing was sent") {
		t.Errorf("attach up node: %v %q", err, st.Out)
	}
	if len(p.Log()) != 2 {
		t.Errorf("log %v", p.Log())
	}
}

func TestRecover(t *testing.T) {
	srv, p := pgpool(t)
	o, _ := action(t, srv, Recover, 1)
	if err := RunAction(context.Background(), o); code(err) != exitcode.UsageError || !strings.Contains(err.Error(), "it is up") {
		t.Errorf("recover up node: %v", err)
	}
	o, _ = action(t, srv, Detach, 2)
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	o, st := action(t, srv, Recover, 2)
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := elapsedRE.ReplaceAllString(st.Out.String(), "after X"); got != "node 2 (127.0.0.1:15434): down, standby → waiting, standby after X\n" {
		t.Errorf("stdout %q", got)
	}
	if strings.Join(p.Log(), ",") != "D 2,O 2" {
		t.Errorf("log %v", p.Log())
	}
}

// promoter is a fake pgpool that knows promote ('J'/'j'); with apply it
// moves the primary role, otherwise it accepts and changes nothing.
type promoter struct {
	mu    sync.Mutex
	nodes []pcp.NodeInfo
	apply bool
	log   []string
}

func (p *promoter) serve(s *pcptest.Session) {
	if !s.Authenticate("pcpadmin", "pw", false) {
		return
	}
	for {
		kind, payload, err := s.Read()
		if err != nil || kind == 'X' {
			return
		}
		p.mu.Lock()
		switch kind {
		case 'I':
			msgs := []pcp.BackendMessage{&pcp.NodeInfoReply{Tag: "ArraySize", Count: len(p.nodes)}}
			for _, n := range p.nodes {
				msgs = append(msgs, &pcp.NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: n})
			}
			s.Send(append(msgs, &pcp.NodeInfoReply{Tag: "CommandComplete"})...)
		case 'J', 'j':
			var m pcp.PromoteNode
			m.Decode(payload)
			p.log = append(p.log, string(kind)+" "+string(payload[:1]))
			if p.apply {
				for i := range p.nodes {
					p.nodes[i].Role = 3
				}
				p.nodes[payload[0]-'0'].Role = 2
			}
			s.Send(&pcp.CommandComplete{Kind: 'd', Tag: "CommandComplete"})
		}
		p.mu.Unlock()
	}
}

// calls is the log of promote requests; the server's goroutine appends to it.
func (p *promoter) calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func TestPromote(t *testing.T) {
	p := &promoter{nodes: pcptest.ThreeNodes(), apply: true}
	srv := pcptest.NewServer(t, p.serve)
	o, _ := action(t, srv, Promote, 1)
	err := RunAction(context.Background(), o)
	if code(err) != exitcode.UsageError || err.Error() != "refusing to promote node 1 (127.0.0.1:15433, standby, up): node 0 (127.0.0.1:15432) is the primary and pgpool would stop treating it as primary; nothing was sent (use --force to override)" {
		t.Errorf("promote: %v", err)
	}
	o, st := action(t, srv, Promote, 1)
	o.Force, o.Wait = true, true
	if err := RunAction(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	want := "node 1 (127.0.0.1:15433): up, standby → up, primary after X\nnode 0 (127.0.0.1:15432): up, primary → up, standby\n"
	if got := elapsedRE.ReplaceAllString(st.Out.String(), "after X"); got != want {
		t.Errorf("stdout %q", got)
	}
	o, st = action(t, srv, Promote, 1)
	if err := RunAction(context.Background(), o); err != nil || !strings.Contains(st.Out.String(), "already the primary; nothing was sent") {
		t.Errorf("promote primary: %v %q", err, st.Out)
	}
	if got := strings.Join(p.calls(), ","); got != "J 1" {
		t.Errorf("log %v", got)
	}
}

func TestWaitDeadline(t *testing.T) {
	p := &promoter{nodes: pcptest.ThreeNodes()}
	srv := pcptest.NewServer(t, p.serve)
	o, st := action(t, srv, Promote, 2)
	o.Force, o.Wait = true, true
	o.Settings.Timeout = 150 * time.Millisecond
	o.IO.SetStdoutTTY(true)
	start := time.Now()
	err := RunAction(context.Background(), o)
	if code(err) != exitcode.Connection || err.Error() != "timed out after 150ms waiting for node 2 to be primary (still up, standby); raise --timeout to wait longer" {
		t.Errorf("err %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	if !strings.Contains(st.ErrOut.String(), "waiting for node 2 to be primary: ") || !strings.Contains(st.ErrOut.String(), "(now up, standby)") {
		t.Errorf("no progress on the terminal: %q", st.ErrOut)
	}
}

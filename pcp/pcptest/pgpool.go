package pcptest

import (
	"fmt"
	"sync"

	"github.com/pcpctl/pcpctl/pcp"
)

// Pgpool answers PCP like a pgpool release would: its node records use
// Layout (which also picks 4.3+ multi-record framing), and with Legacy it
// speaks the 3.0–3.4 protocol ('e' errors, 'r' AuthenticationFailed, the
// fixed-field watchdog reply, "CommandFailed" for refused detaches).
type Pgpool struct {
	User, Password string
	Layout         pcp.Layout
	Legacy         bool
	Nodes          []pcp.NodeInfo
	// Watchdog is the 3.5+ cluster; nil means watchdog is disabled.
	Watchdog *pcp.WatchdogCluster
	// LegacyWatchdog answers a 3.3–3.4 'W' for index 0 (this pgpool); nil
	// means disabled. LegacyOthers answer indexes 1.. (other_pgpool_hostname0..);
	// any other index gets 'e' "Invalid watchdog index".
	LegacyWatchdog *pcp.LegacyWatchdog
	LegacyOthers   []pcp.LegacyWatchdog
	// RefuseDetach makes detach fail as the server would refuse it.
	RefuseDetach bool

	mu  sync.Mutex
	log []string
}

// Log lists the actions the server carried out ("D 1", "C 1", "O 2").
func (p *Pgpool) Log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *Pgpool) record(kind byte, id int) {
	p.mu.Lock()
	p.log = append(p.log, fmt.Sprintf("%c %d", kind, id))
	p.mu.Unlock()
}

// Serve is a Server handler.
func (p *Pgpool) Serve(s *Session) {
	if !s.Authenticate(p.User, p.Password, p.Legacy) {
		return
	}
	for {
		kind, payload, err := s.Read()
		if err != nil || kind == 'X' {
			return
		}
		if !p.handle(s, kind, payload) {
			return
		}
	}
}

func (p *Pgpool) fail(s *Session, legacyText, msg, detail string) {
	if p.Legacy {
		s.Send(&pcp.LegacyError{Message: legacyText})
		return
	}
	s.Send(Error("ERROR", msg, detail))
}

func (p *Pgpool) validID(id int) bool { return id >= 0 && id < len(p.Nodes) }

func (p *Pgpool) handle(s *Session, kind byte, payload []byte) bool {
	idText, _, _ := cutString(payload)
	id := pcp.Atoi(idText)
	switch kind {
	case 'L':
		s.Send(&pcp.NodeCount{Tag: "CommandComplete", Count: len(p.Nodes), HasCount: true})
	case 'I':
		p.nodeInfo(s, idText, id)
	case 'C', 'D', 'd', 'O':
		reply := byte('c')
		if kind == 'D' || kind == 'd' {
			reply = 'd'
		}
		if !p.validID(id) {
			switch kind {
			case 'O':
				p.fail(s, "recovery failed", "process recovery request failed", "node id "+idText+" is not valid")
			case 'C':
				p.fail(s, "Invalid Node ID", "invalid failback request", "node id:"+idText+" is not valid")
			default:
				p.fail(s, "Invalid Node ID", "invalid degenerate backend request", "node id:"+idText+" is not valid")
			}
			return true
		}
		if (kind == 'D' || kind == 'd') && p.RefuseDetach {
			if p.Legacy {
				s.Send(&pcp.CommandComplete{Kind: 'd', Tag: "CommandFailed"})
			} else {
				s.Send(Error("ERROR", "invalid degenerate backend request", "node id: "+idText+" is the primary"))
			}
			return true
		}
		p.record(kind, id)
		p.mu.Lock()
		switch kind {
		case 'D', 'd':
			p.Nodes[id].Status = 3
		case 'C', 'O':
			p.Nodes[id].Status = 1
		}
		p.mu.Unlock()
		s.Send(&pcp.CommandComplete{Kind: reply, Tag: "CommandComplete"})
	case 'W':
		p.watchdog(s, id)
	default:
		if !p.Legacy {
			s.Send(Error("FATAL", "unknown PCP packet type", ""))
		}
		return false
	}
	return true
}

func (p *Pgpool) nodeInfo(s *Session, idText string, id int) {
	p.mu.Lock()
	nodes := append([]pcp.NodeInfo(nil), p.Nodes...)
	p.mu.Unlock()
	for i := range nodes {
		nodes[i].Layout = p.Layout
	}
	multi := p.Layout.MultiRecord()
	if !(p.validID(id) || (multi && id == -1)) {
		detail := "invalid node ID"
		if multi {
			detail = "invalid node ID : " + idText
		}
		p.fail(s, "Invalid Node ID", "informing node info failed", detail)
		return
	}
	if !multi {
		s.Send(&pcp.NodeInfoReply{Tag: "CommandComplete", HasNode: true, Node: nodes[id]})
		return
	}
	sel := nodes
	if id >= 0 {
		sel = nodes[id : id+1]
	}
	msgs := []pcp.BackendMessage{&pcp.NodeInfoReply{Tag: "ArraySize", Count: len(sel)}}
	for i := range sel {
		msgs = append(msgs, &pcp.NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: sel[i]})
	}
	msgs = append(msgs, &pcp.NodeInfoReply{Tag: "CommandComplete"})
	s.Send(msgs...)
}

func (p *Pgpool) watchdog(s *Session, id int) {
	if p.Legacy {
		if p.LegacyWatchdog == nil {
			s.Send(&pcp.LegacyError{Message: "watchdog not enabled"})
			return
		}
		w := p.LegacyWatchdog
		if id != 0 {
			if id < 1 || id > len(p.LegacyOthers) {
				s.Send(&pcp.LegacyError{Message: "Invalid watchdog index"})
				return
			}
			w = &p.LegacyOthers[id-1]
		}
		s.Send(&pcp.WatchdogInfo{Tag: "CommandComplete", Legacy: w})
		return
	}
	if p.Watchdog == nil {
		s.Send(Error("ERROR", "PCP: informing watchdog info failed", "watchdog is not enabled"))
		return
	}
	c := *p.Watchdog
	if id >= 0 {
		c.Nodes = nil
		for _, n := range p.Watchdog.Nodes {
			if n.ID == id {
				c.Nodes = append(c.Nodes, n)
			}
		}
		if len(c.Nodes) == 0 {
			c.Nodes = []pcp.WatchdogNode{{ID: -1, State: -1, NodeName: "Not_Set", HostName: "Not_Set", StateName: "Not_Set", DelegateIP: "Not_Set", Membership: -1, MembershipString: "Not_Set"}}
		}
	}
	s.Send(&pcp.WatchdogInfo{Tag: "CommandComplete", Cluster: &c})
}

func cutString(b []byte) (string, []byte, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return string(b), nil, false
}

// ThreeNodes is a streaming-replication cluster as a 4.3.5 pgpool reports
// it: a primary and two standbys on 127.0.0.1.
func ThreeNodes() []pcp.NodeInfo {
	nodes := make([]pcp.NodeInfo, 3)
	for i := range nodes {
		role, pgRole, repl, sync := 3, "standby", "streaming", "async"
		if i == 0 {
			role, pgRole, repl, sync = 2, "primary", "", ""
		}
		nodes[i] = pcp.NodeInfo{
			Hostname: "127.0.0.1", Port: 15432 + i, Status: 2, PgStatus: "up",
			Weight: float64(pcp.RandMax) / 3, Role: role, PgRole: pgRole,
			ReplicationState: repl, ReplicationSyncState: sync,
			StatusChanged: 1764000000, Layout: pcp.Layout43Q,
		}
	}
	return nodes
}

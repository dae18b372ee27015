package pcptest

import (
	"fmt"
	"strconv"
	"sync"
	"time"

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
	// Processes are 4.3+ process info records (17 strings, one per
	// connection slot, the child's pid first), answering 'N' and 'P'.
	Processes [][]string
	// Config answers pcp_pool_status ('B').
	Config []ConfigRow
	// Release46 answers 4.6's log rotation ('V') and query cache
	// invalidation ('G'), refusing them as 4.6 does when LoggingCollector
	// or QueryCache is off; without it they are unknown packet types, as
	// for 4.3.5.
	Release46                    bool
	LoggingCollector, QueryCache bool

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
	case 'Z', 'T', 't', 'J', 'j', 'V':
		if len(payload) == 0 {
			return false // pgpool would read garbage; the fake just hangs up
		}
	}
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
	case 'N':
		s.Send(&pcp.ProcessCount{Tag: "CommandComplete", PIDs: p.pids()})
	case 'P':
		p.processInfo(s, id)
	case 'B':
		p.poolStatus(s)
	case 'H':
		p.health(s, id)
	case 'J', 'j':
		p.promote(s, kind, id, payload)
	case 'Z':
		p.recordText(fmt.Sprintf("Z %c", payload[0]))
		s.Send(&pcp.CommandComplete{Kind: 'z', Tag: "CommandComplete"})
	case 'V', 'G':
		if !p.Release46 {
			s.Send(Error("FATAL", "PCP processing request", fmt.Sprintf("unknown PCP packet type \"%c\"", kind)))
			return false
		}
		if kind == 'V' {
			if !p.LoggingCollector {
				p.fail(s, "", "process log rotation request failed", "logging_collector is disabled")
				return true
			}
			p.recordText(fmt.Sprintf("V %c", payload[0]))
			s.Send(&pcp.CommandComplete{Kind: 'v', Tag: "CommandComplete"})
			return true
		}
		if !p.QueryCache {
			p.fail(s, "", "query cache is not enabled", "")
			return true
		}
		p.recordText("G")
		s.Send(&pcp.CommandComplete{Kind: 'g', Tag: "CommandComplete"})
	case 'T', 't':
		if m := payload[0]; m != 's' && m != 'f' && m != 'i' {
			p.fail(s, "", "PCP: error while processing shutdown request", fmt.Sprintf("invalid shutdown mode \"%c\"", m))
			return true
		}
		p.recordText(fmt.Sprintf("%c %c", kind, payload[0]))
		s.Send(&pcp.CommandComplete{Kind: 't', Tag: "CommandComplete"})
		return false // pgpool goes away
	default:
		if !p.Legacy {
			s.Send(Error("FATAL", "unknown PCP packet type", ""))
		}
		return false
	}
	return true
}

// ConfigRow is one pcp_pool_status row.
type ConfigRow = pcp.ConfigItem

func (p *Pgpool) recordText(e string) {
	p.mu.Lock()
	p.log = append(p.log, e)
	p.mu.Unlock()
}

func (p *Pgpool) pids() []int {
	var pids []int
	seen := map[string]bool{}
	for _, r := range p.Processes {
		if !seen[r[0]] {
			seen[r[0]] = true
			pids = append(pids, pcp.Atoi(r[0]))
		}
	}
	return pids
}

func (p *Pgpool) processInfo(s *Session, pid int) {
	var sel [][]string
	for _, r := range p.Processes {
		if pid == 0 || pcp.Atoi(r[0]) == pid {
			sel = append(sel, r)
		}
	}
	if len(sel) == 0 && pid != 0 {
		p.fail(s, "", "informing process info failed", fmt.Sprintf("invalid process ID : %d", pid))
		return
	}
	msgs := []pcp.BackendMessage{&pcp.ProcessInfoReply{Tag: "ArraySize", Count: len(sel)}}
	for _, r := range sel {
		slot, err := pcp.ProcessSlotOf(r)
		if err != nil {
			panic(fmt.Sprintf("pcptest: %v", err))
		}
		msgs = append(msgs, &pcp.ProcessInfoReply{Tag: "ProcessInfo", Slot: slot})
	}
	s.Send(append(msgs, &pcp.ProcessInfoReply{Tag: "CommandComplete"})...)
}

func (p *Pgpool) poolStatus(s *Session) {
	msgs := []pcp.BackendMessage{&pcp.PoolStatusReply{Tag: "ArraySize", Count: len(p.Config)}}
	for _, r := range p.Config {
		msgs = append(msgs, &pcp.PoolStatusReply{Tag: "ProcessConfig", Item: r})
	}
	s.Send(append(msgs, &pcp.PoolStatusReply{Tag: "CommandComplete"})...)
}

// health answers with statistics derived from the node: a check every 10
// seconds that always succeeded, as 4.3.5 formats them.
func (p *Pgpool) health(s *Session, id int) {
	if id < 0 || id > 128 {
		p.fail(s, "", "informing health check stats info failed", fmt.Sprintf("invalid node ID %d", id))
		return
	}
	if !p.validID(id) {
		p.fail(s, "", "informing health check stats info failed", fmt.Sprintf("stats data for node ID %d does not exist", id))
		return
	}
	p.mu.Lock()
	n := p.Nodes[id]
	p.mu.Unlock()
	changed := time.Unix(n.StatusChanged, 0).UTC().Format("2006-01-02 15:04:05")
	last := time.Unix(n.StatusChanged+100, 0).UTC().Format("2006-01-02 15:04:05")
	status := map[int]string{1: "waiting", 2: "up", 3: "down"}[n.Status]
	role := map[int]string{2: "primary", 3: "standby"}[n.Role]
	s.Send(&pcp.HealthCheckStats{Tag: "CommandComplete", Stats: pcp.HealthStats{
		NodeID: strconv.Itoa(id), Hostname: n.Hostname, Port: strconv.Itoa(n.Port),
		Status: status, Role: role, LastStatusChange: changed,
		TotalCount: "10", SuccessCount: "10", FailCount: "0", SkipCount: "0",
		RetryCount: "0", AverageRetryCount: "0.000000", MaxRetryCount: "0",
		MaxDuration: "12", MinDuration: "2", AverageDuration: "4.500000",
		LastHealthCheck: last, LastSuccessfulHealthCheck: last,
	}})
}

func (p *Pgpool) promote(s *Session, kind byte, id int, payload []byte) {
	if !p.validID(id) {
		p.fail(s, "", "could not process promote request", fmt.Sprintf("node id %d is not valid", id))
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Nodes[id].Role == 2 {
		s.Send(Error("FATAL", "invalid promote request", fmt.Sprintf("specified node is already primary node, can't promote node id %d", id)))
		return
	}
	switchover := payload[len(payload)-1] == 's'
	for i := range p.Nodes {
		if p.Nodes[i].Role == 2 {
			p.Nodes[i].Role, p.Nodes[i].PgRole = 3, "standby"
			if switchover {
				p.Nodes[i].Status = 3
			}
		}
	}
	p.Nodes[id].Role, p.Nodes[id].PgRole = 2, "primary"
	opt := 'n'
	if switchover {
		opt = 's'
	}
	p.log = append(p.log, fmt.Sprintf("%c %d %c", kind, id, opt))
	s.Send(&pcp.CommandComplete{Kind: 'd', Tag: "CommandComplete"})
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
func ThreeNodes() []pcp.NodeInfo { return Nodes(3) }

// Nodes is a healthy streaming cluster of n backends (pgpool allows up to
// 128): node 0 primary, the rest async standbys, 4.3.1+ layout.
func Nodes(n int) []pcp.NodeInfo {
	nodes := make([]pcp.NodeInfo, n)
	for i := range nodes {
		role, pgRole, repl, sync := 3, "standby", "streaming", "async"
		if i == 0 {
			role, pgRole, repl, sync = 2, "primary", "", ""
		}
		nodes[i] = pcp.NodeInfo{
			Hostname: "127.0.0.1", Port: 15432 + i, Status: 2, PgStatus: "up",
			Weight: float64(pcp.RandMax) / float64(n), Role: role, PgRole: pgRole,
			ReplicationState: repl, ReplicationSyncState: sync,
			StatusChanged: 1764000000, Layout: pcp.Layout43Q,
		}
	}
	return nodes
}

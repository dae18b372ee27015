package pcp

import (
	"bytes"
	"strconv"
	"testing"
)

// Benchmarks for scripts/bench.sh (make bench); `make test` never runs
// them, and nothing here asserts a speed.

type codec interface {
	Encode(dst []byte) ([]byte, error)
	Decode(payload []byte) error
}

const benchWatchdogDoc = `{"RemoteNodeCount":2,"MemberRemoteNodeCount":2,"NodesRequireForQuorum":2,"QuorumStatus":1,"AliveNodeCount":2,"Escalated":1,"LeaderNodeName":"127.0.0.1:19910 Linux vm","LeaderHostName":"127.0.0.1","NodeCount":3,"WatchdogNodes": [{"ID":0,"State":4,"Membership":0,"MembershipString":"MEMBER","NodeName":"127.0.0.1:19910 Linux vm","HostName":"127.0.0.1","StateName":"LEADER","DelegateIP":"Not_Set","WdPort":19930,"PgpoolPort":19910,"Priority":1},{"ID":1,"State":7,"Membership":0,"MembershipString":"MEMBER","NodeName":"127.0.0.1:19911 Linux vm","HostName":"127.0.0.1","StateName":"STANDBY","DelegateIP":"Not_Set","WdPort":19931,"PgpoolPort":19911,"Priority":1},{"ID":2,"State":7,"Membership":0,"MembershipString":"MEMBER","NodeName":"127.0.0.1:19912 Linux vm","HostName":"127.0.0.1","StateName":"STANDBY","DelegateIP":"Not_Set","WdPort":19932,"PgpoolPort":19912,"Priority":1}]}`

func benchNode(i int) NodeInfo {
	role, pgRole, repl, sync := 3, "standby", "streaming", "async"
	if i == 0 {
		role, pgRole, repl, sync = 2, "primary", "", ""
	}
	return NodeInfo{Hostname: "10.0.0." + strconv.Itoa(i), Port: 5432, Status: 2, PgStatus: "up",
		Weight: 16777215.992188, Role: role, PgRole: pgRole, Delay: 1234,
		ReplicationState: repl, ReplicationSyncState: sync, StatusChanged: 1764000000, Layout: Layout43Q}
}

// benchMessages is one value of every message type, as pgpool 4.3.5 (or
// pcpctl) sends it; fresh returns an empty value to decode into.
func benchMessages(b *testing.B) []struct {
	name  string
	msg   codec
	fresh func() codec
} {
	var wd WatchdogInfo
	if err := wd.Decode(append(append([]byte("CommandComplete\x00"), benchWatchdogDoc...), 0)); err != nil {
		b.Fatal(err)
	}
	pids := make([]int, 32)
	for i := range pids {
		pids[i] = 100000 + i
	}
	procSlot, err := ProcessSlotOf([]string{"pgbench", "postgres", "2025-11-24 16:00:00", "2025-11-24 16:00:01", "3", "0", "1", "17", "1", "1", "0", "0", "Idle", "0", "0", "4242", "0"})
	if err != nil {
		b.Fatal(err)
	}
	var hc HealthStats
	for i, f := range hc.wire() {
		*f = strconv.Itoa(i)
	}
	type entry = struct {
		name  string
		msg   codec
		fresh func() codec
	}
	backend := func(kind byte) func() codec { return func() codec { return newBackendMessage(kind) } }
	return []entry{
		{"SaltRequest", &SaltRequest{}, func() codec { return &SaltRequest{} }},
		{"Salt", &Salt{Salt: [4]byte{1, 2, 3, 4}}, backend('m')},
		{"Authenticate", &Authenticate{User: "pcpadmin", Response: MD5Response("pcpadmin", "secret", [4]byte{1, 2, 3, 4})}, func() codec { return &Authenticate{} }},
		{"AuthenticationResult", &AuthenticationResult{Tag: "AuthenticationOK"}, backend('r')},
		{"NodeCountRequest", &NodeCountRequest{}, func() codec { return &NodeCountRequest{} }},
		{"NodeCount", &NodeCount{Tag: "CommandComplete", Count: 3, HasCount: true}, backend('l')},
		{"NodeInfoRequest", &NodeInfoRequest{NodeID: -1}, func() codec { return &NodeInfoRequest{} }},
		{"NodeInfoReply/ArraySize", &NodeInfoReply{Tag: "ArraySize", Count: 128}, backend('i')},
		{"NodeInfoReply/NodeInfo", &NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: benchNode(1)}, backend('i')},
		{"NodeInfoReply/CommandComplete", &NodeInfoReply{Tag: "CommandComplete"}, backend('i')},
		{"AttachNode", &AttachNode{NodeID: 1}, func() codec { return &AttachNode{} }},
		{"DetachNode", &DetachNode{NodeID: 1, Graceful: true}, func() codec { return &DetachNode{} }},
		{"RecoverNode", &RecoverNode{NodeID: 1}, func() codec { return &RecoverNode{} }},
		{"PromoteNode", &PromoteNode{NodeID: 1, Switchover: true}, func() codec { return &PromoteNode{} }},
		{"StopPgpool", &StopPgpool{Mode: 'f', Cluster: true}, func() codec { return &StopPgpool{} }},
		{"ReloadConfig", &ReloadConfig{Scope: 'c'}, func() codec { return &ReloadConfig{} }},
		{"CommandComplete", &CommandComplete{Kind: 'd', Tag: "CommandComplete"}, backend('d')},
		{"WatchdogInfoRequest", &WatchdogInfoRequest{ID: -1}, func() codec { return &WatchdogInfoRequest{} }},
		{"WatchdogInfo", &wd, backend('w')},
		{"ProcessCountRequest", &ProcessCountRequest{}, func() codec { return &ProcessCountRequest{} }},
		{"ProcessCount", &ProcessCount{Tag: "CommandComplete", PIDs: pids}, backend('n')},
		{"ProcessInfoRequest", &ProcessInfoRequest{PID: 4242}, func() codec { return &ProcessInfoRequest{} }},
		{"ProcessInfoReply", &ProcessInfoReply{Tag: "ProcessInfo", Slot: procSlot}, backend('p')},
		{"PoolStatusRequest", &PoolStatusRequest{}, func() codec { return &PoolStatusRequest{} }},
		{"PoolStatusReply", &PoolStatusReply{Tag: "ProcessConfig", Item: ConfigItem{Name: "num_init_children", Value: "32", Description: "# of children initially pre-forked"}}, backend('b')},
		{"HealthCheckRequest", &HealthCheckRequest{NodeID: 1}, func() codec { return &HealthCheckRequest{} }},
		{"HealthCheckStats", &HealthCheckStats{Tag: "CommandComplete", Stats: hc}, backend('h')},
		{"ErrorResponse", &ErrorResponse{Fields: []ErrorField{{'S', "ERROR"}, {'C', "XX000"}, {'M', "PCP: informing watchdog info failed"}, {'D', "watchdog is not enabled"}, {'F', "pcp_worker.c"}, {'L', "1158"}}}, backend('E')},
		{"LegacyError", &LegacyError{Message: "Invalid Node ID"}, backend('e')},
		{"Terminate", &Terminate{}, func() codec { return &Terminate{} }},
		{"Unknown", &Unknown{Kind: '?', Payload: []byte("x\x00")}, backend('?')},
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, m := range benchMessages(b) {
		b.Run(m.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = m.msg.Encode(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, m := range benchMessages(b) {
		raw, err := m.msg.Encode(nil)
		if err != nil {
			b.Fatal(err)
		}
		payload := raw[5:]
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if err := m.fresh().Decode(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// allNodesAnswer is pgpool's answer to "node info -1" for n backends.
func allNodesAnswer(b *testing.B, n int) []byte {
	var stream []byte
	var err error
	if stream, err = (&NodeInfoReply{Tag: "ArraySize", Count: n}).Encode(stream); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if stream, err = (&NodeInfoReply{Tag: "NodeInfo", HasNode: true, Node: benchNode(i)}).Encode(stream); err != nil {
			b.Fatal(err)
		}
	}
	if stream, err = (&NodeInfoReply{Tag: "CommandComplete"}).Encode(stream); err != nil {
		b.Fatal(err)
	}
	return stream
}

// BenchmarkNodeInfoAll reads and decodes a whole all-nodes answer through
// a Frontend, as client.NodeInfo does, at 3 and at 128 backends (pgpool's
// maximum): the cost and the allocations per node.
func BenchmarkNodeInfoAll(b *testing.B) {
	for _, n := range []int{3, 128} {
		stream := allNodesAnswer(b, n)
		b.Run(strconv.Itoa(n)+"nodes", func(b *testing.B) {
			r := bytes.NewReader(stream)
			f := NewFrontend(r, nil)
			b.ReportAllocs()
			b.SetBytes(int64(len(stream)))
			for b.Loop() {
				r.Reset(stream)
				nodes := make([]NodeInfo, 0, n)
				for {
					m, err := f.Receive()
					if err != nil {
						b.Fatal(err)
					}
					rep := m.(*NodeInfoReply)
					if rep.Tag == "CommandComplete" {
						break
					}
					if rep.HasNode {
						nodes = append(nodes, rep.Node)
					}
				}
				if len(nodes) != n {
					b.Fatalf("%d nodes", len(nodes))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
		})
	}
}

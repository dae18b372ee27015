package pcp

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// WatchdogInfoRequest ('W') asks for the watchdog cluster; ID -1 means every
// node (3.5+), 0 the local one. 3.3–3.4 servers take an index instead.
type WatchdogInfoRequest struct{ ID int }

func (WatchdogInfoRequest) Frontend() {}
func (m *WatchdogInfoRequest) Encode(dst []byte) ([]byte, error) {
	return encodeIDRequest(dst, 'W', m.ID)
}
func (m *WatchdogInfoRequest) Decode(payload []byte) (err error) {
	m.ID, err = decodeIDRequest('W', payload)
	return err
}

// WatchdogInfo ('w') is "CommandComplete" followed either by a JSON document
// (3.5+) or by the four fixed fields of 3.3–3.4.
type WatchdogInfo struct {
	Tag string
	// Legacy is set for a 3.3–3.4 reply.
	Legacy *LegacyWatchdog
	// Cluster is set for a 3.5+ JSON reply.
	Cluster *WatchdogCluster
}

func (WatchdogInfo) Backend() {}

// LegacyWatchdog is the 3.3–3.4 answer about one pgpool.
type LegacyWatchdog struct {
	Hostname   string
	PgpoolPort int
	WdPort     int
	Status     int // 1 init, 2 standby, 3 active, 4 down
}

// WatchdogCluster is the 3.5+ JSON answer.
type WatchdogCluster struct {
	RemoteNodeCount int
	// MemberRemoteNodeCount and NodesRequireForQuorum are -1 when the server
	// (before 4.3) does not send them, which is what libpcp stores too.
	MemberRemoteNodeCount int
	NodesRequireForQuorum int
	QuorumStatus          int
	AliveNodeCount        int
	Escalated             bool
	LeaderNodeName        string
	LeaderHostName        string
	// LeaderKeysAreMaster is true for 3.5–4.1 servers, which name the leader
	// MasterNodeName/MasterHostName.
	LeaderKeysAreMaster bool
	Nodes               []WatchdogNode
}

// WatchdogNode is one pgpool of the watchdog cluster.
type WatchdogNode struct {
	ID         int
	State      int
	StateName  string
	NodeName   string
	HostName   string
	DelegateIP string
	WdPort     int
	PgpoolPort int
	Priority   int
	// Membership is 0 and MembershipString "NOT-Available" when a pre-4.3
	// server leaves them out, as libpcp fills them.
	Membership       int
	MembershipString string
}

// wire mirrors the JSON keys; pointers tell a missing key from a zero.
type wireCluster struct {
	RemoteNodeCount       *int        `json:"RemoteNodeCount"`
	MemberRemoteNodeCount *int        `json:"MemberRemoteNodeCount"`
	NodesRequireForQuorum *int        `json:"NodesRequireForQuorum"`
	QuorumStatus          *int        `json:"QuorumStatus"`
	AliveNodeCount        *int        `json:"AliveNodeCount"`
	Escalated             *int        `json:"Escalated"`
	LeaderNodeName        *string     `json:"LeaderNodeName"`
	LeaderHostName        *string     `json:"LeaderHostName"`
	MasterNodeName        *string     `json:"MasterNodeName"`
	MasterHostName        *string     `json:"MasterHostName"`
	NodeCount             *int        `json:"NodeCount"`
	WatchdogNodes         *[]wireNode `json:"WatchdogNodes"`
}

type wireNode struct {
	ID               *int    `json:"ID"`
	State            *int    `json:"State"`
	Membership       *int    `json:"Membership"`
	MembershipString *string `json:"MembershipString"`
	NodeName         *string `json:"NodeName"`
	HostName         *string `json:"HostName"`
	StateName        *string `json:"StateName"`
	DelegateIP       *string `json:"DelegateIP"`
	WdPort           *int    `json:"WdPort"`
	PgpoolPort       *int    `json:"PgpoolPort"`
	Priority         *int    `json:"Priority"`
}

func (m *WatchdogInfo) Decode(payload []byte) error {
	tag, rest := firstString(payload)
	*m = WatchdogInfo{Tag: tag}
	if tag != "CommandComplete" {
		return nil
	}
	fields, err := splitStrings('w', rest)
	if err != nil {
		return err
	}
	switch {
	case len(fields) == 4:
		m.Legacy = &LegacyWatchdog{
			Hostname:   fields[0],
			PgpoolPort: Atoi(fields[1]),
			WdPort:     Atoi(fields[2]),
			Status:     Atoi(fields[3]),
		}
		return nil
	case len(fields) >= 1:
		c, err := decodeCluster([]byte(fields[0]))
		if err != nil {
			return err
		}
		m.Cluster = c
		return nil
	}
	return malformed('w', "watchdog reply has no data")
}

func decodeCluster(doc []byte) (*WatchdogCluster, error) {
	var w wireCluster
	d := json.NewDecoder(bytes.NewReader(doc))
	if err := d.Decode(&w); err != nil {
		return nil, malformed('w', "watchdog data is not valid JSON: %v", err)
	}
	need := func(name string, ok bool) error {
		if !ok {
			return malformed('w', "watchdog data lacks %s", name)
		}
		return nil
	}
	c := &WatchdogCluster{MemberRemoteNodeCount: -1, NodesRequireForQuorum: -1}
	if err := need("NodeCount", w.NodeCount != nil); err != nil {
		return nil, err
	}
	if err := need("WatchdogNodes", w.WatchdogNodes != nil); err != nil {
		return nil, err
	}
	if len(*w.WatchdogNodes) != *w.NodeCount {
		return nil, malformed('w', "NodeCount %d but %d WatchdogNodes", *w.NodeCount, len(*w.WatchdogNodes))
	}
	for _, f := range []struct {
		name string
		src  *int
		dst  *int
	}{
		{"RemoteNodeCount", w.RemoteNodeCount, &c.RemoteNodeCount},
		{"QuorumStatus", w.QuorumStatus, &c.QuorumStatus},
		{"AliveNodeCount", w.AliveNodeCount, &c.AliveNodeCount},
	} {
		if err := need(f.name, f.src != nil); err != nil {
			return nil, err
		}
		*f.dst = *f.src
	}
	if err := need("Escalated", w.Escalated != nil); err != nil {
		return nil, err
	}
	c.Escalated = *w.Escalated != 0
	if w.MemberRemoteNodeCount != nil {
		c.MemberRemoteNodeCount = *w.MemberRemoteNodeCount
	}
	if w.NodesRequireForQuorum != nil {
		c.NodesRequireForQuorum = *w.NodesRequireForQuorum
	}
	switch {
	case w.LeaderNodeName != nil && w.LeaderHostName != nil:
		c.LeaderNodeName, c.LeaderHostName = *w.LeaderNodeName, *w.LeaderHostName
	case w.MasterNodeName != nil && w.MasterHostName != nil:
		c.LeaderNodeName, c.LeaderHostName = *w.MasterNodeName, *w.MasterHostName
		c.LeaderKeysAreMaster = true
	default:
		return nil, malformed('w', "watchdog data names no leader")
	}
	c.Nodes = make([]WatchdogNode, 0, len(*w.WatchdogNodes))
	for i, wn := range *w.WatchdogNodes {
		n := WatchdogNode{MembershipString: "NOT-Available"}
		for _, f := range []struct {
			name string
			ok   bool
		}{
			{"ID", wn.ID != nil}, {"NodeName", wn.NodeName != nil}, {"HostName", wn.HostName != nil},
			{"DelegateIP", wn.DelegateIP != nil}, {"WdPort", wn.WdPort != nil},
			{"PgpoolPort", wn.PgpoolPort != nil}, {"State", wn.State != nil},
			{"StateName", wn.StateName != nil}, {"Priority", wn.Priority != nil},
		} {
			if !f.ok {
				return nil, malformed('w', "watchdog node %d lacks %s", i, f.name)
			}
		}
		n.ID, n.State, n.StateName = *wn.ID, *wn.State, *wn.StateName
		n.NodeName, n.HostName, n.DelegateIP = *wn.NodeName, *wn.HostName, *wn.DelegateIP
		n.WdPort, n.PgpoolPort, n.Priority = *wn.WdPort, *wn.PgpoolPort, *wn.Priority
		if wn.Membership != nil {
			n.Membership = *wn.Membership
		}
		if wn.MembershipString != nil {
			n.MembershipString = *wn.MembershipString
		}
		c.Nodes = append(c.Nodes, n)
	}
	return c, nil
}

// EncodeJSON renders the cluster the way pgpool does (compact, leader keys by
// dialect, membership keys only when known), for fixtures and fake servers.
func (c *WatchdogCluster) EncodeJSON() []byte {
	var b bytes.Buffer
	first := true
	kv := func(k string, v any) { writeJSONField(&b, &first, k, v) }
	b.WriteByte('{')
	kv("RemoteNodeCount", c.RemoteNodeCount)
	if c.MemberRemoteNodeCount >= 0 {
		kv("MemberRemoteNodeCount", c.MemberRemoteNodeCount)
	}
	if c.NodesRequireForQuorum >= 0 {
		kv("NodesRequireForQuorum", c.NodesRequireForQuorum)
	}
	kv("QuorumStatus", c.QuorumStatus)
	kv("AliveNodeCount", c.AliveNodeCount)
	esc := 0
	if c.Escalated {
		esc = 1
	}
	kv("Escalated", esc)
	prefix := "Leader"
	if c.LeaderKeysAreMaster {
		prefix = "Master"
	}
	kv(prefix+"NodeName", c.LeaderNodeName)
	kv(prefix+"HostName", c.LeaderHostName)
	kv("NodeCount", len(c.Nodes))
	b.WriteString(`,"WatchdogNodes": [`)
	for i, n := range c.Nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		var nb bytes.Buffer
		nb.WriteByte('{')
		nfirst := true
		nkv := func(k string, v any) { writeJSONField(&nb, &nfirst, k, v) }
		nkv("ID", n.ID)
		nkv("State", n.State)
		if n.MembershipString != "NOT-Available" {
			nkv("Membership", n.Membership)
			nkv("MembershipString", n.MembershipString)
		}
		nkv("NodeName", n.NodeName)
		nkv("HostName", n.HostName)
		nkv("StateName", n.StateName)
		nkv("DelegateIP", n.DelegateIP)
		nkv("WdPort", n.WdPort)
		nkv("PgpoolPort", n.PgpoolPort)
		nkv("Priority", n.Priority)
		nb.WriteByte('}')
		b.Write(nb.Bytes())
	}
	b.WriteString("]}")
	return b.Bytes()
}

func (m *WatchdogInfo) Encode(dst []byte) ([]byte, error) {
	dst, at := beginPacket(dst, 'w')
	dst = appendString(dst, m.Tag)
	switch {
	case m.Legacy != nil:
		dst = appendString(dst, m.Legacy.Hostname)
		dst = appendString(dst, strconv.Itoa(m.Legacy.PgpoolPort))
		dst = appendString(dst, strconv.Itoa(m.Legacy.WdPort))
		dst = appendString(dst, strconv.Itoa(m.Legacy.Status))
	case m.Cluster != nil:
		dst = append(dst, m.Cluster.EncodeJSON()...)
		dst = append(dst, 0)
	}
	return finishPacket(dst, at)
}

// writeJSONField appends "k":v. Strings go through encoding/json rather than
// strconv.Quote: Go's \x7f and \a escapes are not JSON, so a name with a
// control byte would produce a document no decoder (ours included) accepts.
func writeJSONField(b *bytes.Buffer, first *bool, k string, v any) {
	if !*first {
		b.WriteByte(',')
	}
	*first = false
	b.Write(jsonString(k))
	b.WriteByte(':')
	switch x := v.(type) {
	case int:
		b.WriteString(strconv.Itoa(x))
	case string:
		b.Write(jsonString(x))
	}
}

func jsonString(s string) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

package pcp

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// numbered is a record of n fields whose values say their wire position
// (1-based), so a field read from the wrong place shows.
func numbered(n int) []string {
	f := make([]string, n)
	for i := range f {
		f[i] = "w" + strconv.Itoa(i+1)
	}
	return f
}

func TestProcessLayoutOf(t *testing.T) {
	for n := 0; n <= 30; n++ {
		l, ok := ProcessLayoutOf(n)
		var want ProcessLayout
		switch {
		case n == 9 || n == 11 || n == 17 || n == 18:
			want = ProcessLayout(n)
		case n >= 21:
			want = ProcessLayout47
		}
		if l != want || ok != (want != 0) {
			t.Errorf("%d fields: layout %d (%v), want %d", n, l, ok, want)
		}
		_, err := ProcessSlotOf(numbered(n))
		var me *ErrMalformed
		if (err == nil) != ok || (err != nil && !errors.As(err, &me)) {
			t.Errorf("%d fields: %v", n, err)
		}
	}
}

// TestProcessSlotFieldsOfEachLayout: every layout's fields land in their
// named place (pcp-protocol.md §5.6, pgpool's POOL_REPORT_POOLS of
// V4_3_5, V4_5_0 and V4_7_2), and go back to the same strings.
func TestProcessSlotFieldsOfEachLayout(t *testing.T) {
	for _, c := range []struct {
		n    int
		want ProcessSlot
	}{
		{9, ProcessSlot{Layout: ProcessLayout30, Database: "w1", Username: "w2", StartTime: "w3", BackendConnectionTime: "w4",
			Major: "w5", Minor: "w6", Counter: "w7", BackendPID: "w8", Connected: "w9"}},
		{11, ProcessSlot{Layout: ProcessLayout31, PID: "w1", Database: "w2", Username: "w3", StartTime: "w4", BackendConnectionTime: "w5",
			Major: "w6", Minor: "w7", Counter: "w8", BackendID: "w9", BackendPID: "w10", Connected: "w11"}},
		{17, slot43(ProcessLayout43)},
		{18, func() ProcessSlot { s := slot43(ProcessLayout45); s.LoadBalanceNode = "w18"; return s }()},
		{21, slot47(nil)},
		{23, slot47([]string{"w22", "w23"})},
	} {
		got, err := ProcessSlotOf(numbered(c.n))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%d fields: %v\n%+v\nwant\n%+v", c.n, err, got, c.want)
		}
		if f := got.Fields(); !reflect.DeepEqual(f, numbered(c.n)) {
			t.Errorf("%d fields: back as %q", c.n, f)
		}
		m := &ProcessInfoReply{Tag: "ProcessInfo", Slot: got}
		b, err := m.Encode(nil)
		var again ProcessInfoReply
		if err != nil || again.Decode(b[5:]) != nil || !reflect.DeepEqual(again.Slot, c.want) {
			t.Errorf("%d fields: encoded %q (%v), decoded %+v", c.n, b, err, again.Slot)
		}
	}
}

func slot43(l ProcessLayout) ProcessSlot {
	return ProcessSlot{Layout: l, PID: "w1", StartTime: "w2", ClientConnectionCount: "w3", PoolID: "w4", BackendID: "w5",
		Database: "w6", Username: "w7", BackendConnectionTime: "w8", ClientConnectionTime: "w9", ClientDisconnectionTime: "w10",
		ClientIdleDuration: "w11", Major: "w12", Minor: "w13", Counter: "w14", BackendPID: "w15", Connected: "w16", Status: "w17"}
}

func slot47(extra []string) ProcessSlot {
	s := slot43(ProcessLayout47)
	s.LoadBalanceNode, s.ClientHost, s.ClientPort, s.Statement, s.Extra = "w18", "w19", "w20", "w21", extra
	return s
}

// TestProcessSlotEncodeRefusesWhatDecodeCannotGiveBack: a slot that no
// record decodes to is refused rather than sent as another layout's.
func TestProcessSlotEncodeRefusesWhatDecodeCannotGiveBack(t *testing.T) {
	for _, s := range []ProcessSlot{
		{Layout: 12},
		{},
		{Layout: ProcessLayout45, Extra: []string{"x"}},
	} {
		if b, err := (&ProcessInfoReply{Tag: "ProcessInfo", Slot: s}).Encode(nil); err == nil {
			t.Errorf("%+v encoded as %q", s, b)
		}
	}
}

// TestAsLibpcp43: a 4.3+ libpcp copies an older server's strings into its
// own fields in order; a 4.3+ slot is read as it is.
func TestAsLibpcp43(t *testing.T) {
	for _, n := range []int{9, 11} {
		s, _ := ProcessSlotOf(numbered(n))
		want := make([]string, ProcessLayout43)
		copy(want, numbered(n))
		if got := s.AsLibpcp43(); got.Layout != ProcessLayout43 || !reflect.DeepEqual(got.Fields(), want) {
			t.Errorf("%d fields read as %+v", n, got)
		}
	}
	s := slot47([]string{"w22"})
	if got := s.AsLibpcp43(); !reflect.DeepEqual(got, s) {
		t.Errorf("4.7 slot read as %+v", got)
	}
}

func TestProcessLayoutHas(t *testing.T) {
	for _, c := range []struct {
		l                           ProcessLayout
		pid, client, lb, addr, text bool
	}{
		{ProcessLayout30, false, false, false, false, false},
		{ProcessLayout31, true, false, false, false, false},
		{ProcessLayout43, true, true, false, false, true},
		{ProcessLayout45, true, true, true, false, true},
		{ProcessLayout47, true, true, true, true, true},
	} {
		got := [5]bool{c.l.Has(ProcessFieldPID), c.l.Has(ProcessFieldClient), c.l.Has(ProcessFieldLoadBalanceNode),
			c.l.Has(ProcessFieldClientAddress), c.l.TimesFormatted()}
		if got != [5]bool{c.pid, c.client, c.lb, c.addr, c.text} {
			t.Errorf("%s: %v", c.l.Version(), got)
		}
	}
}

// TestHealthCheckStatsFields: the twenty strings by name, later ones kept,
// missing ones empty.
func TestHealthCheckStatsFields(t *testing.T) {
	var m HealthCheckStats
	if err := m.Decode(packet('h', append([]string{"CommandComplete"}, numbered(22)...)...)[5:]); err != nil {
		t.Fatal(err)
	}
	s := m.Stats
	if s.NodeID != "w1" || s.LastStatusChange != "w6" || s.AverageRetryCount != "w12" || s.AverageDuration != "w16" ||
		s.LastFailedHealthCheck != "w20" || !reflect.DeepEqual(s.Extra, []string{"w21", "w22"}) {
		t.Errorf("decoded %+v", s)
	}
	if err := m.Decode(packet('h', "CommandComplete", "0", "host")[5:]); err != nil || m.Stats.Hostname != "host" || m.Stats.Port != "" || m.Stats.Extra != nil {
		t.Errorf("short reply: %+v (%v)", m.Stats, err)
	}
}

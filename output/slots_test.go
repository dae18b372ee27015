package output

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/pcpctl/pcpctl/pcp"
)

func mustSlot(t *testing.T, fields ...string) pcp.ProcessSlot {
	t.Helper()
	s, err := pcp.ProcessSlotOf(fields)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHealthRecordKeys(t *testing.T) {
	if got := HealthRecord(&pcp.HealthStats{}).Keys(); !slices.Equal(got, HealthKeys) {
		t.Errorf("HealthRecord keys %q, HealthKeys %q", got, HealthKeys)
	}
}

// slot31 is a busy slot of a 3.1-4.2 server: child pid, database, user,
// start and creation times in Unix seconds, major, minor, counter, backend
// id, backend pid, connected.
func slot31(t *testing.T) pcp.ProcessSlot {
	return mustSlot(t, "4001", "app", "alice", "0", "60", "3", "0", "2", "1", "5001", "1")
}

// TestProcessSlotOfOlderServer: the modern record of a 3.1-4.2 slot reads
// its fields by name, formats its Unix seconds, and leaves what that
// release does not send null.
func TestProcessSlotOfOlderServer(t *testing.T) {
	s := slot31(t)
	r := ProcessSlot(&s)
	for k, want := range map[string]any{
		"pid": 4001, "database": "app", "username": "alice", "backend_id": 1, "backend_pid": 5001,
		"connected": true, "major": 3, "pool_counter": 2,
		"process_start_time": CTime(0), "backend_connection_time": CTime(60),
		"slot": nil, "status": nil, "client_connection_count": nil, "client_idle_duration": nil,
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
}

// TestProcessInfoTextOfOlderServer: pcp_proc_info of 4.3 on reads an older
// server's strings into its own fields in order, as libpcp does; the 3.x
// form reads them by their meaning.
func TestProcessInfoTextOfOlderServer(t *testing.T) {
	s := slot31(t)
	var b bytes.Buffer
	ProcessInfoText(&b, []pcp.ProcessSlot{s}, true, false)
	// Database is wire field 6 (major), PID field 1, Status field 17 (none).
	if want := "3 0 app alice   2 1 1 5001    4001 60 \n"; b.String() != want {
		t.Errorf("4.3 form %q, want %q", b.String(), want)
	}
	b.Reset()
	LegacyProcessInfoText(&b, []pcp.ProcessSlot{s}, true, false)
	if want := strings.Join([]string{"app", "alice", CTime(0), CTime(60), "3", "0", "2", "5001", "1", "4001", "1"}, " ") + "\n"; b.String() != want {
		t.Errorf("3.x form %q, want %q", b.String(), want)
	}
	b.Reset()
	s47 := mustSlot(t, "4001", "2025-11-24 16:00:00", "3", "0", "1", "app", "alice", "2025-11-24 16:01:00",
		"2025-11-24 16:01:00", "", "7", "3", "0", "1", "5002", "1", "Idle", "1", "192.0.2.7", "50123", "SELECT 1")
	LegacyProcessInfoText(&b, []pcp.ProcessSlot{s47}, false, false)
	if want := "app alice 2025-11-24 16:00:00 2025-11-24 16:01:00 3 0 1 5002 1\n"; b.String() != want {
		t.Errorf("3.x form of a 4.7 slot %q, want %q", b.String(), want)
	}
}

func TestPoolStatusText(t *testing.T) {
	items := []pcp.ConfigItem{{Name: "a", Value: "1", Description: "x"}, {Name: "b", Value: "", Description: "y"}}
	var b bytes.Buffer
	PoolStatusText(&b, items, true)
	if want := "Name [  0]:\ta\nValue:      \t1\nDescription:\tx\n\nName [  1]:\tb\nValue:      \t\nDescription:\ty\n\n"; b.String() != want {
		t.Errorf("verbose %q", b.String())
	}
}

package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/pcp"
)

// This file holds the modern views of process info, pool status and health
// check statistics. Times stay as pgpool formats them ("2006-01-02
// 15:04:05" in the server's local time zone): pgpool sends text, not
// instants, and guessing its zone would misstate them.

// number turns a decimal field into an int (an int64 when large), an
// empty one into nil, and leaves anything else as the server's text.
func number(s string) any {
	if s == "" {
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n == int64(int(n)) {
			return int(n)
		}
		return n
	}
	return s
}

func float(s string) any {
	if s == "" {
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ProcessSlotKeys are the keys of one connection slot of a child, 4.3+.
var ProcessSlotKeys = []string{"pid", "slot", "process_start_time", "client_connection_count", "status",
	"database", "username", "backend_id", "backend_pid", "connected", "major", "minor", "pool_counter",
	"backend_connection_time", "client_connection_time", "client_idle_duration", "client_disconnection_time",
	"load_balance_node", "client_host", "client_port", "statement"}

// ProcessSlotHeader is the table header of ProcessSlotKeys.
var ProcessSlotHeader = []string{"PID", "SLOT", "STARTED", "CLIENTS", "STATUS", "DATABASE", "USER",
	"BACKEND", "BACKEND PID", "CONNECTED", "MAJOR", "MINOR", "POOL COUNTER", "BACKEND CONNECTED AT",
	"CLIENT CONNECTED AT", "IDLE (S)", "CLIENT DISCONNECTED AT", "LOAD BALANCE NODE", "CLIENT HOST",
	"CLIENT PORT", "STATEMENT"}

// ProcessSlot is one connection slot as a record. A field the server's
// release does not send, or sends empty, is null; a pre-4.3 server's Unix
// seconds are shown as the later releases format them. Fields past the 21
// of 4.7 are kept as field_22, field_23, … (wire positions).
func ProcessSlot(s *pcp.ProcessSlot) Record {
	rec := Record{
		{"pid", number(s.PID)},
		{"slot", number(s.PoolID)},
		{"process_start_time", text(slotTime(s, s.StartTime))},
		{"client_connection_count", number(s.ClientConnectionCount)},
		{"status", text(s.Status)},
		{"database", text(s.Database)},
		{"username", text(s.Username)},
		{"backend_id", number(s.BackendID)},
		{"backend_pid", number(s.BackendPID)},
		{"connected", s.Connected == "1"},
		{"major", number(s.Major)},
		{"minor", number(s.Minor)},
		{"pool_counter", number(s.Counter)},
		{"backend_connection_time", text(slotTime(s, s.BackendConnectionTime))},
		{"client_connection_time", text(s.ClientConnectionTime)},
		{"client_idle_duration", number(s.ClientIdleDuration)},
		{"client_disconnection_time", text(s.ClientDisconnectionTime)},
		{"load_balance_node", number(s.LoadBalanceNode)},
		{"client_host", text(s.ClientHost)},
		{"client_port", number(s.ClientPort)},
		{"statement", text(s.Statement)},
	}
	for i, v := range s.Extra {
		rec = append(rec, Field{fmt.Sprintf("field_%d", int(pcp.ProcessLayout47)+i+1), v})
	}
	return rec
}

// ProcessKeys are the keys of one child process (process list).
var ProcessKeys = []string{"pid", "process_start_time", "status", "client_connection_count",
	"database", "username", "client_connection_time", "client_idle_duration", "backend_pids"}

// ProcessHeader is the table header of ProcessKeys.
var ProcessHeader = []string{"PID", "STARTED", "STATUS", "CLIENTS", "DATABASE", "USER",
	"CLIENT CONNECTED AT", "IDLE (S)", "BACKEND PIDS"}

// Processes summarises every child in pids (pgpool's order) from the slot
// records of all children: the process-wide fields, the client of the
// connected slot if any, and the pids of its backend connections.
func Processes(pids []int, slots []pcp.ProcessSlot) []Record {
	by := map[int][]Record{}
	for i := range slots {
		r := ProcessSlot(&slots[i])
		if pid, ok := r.Get("pid").(int); ok {
			by[pid] = append(by[pid], r)
		}
	}
	recs := make([]Record, 0, len(pids))
	for _, pid := range pids {
		rec := Record{{"pid", pid}, {"process_start_time", nil}, {"status", nil}, {"client_connection_count", nil},
			{"database", nil}, {"username", nil}, {"client_connection_time", nil}, {"client_idle_duration", nil}, {"backend_pids", nil}}
		var backends []string
		for i, s := range by[pid] {
			if i == 0 {
				rec[1].Value, rec[2].Value, rec[3].Value = s.Get("process_start_time"), s.Get("status"), s.Get("client_connection_count")
			}
			if s.Get("database") != nil && rec[4].Value == nil {
				rec[4].Value, rec[5].Value = s.Get("database"), s.Get("username")
				rec[6].Value, rec[7].Value = s.Get("client_connection_time"), s.Get("client_idle_duration")
			}
			if bp, ok := s.Get("backend_pid").(int); ok && bp > 0 {
				backends = append(backends, strconv.Itoa(bp))
			}
		}
		if len(backends) > 0 {
			rec[8].Value = strings.Join(backends, " ")
		}
		recs = append(recs, rec)
	}
	return recs
}

// ConfigKeys are the keys of pool config rows.
var ConfigKeys = []string{"name", "value", "description"}

// ConfigRecord is one pcp_pool_status row.
func ConfigRecord(it pcp.ConfigItem) Record {
	return Record{{"name", it.Name}, {"value", it.Value}, {"description", it.Description}}
}

// HealthKeys are the keys of node health records (HealthRecord's, which a
// test holds to them).
var HealthKeys = []string{"node_id", "hostname", "port", "status", "role", "last_status_change",
	"total_count", "success_count", "fail_count", "skip_count", "retry_count", "average_retry_count",
	"max_retry_count", "max_duration_ms", "min_duration_ms", "average_duration_ms",
	"last_health_check", "last_successful_health_check", "last_skip_health_check", "last_failed_health_check"}

// healthTableKeys is the table's subset of HealthKeys (the table would be
// wider than any terminal with all twenty).
var healthTableKeys = []string{"node_id", "hostname", "port", "status", "role", "total_count", "success_count",
	"fail_count", "skip_count", "retry_count", "average_duration_ms", "last_health_check", "last_failed_health_check"}

var healthTableHeader = []string{"ID", "HOST", "PORT", "STATUS", "ROLE", "CHECKS", "OK", "FAILED", "SKIPPED",
	"RETRIES", "AVG MS", "LAST CHECK", "LAST FAILURE"}

// HealthRecord is one node's health check statistics as a record, with
// HealthKeys as its keys.
func HealthRecord(s *pcp.HealthStats) Record {
	return Record{
		{"node_id", number(s.NodeID)},
		{"hostname", text(s.Hostname)},
		{"port", number(s.Port)},
		{"status", text(s.Status)},
		{"role", text(s.Role)},
		{"last_status_change", text(s.LastStatusChange)},
		{"total_count", number(s.TotalCount)},
		{"success_count", number(s.SuccessCount)},
		{"fail_count", number(s.FailCount)},
		{"skip_count", number(s.SkipCount)},
		{"retry_count", number(s.RetryCount)},
		{"average_retry_count", float(s.AverageRetryCount)},
		{"max_retry_count", number(s.MaxRetryCount)},
		{"max_duration_ms", number(s.MaxDuration)},
		{"min_duration_ms", number(s.MinDuration)},
		{"average_duration_ms", float(s.AverageDuration)},
		{"last_health_check", text(s.LastHealthCheck)},
		{"last_successful_health_check", text(s.LastSuccessfulHealthCheck)},
		{"last_skip_health_check", text(s.LastSkipHealthCheck)},
		{"last_failed_health_check", text(s.LastFailedHealthCheck)},
	}
}

// HealthList is health records for the printers: the table shows the
// main columns, every other format all twenty.
func HealthList(recs []Record) *Records {
	return &Records{List: recs, Fields: HealthKeys, TableFields: healthTableKeys, Header: healthTableHeader}
}

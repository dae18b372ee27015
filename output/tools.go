package output

import (
	"fmt"
	"strconv"
	"strings"
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

// ProcessSlot is one 4.3+ process info record (17 strings in wire order:
// pid, start time, client connection count, pool id, backend id, database,
// user, backend and client connection times, client disconnection time,
// client idle duration, major, minor, counter, backend pid, connected,
// status; 4.5+ load balance node; 4.7+ client host, client port,
// statement) as a record. A field the server did not send is null, so a
// 4.3 reply is told apart from an empty value; fields past the 21 known
// ones are kept as field_22, field_23, … (wire positions).
func ProcessSlot(f []string) Record {
	g := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	opt := func(i int, conv func(string) any) any {
		if i < len(f) {
			return conv(f[i])
		}
		return nil
	}
	rec := Record{
		{"pid", number(g(0))},
		{"slot", number(g(3))},
		{"process_start_time", text(g(1))},
		{"client_connection_count", number(g(2))},
		{"status", text(g(16))},
		{"database", text(g(5))},
		{"username", text(g(6))},
		{"backend_id", number(g(4))},
		{"backend_pid", number(g(14))},
		{"connected", g(15) == "1"},
		{"major", number(g(11))},
		{"minor", number(g(12))},
		{"pool_counter", number(g(13))},
		{"backend_connection_time", text(g(7))},
		{"client_connection_time", text(g(8))},
		{"client_idle_duration", number(g(10))},
		{"client_disconnection_time", text(g(9))},
		{"load_balance_node", opt(17, number)},
		{"client_host", opt(18, text)},
		{"client_port", opt(19, number)},
		{"statement", opt(20, text)},
	}
	for i := 21; i < len(f); i++ {
		rec = append(rec, Field{fmt.Sprintf("field_%d", i+1), f[i]})
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
func Processes(pids []int, slots [][]string) []Record {
	by := map[int][]Record{}
	for _, f := range slots {
		r := ProcessSlot(f)
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
func ConfigRecord(name, value, desc string) Record {
	return Record{{"name", name}, {"value", value}, {"description", desc}}
}

// HealthKeys are the keys of node health records.
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

// HealthRecord is the 20 strings of a health check stats reply as a record.
func HealthRecord(f []string) Record {
	rec := make(Record, len(HealthKeys))
	for i, k := range HealthKeys {
		s := ""
		if i < len(f) {
			s = f[i]
		}
		var v any
		switch k {
		case "hostname", "status", "role", "last_status_change", "last_health_check",
			"last_successful_health_check", "last_skip_health_check", "last_failed_health_check":
			v = text(s)
		case "average_retry_count", "average_duration_ms":
			v = float(s)
		default:
			v = number(s)
		}
		rec[i] = Field{k, v}
	}
	return rec
}

// HealthList is health records for the printers: the table shows the
// main columns, every other format all twenty.
func HealthList(recs []Record) *Records {
	return &Records{List: recs, Fields: HealthKeys, TableFields: healthTableKeys, Header: healthTableHeader}
}

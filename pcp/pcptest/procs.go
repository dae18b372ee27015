package pcptest

import "strconv"

// TwoChildren are 4.3+ process info records of a pgpool with two children
// and max_pool 1 over two backends: child 4001 serves a client of database
// app as user alice, child 4002 waits for a connection.
func TwoChildren() [][]string {
	var recs [][]string
	for b := 0; b < 2; b++ {
		recs = append(recs, []string{"4001", "2025-11-24 16:00:00", "3", "0", strconv.Itoa(b), "app", "alice",
			"2025-11-24 16:01:00", "2025-11-24 16:01:00", "", "7", "3", "0", "1", strconv.Itoa(5001 + b), "1", "Idle"})
	}
	for b := 0; b < 2; b++ {
		recs = append(recs, []string{"4002", "2025-11-24 16:00:00", "0", "0", strconv.Itoa(b), "", "",
			"", "", "", "0", "0", "0", "0", "0", "0", "Wait for connection"})
	}
	return recs
}

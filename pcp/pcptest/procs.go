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

// ChildrenOf are TwoChildren in the record layout of a later release:
// fields 18 (4.5's load_balance_node), 18-21 (4.7's client_host,
// client_port, statement too) or more (fields no release sends yet, which
// a client must keep). fields is 17, 18, 21 or more.
func ChildrenOf(fields int) [][]string {
	recs := TwoChildren()
	for i, r := range recs {
		busy := r[0] == "4001"
		later := []string{"0", "", "", ""}
		if busy {
			later = []string{strconv.Itoa(i % 2), "192.0.2.7", "50123", "SELECT * FROM t WHERE a = 'x y'"}
		}
		for j := 17; j < fields; j++ {
			v := "future" + strconv.Itoa(j+1)
			if j-17 < len(later) {
				v = later[j-17]
			}
			r = append(r, v)
		}
		recs[i] = r
	}
	return recs
}

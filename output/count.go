package output

import (
	"strconv"

	"github.com/pcpctl/pcpctl/health"
)

// Count is one number (node count). The table shows it bare, as plain
// does, so that $(pcpctl node count) reads the same on a terminal.
type Count struct {
	Key string
	N   int
}

func (c *Count) record() Record                { return Record{{c.Key, c.N}} }
func (c *Count) Findings() []health.Finding    { return nil }
func (c *Count) Records() []Record             { return []Record{c.record()} }
func (c *Count) Keys() []string                { return []string{c.Key} }
func (c *Count) Document([]health.Finding) any { return c.record() }
func (c *Count) Table([]health.Finding) Table  { return Table{Notes: []string{strconv.Itoa(c.N)}} }

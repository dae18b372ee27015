package output

import (
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/config"
	"github.com/pcpctl/pcpctl/health"
)

// Contexts is the value the context printers print.
type Contexts struct {
	Config *config.Config
}

func endpointRecord(e config.Endpoint, ctxUser string) Record {
	user := e.User
	if user == "" {
		user = ctxUser
	}
	return Record{
		{"host", e.Host},
		{"pcp_port", e.Port()},
		{"sql_port", opt(e.SQLPort != 0, e.SQLPort)},
		{"user", opt(user != "", user)},
	}
}

// ContextRecord is one context with its pgpools.
func ContextRecord(c *config.Context, current bool) Record {
	eps := make([]Record, len(c.Pgpools))
	for i, e := range c.Pgpools {
		eps[i] = endpointRecord(e, c.User)
	}
	return Record{
		{"name", c.Name},
		{"current", current},
		{"user", opt(c.User != "", c.User)},
		{"pgpools", eps},
	}
}

func (x *Contexts) records() []Record {
	recs := make([]Record, len(x.Config.Contexts))
	for i := range x.Config.Contexts {
		c := &x.Config.Contexts[i]
		recs[i] = ContextRecord(c, c.Name == x.Config.CurrentContext)
	}
	return recs
}

func endpointText(e config.Endpoint) string {
	host := e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(e.Port())
}

// contextKeys are the flat columns of the context list.
var contextKeys = []string{"current", "name", "user", "pgpools"}

// flat is each context as one row, the current one marked "*", its
// pgpools as host:port words.
func (x *Contexts) flat() (rows [][]string, recs []Record) {
	rows = [][]string{}
	for i := range x.Config.Contexts {
		c := &x.Config.Contexts[i]
		cur := ""
		if c.Name == x.Config.CurrentContext {
			cur = "*"
		}
		eps := make([]string, len(c.Pgpools))
		for j, e := range c.Pgpools {
			eps[j] = endpointText(e)
		}
		rows = append(rows, []string{cur, c.Name, dash(c.User), strings.Join(eps, " ")})
		recs = append(recs, Record{{"current", cur}, {"name", c.Name}, {"user", c.User}, {"pgpools", strings.Join(eps, " ")}})
	}
	return rows, recs
}

func (x *Contexts) Findings() []health.Finding    { return nil }
func (x *Contexts) Keys() []string                { return contextKeys }
func (x *Contexts) Document([]health.Finding) any { return x.records() }

// Records is the flat list; json and yaml nest the pgpools instead.
func (x *Contexts) Records() []Record { _, recs := x.flat(); return recs }

func (x *Contexts) Table([]health.Finding) Table {
	rows, _ := x.flat()
	return Table{Header: []string{"CURRENT", "NAME", "USER", "PGPOOLS"}, Rows: rows}
}

// Context is the value "contexts show" prints: one context.
type Context struct {
	Context *config.Context
	Current bool
}

var endpointKeys = []string{"host", "pcp_port", "sql_port", "user"}

func (x *Context) Findings() []health.Finding { return nil }
func (x *Context) Keys() []string             { return endpointKeys }

// Records are its pgpools, one row each.
func (x *Context) Records() []Record {
	var recs []Record
	for _, e := range x.Context.Pgpools {
		recs = append(recs, endpointRecord(e, x.Context.User))
	}
	return recs
}

// Document is the whole context, its name and user too.
func (x *Context) Document([]health.Finding) any { return ContextRecord(x.Context, x.Current) }

// Table is its pgpools under a line naming the context.
func (x *Context) Table([]health.Finding) Table {
	cur := ""
	if x.Current {
		cur = " (current)"
	}
	t := Table{Title: []string{"context " + x.Context.Name + cur}, Header: []string{"HOST", "PCP PORT", "SQL PORT", "USER"}, Rows: [][]string{}}
	for _, r := range x.Records() {
		t.Rows = append(t.Rows, []string{scalar(r.Get("host")), scalar(r.Get("pcp_port")), dash(scalar(r.Get("sql_port"))), dash(scalar(r.Get("user")))})
	}
	return t
}

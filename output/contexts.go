package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pcpctl/pcpctl/config"
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

// PrintContexts lists the contexts: the current one marked "*" in the
// table and plain output.
func PrintContexts(w io.Writer, f Format, x *Contexts) error {
	rows := [][]string{}
	var flat []Record
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
		flat = append(flat, Record{{"current", cur}, {"name", c.Name}, {"user", c.User}, {"pgpools", strings.Join(eps, " ")}})
	}
	keys := []string{"current", "name", "user", "pgpools"}
	switch f {
	case FormatTable:
		return renderTable(w, []string{"CURRENT", "NAME", "USER", "PGPOOLS"}, rows)
	case FormatPlain:
		return WritePlain(w, flat, keys)
	case FormatCSV, FormatTSV:
		return WriteDelimited(w, flat, keys, f == FormatTSV)
	case FormatJSON:
		return WriteJSON(w, x.records())
	case FormatYAML:
		return WriteYAML(w, x.records())
	}
	return fmt.Errorf("unknown format %q", f)
}

// PrintContext shows one context: its pgpools as a table, or the whole
// context as one document.
func PrintContext(w io.Writer, f Format, c *config.Context, current bool) error {
	var recs []Record
	rows := [][]string{}
	for _, e := range c.Pgpools {
		r := endpointRecord(e, c.User)
		recs = append(recs, r)
		rows = append(rows, []string{e.Host, scalar(r.Get("pcp_port")), dash(scalar(r.Get("sql_port"))), dash(scalar(r.Get("user")))})
	}
	keys := []string{"host", "pcp_port", "sql_port", "user"}
	switch f {
	case FormatTable:
		cur := ""
		if current {
			cur = " (current)"
		}
		if _, err := fmt.Fprintf(w, "context %s%s\n", c.Name, cur); err != nil {
			return err
		}
		return renderTable(w, []string{"HOST", "PCP PORT", "SQL PORT", "USER"}, rows)
	case FormatPlain:
		return WritePlain(w, recs, keys)
	case FormatCSV, FormatTSV:
		return WriteDelimited(w, recs, keys, f == FormatTSV)
	case FormatJSON:
		return WriteJSON(w, ContextRecord(c, current))
	case FormatYAML:
		return WriteYAML(w, ContextRecord(c, current))
	}
	return fmt.Errorf("unknown format %q", f)
}

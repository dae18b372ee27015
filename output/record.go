package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format names an output format of the modern commands.
type Format string

const (
	FormatTable Format = "table"
	FormatPlain Format = "plain"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
	FormatCSV   Format = "csv"
	FormatTSV   Format = "tsv"
)

// Formats lists every format, for help and completion.
var Formats = []string{"table", "plain", "json", "yaml", "csv", "tsv"}

// ParseFormat checks a -o value; "" picks table on a terminal, else plain.
func ParseFormat(s string, tty bool) (Format, error) {
	switch s {
	case "":
		if tty {
			return FormatTable, nil
		}
		return FormatPlain, nil
	case "table", "plain", "json", "yaml", "csv", "tsv":
		return Format(s), nil
	}
	return "", fmt.Errorf("invalid output format %q: want one of %s", s, strings.Join(Formats, ", "))
}

// Weight is a load-balance weight, always written with six decimals as
// pgpool does (0.333333), never as a long binary fraction.
type Weight float64

// Field is one key and value of a record. Value is nil (null / empty),
// int, int64, uint64, bool, string, Weight, float64 or []Record.
type Field struct {
	Key   string
	Value any
}

// Record is an ordered set of fields: the one shape behind the JSON, YAML,
// CSV, TSV and plain printers, so their keys and order cannot drift apart.
type Record []Field

// Get returns the value of key.
func (r Record) Get(key string) any {
	for _, f := range r {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Keys lists the record's keys in order.
func (r Record) Keys() []string {
	k := make([]string, len(r))
	for i, f := range r {
		k[i] = f.Key
	}
	return k
}

// scalar renders a value for CSV, TSV and plain text; nil is "".
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case Weight:
		return CFloat(float64(x))
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// AppendJSON appends the record as a compact JSON object.
func (r Record) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, f := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		b = appendJSONValue(b, f.Value)
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}

func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case []Record:
		b = append(b, '[')
		for i, r := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.AppendJSON(b)
		}
		return append(b, ']')
	case Record:
		return x.AppendJSON(b)
	}
	return append(b, scalar(v)...)
}

// WriteJSON writes v (a Record or []Record) indented by two spaces.
func WriteJSON(w io.Writer, v any) error {
	raw := appendJSONValue(nil, v)
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSONLine writes v compactly on one line (watch mode records).
func WriteJSONLine(w io.Writer, v any) error {
	b := appendJSONValue(nil, v)
	b = append(b, '\n')
	_, err := w.Write(b)
	return err
}

func yamlNode(v any) *yaml.Node {
	s := func(tag, val string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: val} }
	switch x := v.(type) {
	case nil:
		return s("!!null", "null")
	case string:
		return s("!!str", x)
	case int, int64, uint64:
		return s("!!int", scalar(x))
	case bool:
		return s("!!bool", scalar(x))
	case Weight, float64:
		return s("!!float", scalar(x))
	case Record:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range x {
			m.Content = append(m.Content, s("!!str", f.Key), yamlNode(f.Value))
		}
		return m
	case []Record:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, r := range x {
			seq.Content = append(seq.Content, yamlNode(r))
		}
		return seq
	}
	return s("!!str", fmt.Sprint(v))
}

// WriteYAML writes v (a Record or []Record) as one YAML document.
func WriteYAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(v)); err != nil {
		return err
	}
	return enc.Close()
}

// WriteDelimited writes a header and one row per record, comma separated
// with CSV quoting, or tab separated (tabs and newlines in values become
// spaces, as a TSV has no quoting).
func WriteDelimited(w io.Writer, recs []Record, keys []string, tsv bool) error {
	if tsv {
		var b strings.Builder
		b.WriteString(strings.Join(keys, "\t"))
		b.WriteByte('\n')
		for _, r := range recs {
			for i, k := range keys {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(tsvClean(scalar(r.Get(k))))
			}
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(keys)
	for _, r := range recs {
		row := make([]string, len(keys))
		for i, k := range keys {
			row[i] = scalar(r.Get(k))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WritePlain writes one tab-separated line per record without a header;
// empty values are "-" so that whitespace-splitting tools keep columns.
func WritePlain(w io.Writer, recs []Record, keys []string) error {
	var b strings.Builder
	for _, r := range recs {
		for i, k := range keys {
			if i > 0 {
				b.WriteByte('\t')
			}
			v := tsvClean(scalar(r.Get(k)))
			if v == "" {
				v = "-"
			}
			b.WriteString(v)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tsvClean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

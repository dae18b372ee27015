package health

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Range is a monitoring-plugin threshold range: "10" (alert outside
// 0..10), "10:" (below 10), "~:10" (above 10), "10:20" (outside),
// "@10:20" (inside). Text is the range as given, for perfdata.
type Range struct {
	Lo, Hi float64 // -Inf/+Inf when open
	Inside bool
	Text   string
	// Duration: the endpoints were durations (seconds); otherwise plain
	// numbers.
	Duration bool
}

// Alert reports whether v is in the alerting part of the range.
func (r *Range) Alert(v float64) bool {
	in := v >= r.Lo && v <= r.Hi
	if r.Inside {
		return in
	}
	return !in
}

// ParseRange reads one range. With atLeast a bare number N means "N:"
// (alert below N), for thresholds that are minimums such as up standbys;
// otherwise it is the convention's "0:N". Endpoints may be durations
// ("500ms", "10s") when durations is true.
func ParseRange(s string, atLeast, durations bool) (r Range, err error) {
	r = Range{Lo: 0, Hi: math.Inf(1), Text: s}
	body := s
	if strings.HasPrefix(body, "@") {
		r.Inside, body = true, body[1:]
	}
	if body == "" {
		return r, errors.New("empty range")
	}
	lo, hi, colon := strings.Cut(body, ":")
	kinds := map[bool]bool{}
	num := func(t string) (float64, error) {
		if v, err := strconv.ParseFloat(t, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			kinds[false] = true
			return v, nil
		}
		if durations {
			if d, err := time.ParseDuration(t); err == nil {
				kinds[true] = true
				return d.Seconds(), nil
			}
		}
		if durations {
			return 0, fmt.Errorf("%q is neither a number nor a duration", t)
		}
		return 0, fmt.Errorf("%q is not a number", t)
	}
	defer func() { r.Duration = kinds[true] }()
	if !colon {
		v, err := num(body)
		if err != nil {
			return r, err
		}
		if atLeast && !r.Inside {
			r.Lo = v
		} else {
			r.Hi = v
		}
		return r, nil
	}
	switch lo {
	case "~":
		r.Lo = math.Inf(-1)
	case "":
		return r, fmt.Errorf("%q: empty start (use ~ for minus infinity)", s)
	default:
		v, err := num(lo)
		if err != nil {
			return r, err
		}
		r.Lo = v
	}
	if hi != "" {
		v, err := num(hi)
		if err != nil {
			return r, err
		}
		r.Hi = v
	}
	if len(kinds) > 1 {
		return r, fmt.Errorf("%q mixes a number and a duration", s)
	}
	if r.Lo > r.Hi {
		return r, fmt.Errorf("%q: start is above end", s)
	}
	return r, nil
}

// Thresholds is a WARN,CRIT pair; either may be absent.
type Thresholds struct {
	Warn, Crit *Range
}

// ParseThresholds reads "WARN,CRIT", "WARN" or ",CRIT".
func ParseThresholds(s string, atLeast, durations bool) (Thresholds, error) {
	var t Thresholds
	w, c, _ := strings.Cut(s, ",")
	if strings.Contains(c, ",") {
		return t, errors.New("want WARN,CRIT")
	}
	if w == "" && c == "" {
		return t, errors.New("want WARN,CRIT")
	}
	for _, p := range []struct {
		text string
		dst  **Range
	}{{w, &t.Warn}, {c, &t.Crit}} {
		if p.text == "" {
			continue
		}
		r, err := ParseRange(p.text, atLeast, durations)
		if err != nil {
			return t, err
		}
		*p.dst = &r
	}
	if t.Warn != nil && t.Crit != nil && t.Warn.Duration != t.Crit.Duration {
		return t, errors.New("WARN and CRIT must both be numbers or both durations")
	}
	return t, nil
}

// Duration reports thresholds given as durations.
func (t Thresholds) Duration() bool {
	return (t.Warn != nil && t.Warn.Duration) || (t.Crit != nil && t.Crit.Duration)
}

// Judge is the severity of v: CRITICAL if it alerts on Crit, WARNING on
// Warn, else OK.
func (t Thresholds) Judge(v float64) Severity {
	switch {
	case t.Crit != nil && t.Crit.Alert(v):
		return Critical
	case t.Warn != nil && t.Warn.Alert(v):
		return Warning
	}
	return OK
}

// Perf is the ";warn;crit" part of a perfdata item.
func (t Thresholds) Perf() string {
	s := ";"
	if t.Warn != nil {
		s += perfRange(t.Warn)
	}
	s += ";"
	if t.Crit != nil {
		s += perfRange(t.Crit)
	}
	return s
}

// perfRange writes the range in the convention's own syntax, so a bare
// minimum ("2" for --standbys) appears as what it means ("2:").
func perfRange(r *Range) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	s := ""
	if r.Inside {
		s = "@"
	}
	switch {
	case math.IsInf(r.Lo, -1):
		s += "~:"
	case r.Lo != 0 || math.IsInf(r.Hi, 1):
		s += f(r.Lo) + ":"
	}
	if !math.IsInf(r.Hi, 1) {
		s += f(r.Hi)
	}
	return s
}

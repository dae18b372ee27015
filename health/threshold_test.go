package health

import (
	"math"
	"testing"
)

// TestParseRange: every form of the monitoring-plugin range syntax, and
// where each alerts.
func TestParseRange(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		text             string
		atLeast, durs    bool
		lo, hi           float64
		inside, duration bool
		alerts, quiet    []float64
	}{
		{"10", false, false, 0, 10, false, false, []float64{-1, 10.5, 11}, []float64{0, 5, 10}},
		{"10:", false, false, 10, inf, false, false, []float64{9, -3}, []float64{10, 1e9}},
		{"~:10", false, false, math.Inf(-1), 10, false, false, []float64{10.01, 20}, []float64{-1e9, 10}},
		{"10:20", false, false, 10, 20, false, false, []float64{9, 21}, []float64{10, 15, 20}},
		{"@10:20", false, false, 10, 20, true, false, []float64{10, 15, 20}, []float64{9, 21}},
		{"@5", false, false, 0, 5, true, false, []float64{0, 5}, []float64{6}},
		// A bare number is a minimum for counts such as up standbys.
		{"2", true, false, 2, inf, false, false, []float64{0, 1}, []float64{2, 3}},
		{"1.5", false, false, 0, 1.5, false, false, []float64{1.6}, []float64{1.5}},
		{"500ms", false, true, 0, 0.5, false, true, []float64{0.6}, []float64{0.5}},
		{"1s:1m", false, true, 1, 60, false, true, []float64{0.5, 61}, []float64{30}},
		{"1048576", false, true, 0, 1048576, false, false, []float64{2e6}, []float64{1e6}},
	} {
		r, err := ParseRange(c.text, c.atLeast, c.durs)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if r.Lo != c.lo || r.Hi != c.hi || r.Inside != c.inside || r.Duration != c.duration || r.Text != c.text {
			t.Errorf("%q: got %+v", c.text, r)
		}
		for _, v := range c.alerts {
			if !r.Alert(v) {
				t.Errorf("%q: %v should alert", c.text, v)
			}
		}
		for _, v := range c.quiet {
			if r.Alert(v) {
				t.Errorf("%q: %v should not alert", c.text, v)
			}
		}
	}
}

func TestParseRangeRefuses(t *testing.T) {
	for _, c := range []struct {
		text string
		durs bool
		want string
	}{
		{"", false, "empty range"},
		{"@", false, "empty range"},
		{"20:10", false, `"20:10": start is above end`},
		{":5", false, `":5": empty start (use ~ for minus infinity)`},
		{"ten", false, `"ten" is not a number`},
		{"ten", true, `"ten" is neither a number nor a duration`},
		{"10s", false, `"10s" is not a number`},
		{"NaN", false, `"NaN" is not a number`},
		{"Inf", false, `"Inf" is not a number`},
		{"1:5s", true, `"1:5s" mixes a number and a duration`},
		{"~:x", false, `"x" is not a number`},
	} {
		_, err := ParseRange(c.text, false, c.durs)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v, want %q", c.text, err, c.want)
		}
	}
}

func TestThresholds(t *testing.T) {
	th, err := ParseThresholds("2,1", true, false)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[float64]Severity{3: OK, 2: OK, 1: Warning, 0: Critical} {
		if got := th.Judge(v); got != want {
			t.Errorf("standbys %v: %v, want %v", v, got, want)
		}
	}
	if p := th.Perf(); p != ";2:;1:" {
		t.Errorf("perf %q", p)
	}
	lag, err := ParseThresholds("1s,10s", false, true)
	if err != nil || !lag.Duration() || lag.Judge(0.5) != OK || lag.Judge(2) != Warning || lag.Judge(11) != Critical || lag.Perf() != ";1;10" {
		t.Errorf("lag %v %+v %q", err, lag, lag.Perf())
	}
	only, err := ParseThresholds(",@10:20", false, false)
	if err != nil || only.Warn != nil || only.Judge(15) != Critical || only.Judge(5) != OK || only.Perf() != ";;@10:20" {
		t.Errorf("crit only %v %+v", err, only)
	}
	if p := (Thresholds{Warn: &Range{Lo: math.Inf(-1), Hi: 5}}).Perf(); p != ";~:5;" {
		t.Errorf("perf %q", p)
	}
	for _, bad := range []string{"", ",", "1,2,3", "1s,5", "x,1"} {
		if _, err := ParseThresholds(bad, false, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

package pcp

import (
	"math"
	"strings"
)

// Atoi converts like C's atoi(3) on glibc: optional leading white space and
// sign, then digits up to the first non-digit; no digits gives 0. The value
// is computed as strtol would (clamped to the int64 range) and then truncated
// to 32 bits, which is what assigning strtol's long to an int does. The stock
// tools parse every number this way, so "abc" is node 0 and "99999999999"
// wraps; reproducing it keeps our validation messages identical to theirs.
func Atoi(s string) int {
	return int(int32(Atol(s)))
}

// Atol is C's atol(3)/strtol(…, 10) with the int64 clamp.
func Atol(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
			continue
		}
		v = v*10 + d
	}
	if neg {
		if overflow || v > 1<<63 {
			return math.MinInt64
		}
		return -int64(v)
	}
	if overflow || v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// Atof is C's atof(3) for the decimal notation pgpool sends ("%f"): it reads
// the longest valid prefix and returns 0 when there is none.
func Atof(s string) float64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	// strtod also reads "inf", "infinity" and "nan" in any case; without
	// this an overflowing weight, which we print as "+Inf", would read
	// back as 0.
	for _, word := range []string{"infinity", "inf", "nan"} {
		if len(s)-j >= len(word) && strings.EqualFold(s[j:j+len(word)], word) {
			f, _ := parseFloat(s[i : j+len(word)])
			return f
		}
	}
	digits := false
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits = true
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits = true
		}
	}
	if !digits {
		return 0
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	f, err := parseFloat(s[i:j])
	if err != nil {
		return f // ±Inf on overflow, like strtod
	}
	return f
}

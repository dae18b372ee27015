package output

import (
	"bytes"
	"testing"
	"time"
)

// secondFrame is what a terminal watch draws for cur after prev, changed
// cells marked <like this>.
func secondFrame(t *testing.T, prev, cur Streamable) string {
	t.Helper()
	var b bytes.Buffer
	s, err := NewStream(FormatTable, StreamOptions{Out: &b, ErrOut: &b, Title: "watch", TTY: true,
		Highlight: func(s string) string { return "<" + s + ">" }})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 11, 24, 16, 0, 0, 0, time.UTC)
	if err := s.Frame(now, prev, ""); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := s.Frame(now, cur, ""); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

package cmdutil

import (
	"errors"
	"testing"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"ERROR:  invalid node id: 9\nDETAIL:  pgpool-II has 2\n": "invalid node id: 9 DETAIL: pgpool-II has 2",
		"ERROR: unable to read data from socket.":                "unable to read data from socket.",
		"pgpool sent an invalid response: short":                 "pgpool sent an invalid response: short",
	} {
		if got := OneLine(errors.New(in)); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

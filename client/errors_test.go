package client

import (
	"errors"
	"fmt"
	"testing"
)

// TestUnanswered: only a timeout after the socket connected is a port held
// open without being served; a refused or slow dial is not.
func TestUnanswered(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&Error{Kind: KindTimeout, Op: OpAuth}, true},
		{fmt.Errorf("wrapped: %w", &Error{Kind: KindTimeout, Op: OpRead}), true},
		{&Error{Kind: KindTimeout, Op: OpDial}, false},
		{&Error{Kind: KindConnect, Op: OpDial}, false},
		{&Error{Kind: KindIO, Op: OpRead}, false},
		{errors.New("timeout"), false},
		{nil, false},
	} {
		if got := Unanswered(c.err); got != c.want {
			t.Errorf("Unanswered(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

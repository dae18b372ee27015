package client

import (
	"context"
	"testing"
	"time"
)

func TestExpiringBeforeAndAfterItsDeadline(t *testing.T) {
	d := time.Now().Add(80 * time.Millisecond)
	ctx := Expiring(d)
	if got, ok := ctx.Deadline(); !ok || !got.Equal(d) {
		t.Fatalf("Deadline() = %v, %v", got, ok)
	}
	if err := ctx.Err(); err != nil {
		t.Fatalf("Err() before the deadline = %v", err)
	}
	time.Sleep(time.Until(d) + 10*time.Millisecond)
	if err := ctx.Err(); err != context.DeadlineExceeded {
		t.Fatalf("Err() after the deadline = %v", err)
	}
	// Done asked for only now is already closed.
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
		t.Fatal("Done not closed after the deadline")
	}
}

func TestExpiringDoneClosesAtTheDeadline(t *testing.T) {
	start := time.Now()
	ctx := Expiring(start.Add(50 * time.Millisecond))
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("Done not closed")
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Fatalf("Done closed after %s, before the deadline", took)
	}
	if err := ctx.Err(); err != context.DeadlineExceeded {
		t.Fatalf("Err() = %v", err)
	}
	// A derived context sees the end too.
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	if child.Err() != context.DeadlineExceeded {
		t.Fatalf("child Err() = %v", child.Err())
	}
}

// Only Expiring contexts skip the cancellation wake-up.
func TestOnlyExpires(t *testing.T) {
	if !onlyExpires(Expiring(time.Now())) {
		t.Error("Expiring context not recognised")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if onlyExpires(ctx) {
		t.Error("a cancellable context taken for an expiring one")
	}
}

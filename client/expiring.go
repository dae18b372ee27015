package client

import (
	"context"
	"sync"
	"time"
)

// Expiring returns a context that ends at deadline and cannot be cancelled
// otherwise, for a one-shot command that nothing interrupts but time.
//
// context.WithDeadline arms a runtime timer at once, and the first timer
// of a process sets up Go's netpoller (epoll, an eventfd and a thread
// parked in epoll_pwait): a good part of a pcp_* call's client CPU, for a
// deadline that the socket already enforces as its poll(2) timeout. This
// context arms a timer only if someone asks for Done; the socket code asks
// only for Deadline.
func Expiring(deadline time.Time) context.Context {
	return &expiring{deadline: deadline}
}

type expiring struct {
	deadline time.Time
	mu       sync.Mutex
	timed    context.Context // created by the first Done
	// stop is kept, never called: the timer of an expiring context lives
	// until the deadline, as there is no cancel function to end it sooner.
	stop context.CancelFunc
}

func (c *expiring) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *expiring) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed == nil {
		c.timed, c.stop = context.WithDeadline(context.Background(), c.deadline)
	}
	return c.timed.Done()
}

func (c *expiring) Err() error {
	c.mu.Lock()
	timed := c.timed
	c.mu.Unlock()
	if timed != nil {
		return timed.Err()
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

func (c *expiring) Value(any) any { return nil }

func (c *expiring) String() string { return "client.Expiring(" + c.deadline.String() + ")" }

// onCancel runs wake when ctx is cancelled and returns the function that
// stops it. A context that only expires needs no wake-up (the wait's own
// deadline ends it), and asking it for Done would arm the timer it exists
// to avoid.
func onCancel(ctx context.Context, wake func()) (stop func() bool) {
	if onlyExpires(ctx) || ctx.Done() == nil {
		return func() bool { return false }
	}
	return context.AfterFunc(ctx, wake)
}

// onlyExpires reports a context whose end its deadline alone decides.
func onlyExpires(ctx context.Context) bool {
	_, ok := ctx.(*expiring)
	return ok
}

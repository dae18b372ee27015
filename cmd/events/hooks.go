package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pcpctl/pcpctl/output"
)

// hooks runs the --exec command for each event, one at a time, in a
// goroutine of its own behind a bounded queue.
type hooks struct {
	cmd     string
	timeout time.Duration
	errOut  io.Writer
	queue   chan Event
	done    chan struct{}

	mu      sync.Mutex
	dropped int
	skipped int
	halt    bool
}

func (h *hooks) stopping() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.halt
}

func startHooks(cmd string, timeout time.Duration, errOut io.Writer) *hooks {
	h := &hooks{cmd: cmd, timeout: timeout, errOut: errOut, queue: make(chan Event, HookQueue), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for e := range h.queue {
			if h.stopping() {
				h.mu.Lock()
				h.skipped++
				h.mu.Unlock()
				continue
			}
			h.run(e)
		}
	}()
	return h
}

// offer queues e without waiting; false means it was dropped.
func (h *hooks) offer(e Event) bool {
	select {
	case h.queue <- e:
		return true
	default:
		h.mu.Lock()
		h.dropped++
		h.mu.Unlock()
		return false
	}
}

func (h *hooks) droppedCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// stop waits for the hook that runs (under its deadline) and skips the
// queued ones, saying how many: an interrupt must not take minutes.
func (h *hooks) stop() {
	h.mu.Lock()
	h.halt = true
	h.mu.Unlock()
	close(h.queue)
	<-h.done
	if h.skipped > 0 {
		fmt.Fprintf(h.errOut, "pcpctl: warning: exiting: %d queued event(s) were not passed to the hook\n", h.skipped)
	}
}

// secretEnv are variables a hook must not inherit.
var secretEnv = []string{"PGPASSWORD", "PCPPASSWORD"}

// HookEnv is the environment of a hook run: ours without the passwords,
// plus the event's main fields.
func HookEnv(base []string, e *Event) []string {
	var env []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		secret := strings.HasPrefix(k, "PCPCTL_EVENT_")
		for _, s := range secretEnv {
			secret = secret || k == s
		}
		if !secret {
			env = append(env, kv)
		}
	}
	id := ""
	if e.NodeID >= 0 {
		id = fmt.Sprint(e.NodeID)
	}
	return append(env,
		"PCPCTL_EVENT_TIME="+e.Time.UTC().Format(time.RFC3339Nano),
		"PCPCTL_EVENT_PGPOOL="+e.Pgpool,
		"PCPCTL_EVENT_KIND="+e.Kind,
		"PCPCTL_EVENT_SUBJECT="+e.Subject,
		"PCPCTL_EVENT_NODE_ID="+id,
		"PCPCTL_EVENT_OLD="+e.Old,
		"PCPCTL_EVENT_NEW="+e.New,
	)
}

func (h *hooks) run(e Event) {
	var in bytes.Buffer
	output.WriteJSONLine(&in, e.Record())
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", h.cmd)
	c.Env = HookEnv(os.Environ(), &e)
	c.Stdin = &in
	c.Stdout, c.Stderr = h.errOut, h.errOut
	killGroup(c)
	c.WaitDelay = time.Second
	err := c.Run()
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(h.errOut, "pcpctl: warning: the hook for the %s event of %s was killed after %s (--exec-timeout)\n", e.Kind, e.Subject, h.timeout)
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			fmt.Fprintf(h.errOut, "pcpctl: warning: the hook for the %s event of %s failed: %s\n", e.Kind, e.Subject, ee.ProcessState)
		} else {
			fmt.Fprintf(h.errOut, "pcpctl: warning: the hook could not run: %v\n", err)
		}
	}
}

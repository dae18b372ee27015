package compat

// growStack makes the goroutine's stack 16 KB while it is still shallow.
// A call's deepest paths (fmt, the watchdog JSON) otherwise grow it two or
// three times from deep inside, and each growth walks every frame through
// the function tables: 96–144 pages of them the call would not touch
// otherwise (400–600 KB of the process's peak RSS; BENCHMARKS.md).
//
//go:noinline
func growStack() {
	var frame [12 << 10]byte
	touch(frame[:])
}

// touch keeps the frame: an unused array would be optimised away.
//
//go:noinline
func touch(b []byte) { b[len(b)-1] = 1 }

package e2e

import "syscall"

// detachedTTY starts the child in a new session, so it has no controlling
// terminal even when the tests run from one.
func detachedTTY() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

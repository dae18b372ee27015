//go:build unix

package events

import (
	"os/exec"
	"syscall"
)

// killGroup makes the deadline kill the hook's whole process group: a
// shell's children (curl, sleep) would otherwise outlive it.
func killGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
}

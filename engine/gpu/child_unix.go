//go:build unix

package gpu

import (
	"os/exec"
	"syscall"
)

// prepareChild puts the child in its own process group so cancelling kills
// it and anything it started (a wrapper script's children too): no orphans.
func prepareChild(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

//go:build unix

package media

import (
	"os/exec"
	"syscall"
)

// prepareChild gives ffmpeg/ffplay their own process group so a cancel kills
// everything they started: no orphans after Close.
func prepareChild(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

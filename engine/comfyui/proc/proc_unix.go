//go:build !windows

package proc

import (
	"os/exec"
	"syscall"
)

func prepare(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// Own process group: a Ctrl-C in the app's terminal does not hit ComfyUI
	// twice, and the group can be signalled as a whole.
	cmd.SysProcAttr.Setpgid = true
}

func interrupt(pid int) error {
	// The child leads its own group (Prepare), so -pid reaches the whole group.
	if err := syscall.Kill(-pid, syscall.SIGINT); err == nil {
		return nil
	}
	return syscall.Kill(pid, syscall.SIGINT)
}

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

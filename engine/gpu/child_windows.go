//go:build windows

package gpu

import (
	"os/exec"
	"syscall"
)

// prepareChild keeps nvidia-smi from flashing a console window over the app.
func prepareChild(cmd *exec.Cmd) {
	const createNoWindow = 0x08000000
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
}

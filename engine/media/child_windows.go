//go:build windows

package media

import (
	"os/exec"
	"syscall"
)

// prepareChild keeps ffmpeg/ffplay from opening a console window.
func prepareChild(cmd *exec.Cmd) {
	const createNoWindow = 0x08000000
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
}

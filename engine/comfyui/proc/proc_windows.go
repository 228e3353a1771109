//go:build windows

package proc

import (
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/windows"
)

func prepare(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// A new process group lets CTRL_BREAK reach ComfyUI alone; no console
	// window pops up from a GUI app.
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_NO_WINDOW
}

func interrupt(pid int) error {
	// CTRL_BREAK only reaches processes attached to our console; without
	// one, taskkill /T (no /F) asks the tree to close.
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid)); err == nil {
		return nil
	}
	return exec.Command("taskkill", "/T", "/PID", strconv.Itoa(pid)).Run()
}

func killGroup(pid int) {
	_ = exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(pid)).Run()
}

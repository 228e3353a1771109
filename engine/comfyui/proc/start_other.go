//go:build !linux && !windows

package proc

import "os/exec"

// Other systems have no parent-death signal; the pidfile lets the next start
// stop a ComfyUI that a crashed app left behind.
func start(cmd *exec.Cmd) (func(), error) {
	return func() {}, cmd.Start()
}

package comfyui

import (
	"os"
	"os/exec"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// TestStopStraysLeavesThePool: after a crash with three GPUs, a start with
// GPUs 0 and 1 stops GPU 3's leftover ComfyUI and keeps GPU 1's pidfile.
func TestStopStraysLeavesThePool(t *testing.T) {
	d := appdirs.Dirs{State: t.TempDir()}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command to stand in for ComfyUI")
	}
	start := func(n int) *exec.Cmd {
		c := exec.Command(sleep, "600")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		ct, err := proc.CreateTime(t.Context(), c.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		if err := proc.WritePidfile(PidFileGPU(d, n), proc.Pidfile{PID: c.Process.Pid, CreateTime: ct, Port: 9000 + n}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	stray, kept := start(3), start(1)
	exited := make(chan struct{})
	go func() { stray.Wait(); close(exited) }()
	StopStrays(t.Context(), d, []int{0, 1})
	<-exited
	if _, err := os.Stat(PidFileGPU(d, 3)); err == nil {
		t.Error("the stray's pidfile is left")
	}
	if _, err := os.Stat(PidFileGPU(d, 1)); err != nil {
		t.Errorf("GPU 1's pidfile went: %v", err)
	}
	if ct, _ := proc.CreateTime(t.Context(), kept.Process.Pid); !proc.Running(t.Context(), kept.Process.Pid, ct) || ct == 0 {
		t.Error("GPU 1's ComfyUI was stopped")
	}
	if got := PidFiles(d); len(got) != 2 || got[0] != PidFile(d) || got[1] != PidFileGPU(d, 1) {
		t.Errorf("pidfiles %v", got)
	}
}

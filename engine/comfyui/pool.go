package comfyui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// With several GPUs the app runs one managed ComfyUI per GPU. The first one
// keeps the classic pidfile, log and folders; every further GPU N gets its
// own pidfile entry (comfyui-gpuN.pid), log and user/temp/output folders,
// while the install (venv, ComfyUI checkout, custom nodes), the models and
// the input folder are shared.

// PidFileGPU is the pidfile of the extra ComfyUI on GPU n.
func PidFileGPU(d appdirs.Dirs, n int) string {
	return filepath.Join(d.State, fmt.Sprintf("comfyui-gpu%d.pid", n))
}

// LogPathGPU is the server log of the extra ComfyUI on GPU n.
func LogPathGPU(d appdirs.Dirs, n int) string {
	return filepath.Join(d.State, "logs", fmt.Sprintf("comfyui-gpu%d.log", n))
}

// GPUDir holds the user, temp and output folders of the extra ComfyUI on GPU n.
func GPUDir(d appdirs.Dirs, s settings.Settings, n int) string {
	return filepath.Join(Root(d, s), "gpus", fmt.Sprint(n))
}

// PidFiles lists every pidfile the app may have written: the classic one
// first, then one per extra GPU.
func PidFiles(d appdirs.Dirs) []string {
	out := []string{PidFile(d)}
	extra, _ := filepath.Glob(filepath.Join(d.State, "comfyui-gpu*.pid"))
	slices.Sort(extra)
	return append(out, extra...)
}

// PinGPU makes a supervisor config run ComfyUI on GPU n only, numbered as
// nvidia-smi and NVML number them (CUDA's own order may differ).
func PinGPU(c *supervise.Config, n int) {
	c.CUDADevice = fmt.Sprint(n)
	c.Env = append(c.Env, "CUDA_DEVICE_ORDER=PCI_BUS_ID")
}

// stopDetachedAll stops every ComfyUI of the pool that another process started.
func stopDetachedAll(ctx context.Context, d appdirs.Dirs) (bool, error) {
	var any bool
	var errs []error
	for _, pf := range PidFiles(d) {
		stopped, err := proc.StopStale(ctx, pf, supervise.DefaultStopGrace)
		any = any || stopped
		if err != nil {
			errs = append(errs, err)
		}
	}
	return any, errors.Join(errs...)
}

// RunningOnGPU reports the live ComfyUI of the pool on GPU n (primary: the
// classic pidfile, whatever GPU it runs on), the way Running does.
func RunningOnGPU(ctx context.Context, d appdirs.Dirs, n int, primary bool) (pid int, url string, ok bool) {
	path := PidFileGPU(d, n)
	if primary {
		path = PidFile(d)
	}
	pf, found := proc.ReadPidfile(path)
	if !found || !proc.Running(ctx, pf.PID, pf.CreateTime) || !pf.OwnerAlive(ctx) {
		return 0, "", false
	}
	return pf.PID, fmt.Sprintf("http://%s:%d", supervise.Host, pf.Port), true
}

// StopStrays stops ComfyUIs of GPUs no longer in the pool that a crashed
// app left behind (their pidfiles stay otherwise, and so would the
// processes, holding GPU memory). One supervised by a live app is left alone.
func StopStrays(ctx context.Context, d appdirs.Dirs, keep []int) {
	for _, path := range PidFiles(d)[1:] {
		var n int
		if _, err := fmt.Sscanf(filepath.Base(path), "comfyui-gpu%d.pid", &n); err != nil || slices.Contains(keep, n) {
			continue
		}
		if pf, ok := proc.ReadPidfile(path); ok && pf.OwnedElsewhere(ctx) {
			continue
		}
		_, _ = proc.StopStale(ctx, path, supervise.DefaultStopGrace)
	}
}

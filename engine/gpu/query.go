package gpu

import (
	"context"
	"errors"
	"strings"
)

// ErrNoNVIDIA says there is no NVIDIA driver to ask: no NVML library and no
// nvidia-smi on PATH.
//
//lint:ignore ST1005 a sentence shown to the user as it is (NoGPU is its start)
var ErrNoNVIDIA = errors.New(NoGPU + "; install the NVIDIA driver to generate on this machine")

// DriverVersion returns the NVIDIA driver version, e.g. "580.159.04", from
// NVML when it loads, else from nvidia-smi.
func DriverVersion(ctx context.Context) (string, error) {
	if n, err := OpenNVML(); err == nil {
		v, verr := n.DriverVersion()
		n.Close()
		if verr == nil && v != "" {
			return v, nil
		}
	}
	return driverVersionSMI(ctx, "")
}

func driverVersionSMI(ctx context.Context, smi string) (string, error) {
	out, err := runSMI(ctx, smi, "--query-gpu=driver_version", "--format=csv,noheader")
	if err != nil {
		return "", err
	}
	// One line per GPU, all the same driver.
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" && !isUnknown(l) {
			return l, nil
		}
	}
	return "", errors.New("nvidia-smi printed no driver version")
}

// ProcessVRAM lists the processes using GPU memory, to split the meter's
// "used" into ComfyUI (our child's PIDs, see SplitVRAM) and other processes.
// It spawns nvidia-smi (~18 ms CPU), so call it every few seconds at most.
func ProcessVRAM(ctx context.Context) ([]ProcessMem, error) {
	return processVRAM(ctx, "")
}

func processVRAM(ctx context.Context, smi string) ([]ProcessMem, error) {
	out, err := runSMI(ctx, smi, "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits")
	if err != nil {
		return nil, err
	}
	return parseAppsCSV(out), nil
}

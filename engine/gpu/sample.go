// Package gpu samples GPU memory (NVML loaded at run time, nvidia-smi as the
// fallback) and system RAM for the VRAM meter and for install decisions.
//
// Nothing here needs cgo or the NVIDIA driver at build time: a binary built
// on a machine without a GPU starts everywhere and reports NoGPU in words.
package gpu

import (
	"context"
	"time"
)

// Device is one GPU at one instant.
type Device struct {
	Index    int
	Name     string
	UsedMiB  uint64
	TotalMiB uint64
	UtilPct  int // GPU busy percent, -1 when the driver does not say ("[N/A]")
}

// FreeMiB is the memory not in use; 0 when the numbers are inconsistent.
func (d Device) FreeMiB() uint64 {
	if d.UsedMiB >= d.TotalMiB {
		return 0
	}
	return d.TotalMiB - d.UsedMiB
}

// Sample is one reading of the whole machine.
type Sample struct {
	Time     time.Time
	GPUs     []Device // empty when there is no NVIDIA GPU
	NoGPU    string   // why there is no GPU reading, in words for a person ("" when GPUs is set)
	RAMUsed  uint64   // bytes
	RAMTotal uint64   // bytes
	Source   string   // "nvml", "nvidia-smi", "fake" or "" (RAM only); for logs and the about box
}

// Sampler produces samples until ctx ends. Implementations must not block the
// caller: Run is started on its own goroutine and calls emit for each sample.
// Tests feed the UI through a fake Sampler.
type Sampler interface {
	Run(ctx context.Context, interval time.Duration, emit func(Sample)) error
}

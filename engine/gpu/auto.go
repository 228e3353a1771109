package gpu

import (
	"context"
	"log/slog"
	"time"
)

// Auto is the sampler the app uses: NVML when the driver library loads,
// else nvidia-smi in loop mode, else RAM only with NoGPU saying why.
type Auto struct {
	SMIPath string       // "" looks nvidia-smi up on PATH
	NoNVML  bool         // skip NVML (tests, or a driver whose NVML misbehaves)
	RAM     RAMFunc      // nil: gopsutil
	Log     *slog.Logger // nil: slog.Default()
}

// New returns the app's sampler.
func New(log *slog.Logger) Sampler { return &Auto{Log: log} }

// Run implements Sampler.
func (a *Auto) Run(ctx context.Context, interval time.Duration, emit func(Sample)) error {
	log := a.Log
	if log == nil {
		log = slog.Default()
	}
	if !a.NoNVML {
		n, err := OpenNVML()
		if err == nil {
			defer n.Close()
			log.Info("VRAM meter reads NVML", "gpus", n.Count())
			return n.run(ctx, interval, a.RAM, emit)
		}
		log.Info("NVML unavailable; trying nvidia-smi", "reason", err)
	}
	s := &SMISampler{Path: a.SMIPath, RAM: a.RAM, Log: log}
	return s.Run(ctx, interval, emit)
}

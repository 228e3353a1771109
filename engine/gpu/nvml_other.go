//go:build !linux && !windows

package gpu

import (
	"context"
	"errors"
	"time"
)

// NVML is unavailable on this OS; OpenNVML always fails and the nvidia-smi
// sampler (or the no-GPU state) takes over.
type NVML struct{}

// OpenNVML reports that NVML is not supported here.
func OpenNVML() (*NVML, error) { return nil, errors.New("NVML is not supported on this system") }

func (n *NVML) Close()                         {}
func (n *NVML) Count() int                     { return 0 }
func (n *NVML) Devices() ([]Device, error)     { return nil, errors.New("NVML is not supported") }
func (n *NVML) DriverVersion() (string, error) { return "", errors.New("NVML is not supported") }
func (n *NVML) Run(ctx context.Context, interval time.Duration, emit func(Sample)) error {
	return n.run(ctx, interval, nil, emit)
}
func (n *NVML) run(ctx context.Context, _ time.Duration, _ RAMFunc, _ func(Sample)) error {
	<-ctx.Done()
	return nil
}

package gpu

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Lister finds the machine's GPUs once (at start, for Settings → GPUs to
// use and for one managed ComfyUI per GPU): NVML when the driver library
// loads, else one nvidia-smi query. Indices are the driver's (PCI bus
// order), which is what ComfyUI's --cuda-device means when CUDA_DEVICE_ORDER
// is PCI_BUS_ID.
type Lister struct {
	SMIPath string // "" looks nvidia-smi up on PATH
	NoNVML  bool   // skip NVML (tests inject a fake nvidia-smi this way)
}

// List returns the GPUs found now; ErrNoNVIDIA (wrapped) when there is no
// driver to ask.
func List(ctx context.Context) ([]Device, error) { return Lister{}.List(ctx) }

// List implements the lookup.
func (l Lister) List(ctx context.Context) ([]Device, error) {
	if !l.NoNVML {
		if n, err := OpenNVML(); err == nil {
			devs, derr := n.Devices()
			n.Close()
			if derr == nil {
				return devs, nil
			}
		}
	}
	path := l.SMIPath
	if path == "" {
		p, err := FindSMI()
		if err != nil {
			return nil, ErrNoNVIDIA
		}
		path = p
	}
	out, err := runSMI(ctx, path, "--query-gpu="+smiQueryGPU, "--format=csv,noheader,nounits")
	if err != nil {
		return nil, fmt.Errorf("listing GPUs: %w", err)
	}
	var devs []Device
	var bad []string
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		d, err := parseGPULine(line)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		devs = append(devs, d)
	}
	if len(devs) == 0 {
		if len(bad) > 0 {
			return nil, fmt.Errorf("listing GPUs: %s", bad[0])
		}
		//lint:ignore ST1005 a sentence shown to the user as it is (NoGPU is its start)
		return nil, errors.New(NoGPU + ": nvidia-smi lists no GPU")
	}
	return devs, nil
}

// FreeBytes is a device's free memory in bytes.
func (d Device) FreeBytes() uint64 { return d.FreeMiB() << 20 }

// TotalBytes is a device's memory in bytes.
func (d Device) TotalBytes() uint64 { return d.TotalMiB << 20 }

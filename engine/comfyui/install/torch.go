package install

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
)

// NvidiaSMIDriverVersion asks nvidia-smi for the driver version of the first
// GPU. No nvidia-smi, or no GPU, is "" without an error.
func NvidiaSMIDriverVersion(ctx context.Context) (string, error) {
	exe, err := gpu.FindSMI()
	if err != nil {
		return "", nil
	}
	cmd := exec.CommandContext(ctx, exe, "--query-gpu=driver_version", "--format=csv,noheader")
	proc.Prepare(cmd) // no console window flashing over the app on Windows
	out, err := cmd.Output()
	if err != nil {
		return "", nil // a driver that cannot talk to a GPU counts as none
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line), nil
}

// Torch is the PyTorch build chosen for this machine.
type Torch struct {
	Variant string // cu130, cu128, cu126 or cpu
	Driver  string // NVIDIA driver version, "" when none
	Warning string // said to the user before installing, if not empty
}

// GPU reports whether the build uses CUDA (and the self-test must see the GPU).
func (t Torch) GPU() bool { return t.Variant != "cpu" }

// IndexURL is the PyTorch wheel index for the variant.
func (t Torch) IndexURL() string { return "https://download.pytorch.org/whl/" + t.Variant }

// ChooseTorch picks the newest CUDA build the driver can run. Thresholds are
// the driver branches of each CUDA release (13.0: 580, 12.8: 570, 12.6: 560;
// the same branches on Windows). Older 12.x-capable drivers (≥ 525, CUDA
// minor-version compatibility) get cu126 with a warning; anything older, or
// no NVIDIA GPU, gets the CPU build with a warning.
func ChooseTorch(driver string) Torch {
	driver = strings.TrimSpace(driver)
	if driver == "" {
		return Torch{Variant: "cpu", Warning: gpu.NoGPU + ", so the CPU build of PyTorch is installed. " +
			"LTX-2.3 on the CPU is far too slow for real use; install the NVIDIA driver and reinstall ComfyUI if this machine has an NVIDIA card."}
	}
	majorStr, _, _ := strings.Cut(driver, ".")
	major, err := strconv.Atoi(majorStr)
	if err != nil {
		return Torch{Variant: "cpu", Driver: driver, Warning: fmt.Sprintf("The NVIDIA driver version %q could not be read, so the CPU build of PyTorch is installed.", driver)}
	}
	switch {
	case major >= 580:
		return Torch{Variant: "cu130", Driver: driver}
	case major >= 570:
		return Torch{Variant: "cu128", Driver: driver}
	case major >= 560:
		return Torch{Variant: "cu126", Driver: driver}
	case major >= 525:
		return Torch{Variant: "cu126", Driver: driver, Warning: fmt.Sprintf("NVIDIA driver %s is old; PyTorch for CUDA 12.6 may not run well on it. Update the driver to 560 or newer (580+ recommended), then reinstall ComfyUI.", driver)}
	}
	return Torch{Variant: "cpu", Driver: driver, Warning: fmt.Sprintf("NVIDIA driver %s is too old for current PyTorch, so the CPU build is installed. Update the driver to 560 or newer (580+ recommended), then reinstall ComfyUI.", driver)}
}

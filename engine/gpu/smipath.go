package gpu

import (
	"os"
	"os/exec"
)

// FindSMI finds nvidia-smi: on PATH, else where the driver installs it
// without putting it on PATH (Windows: System32 on current drivers, the NVSMI
// folder under Program Files on old ones). It returns ErrNoNVIDIA when there
// is none.
func FindSMI() (string, error) {
	if p, err := exec.LookPath("nvidia-smi"); err == nil {
		return p, nil
	}
	for _, p := range smiFallbacks() {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", ErrNoNVIDIA
}

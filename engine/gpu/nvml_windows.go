package gpu

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// loadNVMLLibrary finds nvml.dll: System32 on current drivers, the NVSMI
// folder on old ones.
func loadNVMLLibrary() (uintptr, error) {
	candidates := []string{"nvml.dll"}
	if pf := os.Getenv("ProgramFiles"); pf != "" {
		candidates = append(candidates, filepath.Join(pf, "NVIDIA Corporation", "NVSMI", "nvml.dll"))
	}
	var firstErr error
	for _, c := range candidates {
		h, err := syscall.LoadLibrary(c)
		if err == nil {
			return uintptr(h), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return 0, fmt.Errorf("NVIDIA driver library not found (nvml.dll): %w", firstErr)
}

func nvmlSymbol(lib uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(lib), name)
}

func closeNVMLLibrary(lib uintptr) { _ = syscall.FreeLibrary(syscall.Handle(lib)) }

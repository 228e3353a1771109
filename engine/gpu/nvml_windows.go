package gpu

import (
	"fmt"
	"path/filepath"
	"syscall"
)

// loadNVMLLibrary loads nvml.dll by full path from the driver's folders
// (System32 on current drivers, the NVSMI folder on old ones).
func loadNVMLLibrary() (uintptr, error) {
	firstErr := error(syscall.ERROR_MOD_NOT_FOUND)
	for i, dir := range driverFolders() {
		h, err := syscall.LoadLibrary(filepath.Join(dir, "nvml.dll"))
		if err == nil {
			return uintptr(h), nil
		}
		if i == 0 {
			firstErr = err
		}
	}
	return 0, fmt.Errorf("NVIDIA driver library not found (nvml.dll): %w", firstErr)
}

func nvmlSymbol(lib uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(lib), name)
}

func closeNVMLLibrary(lib uintptr) { _ = syscall.FreeLibrary(syscall.Handle(lib)) }

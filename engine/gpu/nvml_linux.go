package gpu

import (
	"fmt"

	"github.com/ebitengine/purego"
)

func loadNVMLLibrary() (uintptr, error) {
	h, err := purego.Dlopen("libnvidia-ml.so.1", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return 0, fmt.Errorf("NVIDIA driver library not found (libnvidia-ml.so.1): %w", err)
	}
	return h, nil
}

func nvmlSymbol(lib uintptr, name string) (uintptr, error) { return purego.Dlsym(lib, name) }

func closeNVMLLibrary(lib uintptr) { _ = purego.Dlclose(lib) }

//go:build windows

package gpu

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// driverFolders are where the NVIDIA driver puts nvml.dll and nvidia-smi.exe:
// System32 (driver 418 and newer), then Program Files\NVIDIA Corporation\NVSMI.
// Both are full paths: loading "nvml.dll" by bare name would search the
// program's own folder first, so a DLL dropped next to the .exe in Downloads
// would run inside the app.
func driverFolders() []string {
	return driverFoldersFrom(systemDir(), os.Getenv("ProgramFiles"))
}

func driverFoldersFrom(system32, programFiles string) []string {
	var out []string
	if system32 != "" {
		out = append(out, system32)
	}
	if programFiles != "" {
		out = append(out, filepath.Join(programFiles, "NVIDIA Corporation", "NVSMI"))
	}
	return out
}

func systemDir() string {
	if d, err := windows.GetSystemDirectory(); err == nil {
		return d
	}
	if root := os.Getenv("SystemRoot"); root != "" {
		return filepath.Join(root, "System32")
	}
	return ""
}

func smiFallbacks() []string {
	var out []string
	for _, d := range driverFolders() {
		out = append(out, filepath.Join(d, "nvidia-smi.exe"))
	}
	return out
}

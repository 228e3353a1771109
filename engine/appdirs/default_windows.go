//go:build windows

package appdirs

import (
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
	"golang.org/x/sys/windows"
)

func platformDefault() Dirs {
	return WindowsLayout(
		knownFolder(windows.FOLDERID_RoamingAppData, "APPDATA", "Roaming"),
		knownFolder(windows.FOLDERID_LocalAppData, "LOCALAPPDATA", "Local"),
		videosDir())
}

// knownFolder asks the shell for a Known Folder (the truth when a user or an
// administrator has moved it), then falls back to its environment variable,
// then to where Windows puts it by default.
func knownFolder(id *windows.KNOWNFOLDERID, env, under string) string {
	if p, err := windows.KnownFolderPath(id, windows.KF_FLAG_DEFAULT); err == nil && p != "" {
		return p
	}
	if p := os.Getenv(env); p != "" {
		return p
	}
	return filepath.Join(xdg.Home, "AppData", under)
}

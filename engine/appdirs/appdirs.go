// Package appdirs resolves where the app keeps its things, per the XDG rules
// on Linux and the Known Folders on Windows. Everything
// takes a Dirs value rather than reading a global, so tests use temp dirs.
package appdirs

import (
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
)

// AppName is the folder name used under each base directory.
const AppName = "ltx-studio"

// Dirs are the app's directories. Zero fields are never used: build with Default or Under.
type Dirs struct {
	Config string // settings.json, hf token copy (0600)
	Data   string // the managed ComfyUI installs, the job queue
	Cache  string // thumbnails, temp media
	State  string // logs, pidfiles
	Videos string // finished videos and their sidecars ("LTX Studio" in the user's videos folder)
}

// Default returns the per-user directories. LTX_STUDIO_HOME, when set, puts
// everything under one folder (portable installs, tests, CI).
func Default() Dirs {
	if home := os.Getenv("LTX_STUDIO_HOME"); home != "" {
		return Under(home)
	}
	return platformDefault()
}

// videosDir is the user's Videos folder (XDG user dirs, the Videos known
// folder on Windows), where finished videos go in an "LTX Studio" folder.
func videosDir() string {
	if v := xdg.UserDirs.Videos; v != "" {
		return filepath.Join(v, VideosFolder)
	}
	return filepath.Join(xdg.Home, "Videos", VideosFolder)
}

// VideosFolder is the folder made in the user's Videos folder.
const VideosFolder = "LTX Studio"

// XDGLayout is the layout on Linux and the BSDs: each kind of file under its
// XDG base directory (~/.config, ~/.local/share, ~/.cache, ~/.local/state).
func XDGLayout(configHome, dataHome, cacheHome, stateHome, videos string) Dirs {
	return Dirs{
		Config: filepath.Join(configHome, AppName),
		Data:   filepath.Join(dataHome, AppName),
		Cache:  filepath.Join(cacheHome, AppName),
		State:  filepath.Join(stateHome, AppName),
		Videos: videos,
	}
}

// WindowsLayout is the layout on Windows. Settings go to the roaming
// %APPDATA% (they are small and follow the user); the ComfyUI install
// (~8 GB), caches and logs stay on this machine in %LOCALAPPDATA%, which is
// never synced. adrg/xdg maps config, data and state all to the same
// %LOCALAPPDATA% folder, so they get a sub-folder each here instead.
func WindowsLayout(roamingAppData, localAppData, videos string) Dirs {
	local := filepath.Join(localAppData, AppName)
	return Dirs{
		Config: filepath.Join(roamingAppData, AppName),
		Data:   filepath.Join(local, "data"),
		Cache:  filepath.Join(local, "cache"),
		State:  filepath.Join(local, "state"),
		Videos: videos,
	}
}

// Under lays every directory out below root.
func Under(root string) Dirs {
	return Dirs{
		Config: filepath.Join(root, "config"),
		Data:   filepath.Join(root, "data"),
		Cache:  filepath.Join(root, "cache"),
		State:  filepath.Join(root, "state"),
		Videos: filepath.Join(root, "videos"),
	}
}

// Ensure creates every directory (0700 for config, which holds secrets).
func (d Dirs) Ensure() error {
	if err := os.MkdirAll(d.Config, 0o700); err != nil {
		return err
	}
	for _, p := range []string{d.Data, d.Cache, d.State, d.Videos} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	return nil
}

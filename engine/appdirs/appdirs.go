// Package appdirs resolves where the app keeps its things, per the XDG rules
// on Linux and the Known Folders on Windows (through adrg/xdg). Everything
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
	videos := xdg.UserDirs.Videos
	if videos == "" {
		videos = filepath.Join(xdg.Home, "Videos")
	}
	return Dirs{
		Config: filepath.Join(xdg.ConfigHome, AppName),
		Data:   filepath.Join(xdg.DataHome, AppName),
		Cache:  filepath.Join(xdg.CacheHome, AppName),
		State:  filepath.Join(xdg.StateHome, AppName),
		Videos: filepath.Join(videos, "LTX Studio"),
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

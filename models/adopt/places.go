// Package adopt finds model files the user already has (another ComfyUI's
// models folder, ComfyUI Desktop's or Stability Matrix's, the folders an
// extra_model_paths.yaml names) and takes them into the Hugging Face cache
// without copying their bytes, after checking them against the hub's
// checksum. A file that does not match is reported and left alone.
package adopt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Place is a folder that may hold model files, and where we learnt of it
// (shown to the person next to every file found there).
type Place struct {
	Dir  string
	From string
}

// Where the places come from, as shown to the person.
const (
	FromSettings        = "your ComfyUI (Settings)"
	FromEnv             = "LTX_COMFYUI_DIRS"
	FromDesktop         = "ComfyUI Desktop"
	FromStabilityMatrix = "Stability Matrix"
	FromCommon          = "a ComfyUI in your home folder"
)

// Env is what the search for places needs from the machine; FromOS fills
// it, tests build their own.
type Env struct {
	GOOS      string
	Home      string
	ConfigDir string // ~/.config (or $XDG_CONFIG_HOME) on Linux, %APPDATA% on Windows
	// Extra are ComfyUI folders (or bare model folders) to search first:
	// LTX_COMFYUI_DIRS, a list like PATH.
	Extra []string
	// ComfyUI is the folder Settings names for "your own ComfyUI", if any.
	ComfyUI string
}

// FromOS reads Env from the environment of this process (getenv nil =
// os.Getenv).
func FromOS(getenv func(string) string, settingsFolder string) Env {
	if getenv == nil {
		getenv = os.Getenv
	}
	e := Env{GOOS: runtime.GOOS, ComfyUI: settingsFolder}
	e.Home = getenv("HOME")
	if e.GOOS == "windows" {
		e.Home = getenv("USERPROFILE")
		e.ConfigDir = getenv("APPDATA")
	} else if e.ConfigDir = getenv("XDG_CONFIG_HOME"); e.ConfigDir == "" && e.Home != "" {
		e.ConfigDir = filepath.Join(e.Home, ".config")
	}
	for _, d := range filepath.SplitList(getenv("LTX_COMFYUI_DIRS")) {
		if d != "" {
			e.Extra = append(e.Extra, d)
		}
	}
	return e
}

// Places lists where to look, most specific first, each folder once. Only
// folders that exist are listed.
func Places(e Env) []Place {
	var out []Place
	seen := map[string]bool{}
	add := func(dir, from string) {
		if dir == "" {
			return
		}
		dir = filepath.Clean(dir)
		if seen[dir] {
			return
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return
		}
		seen[dir] = true
		out = append(out, Place{Dir: dir, From: from})
	}
	// A ComfyUI folder: its models/ and whatever its extra_model_paths.yaml
	// adds; the portable build nests ComfyUI/ one level down.
	comfy := func(root, from string) {
		if root == "" {
			return
		}
		for _, r := range []string{root, filepath.Join(root, "ComfyUI")} {
			add(filepath.Join(r, "models"), from)
			for _, d := range ExtraModelPaths(filepath.Join(r, "extra_model_paths.yaml")) {
				add(d, from+", extra_model_paths.yaml")
			}
		}
	}
	for _, d := range e.Extra {
		comfy(d, FromEnv)
		add(d, FromEnv) // a bare folder of model files
	}
	comfy(e.ComfyUI, FromSettings)
	if e.ConfigDir != "" {
		// ComfyUI Desktop keeps its settings in <config>/ComfyUI: config.json
		// names the base folder it installed into, extra_models_config.yaml
		// the model folders it passes to ComfyUI.
		desk := filepath.Join(e.ConfigDir, "ComfyUI")
		comfy(desktopBase(filepath.Join(desk, "config.json")), FromDesktop)
		for _, d := range ExtraModelPaths(filepath.Join(desk, "extra_models_config.yaml")) {
			add(d, FromDesktop)
		}
		// Stability Matrix: its library (library.json's LibraryPath, by
		// default the settings folder itself) keeps one shared Models folder.
		sm := filepath.Join(e.ConfigDir, "StabilityMatrix")
		if lib := smLibrary(filepath.Join(sm, "library.json")); lib != "" {
			add(filepath.Join(lib, "Models"), FromStabilityMatrix)
		}
		add(filepath.Join(sm, "Models"), FromStabilityMatrix)
	}
	if e.Home != "" {
		comfy(filepath.Join(e.Home, "Documents", "ComfyUI"), FromDesktop) // Desktop's default base folder
		comfy(filepath.Join(e.Home, "ComfyUI"), FromCommon)
		comfy(filepath.Join(e.Home, "ComfyUI_windows_portable"), FromCommon)
		add(filepath.Join(e.Home, "StabilityMatrix", "Data", "Models"), FromStabilityMatrix) // portable, unpacked in home
	}
	return out
}

// ExtraModelPaths reads a ComfyUI extra_model_paths.yaml (or Desktop's
// extra_models_config.yaml) and returns every model folder it names, made
// absolute against each section's base_path (itself relative to the file's
// folder, as ComfyUI reads it). A missing or unreadable file names none.
func ExtraModelPaths(file string) []string {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc map[string]map[string]any
	if yaml.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []string
	for _, sec := range doc {
		base, _ := sec["base_path"].(string)
		base = expandHome(strings.TrimSpace(base))
		if base != "" && !filepath.IsAbs(base) {
			base = filepath.Join(filepath.Dir(file), base)
		}
		if base == "" {
			base = filepath.Dir(file)
		}
		for k, v := range sec {
			s, ok := v.(string)
			if !ok || k == "base_path" || k == "is_default" {
				continue
			}
			for _, line := range strings.Split(s, "\n") {
				p := expandHome(strings.TrimSpace(line))
				if p == "" {
					continue
				}
				if !filepath.IsAbs(p) {
					p = filepath.Join(base, p)
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[1:])
		}
	}
	return p
}

// desktopBase is ComfyUI Desktop's install folder from its config.json.
func desktopBase(file string) string {
	var c struct {
		BasePath string `json:"basePath"`
	}
	if b, err := os.ReadFile(file); err == nil && json.Unmarshal(b, &c) == nil {
		return c.BasePath
	}
	return ""
}

// smLibrary is Stability Matrix's library folder from its library.json.
func smLibrary(file string) string {
	var c struct {
		LibraryPath string `json:"LibraryPath"`
	}
	if b, err := os.ReadFile(file); err == nil && json.Unmarshal(b, &c) == nil {
		return c.LibraryPath
	}
	return ""
}

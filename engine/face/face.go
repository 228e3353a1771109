// Package face names where a person does something, in the words of the
// face they use: the window's screens, or the terminal's commands. Engine
// messages take a Face so a terminal user is never sent to a screen.
package face

// Face is the way a person drives the engine.
type Face int

const (
	Window   Face = iota // the desktop window (the zero value)
	Terminal             // the ltx-studio subcommands
)

// windowDownload is the one place in the window that fetches model files.
const windowDownload = "Settings → Repair, at the Download step"

// GetModels says how to get the model files a mode needs (mode may be ""
// when not known).
func (f Face) GetModels(mode string) string {
	if f == Terminal {
		return "get it with: " + modelsCommand("pull", mode)
	}
	return "get it in " + windowDownload
}

// RefetchModel says how to replace a damaged model file.
func (f Face) RefetchModel(mode string) string {
	if f == Terminal {
		return "Replace it with: " + modelsCommand("repair", mode) + " (it checks every file and downloads the damaged ones again)."
	}
	return "Fetch it again in " + windowDownload + "."
}

// RepairComfyUI says how to repair the app's own ComfyUI install.
func (f Face) RepairComfyUI() string {
	if f == Terminal {
		return "run `ltx-studio comfyui repair` (it checks the install and redoes what is broken)"
	}
	return "use Settings → Repair (it checks the install and redoes what is broken)"
}

// SettingsKey names a setting the terminal has no flag for: its key in
// the settings file (file may be "" when the caller does not know it).
func SettingsKey(key, file string) string {
	if file == "" {
		file = "the app's settings.json (in its config folder)"
	}
	return "\"" + key + "\" in " + file
}

// modelsCommand is an `ltx-studio models` subcommand for one mode (or all).
func modelsCommand(sub, mode string) string {
	if mode == "" {
		return "ltx-studio models " + sub
	}
	return "ltx-studio models " + sub + " --mode " + mode
}

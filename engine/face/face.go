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
		return "get it with: " + pullCommand(mode)
	}
	return "get it in " + windowDownload
}

// RefetchModel says how to replace a damaged model file.
func (f Face) RefetchModel(mode string) string {
	if f == Terminal {
		status := "ltx-studio models status"
		if mode != "" {
			status += " --mode " + mode
		}
		return "Delete it from the model cache (" + status + " shows where), then fetch it again: " + pullCommand(mode) + "."
	}
	return "Fetch it again in " + windowDownload + "."
}

func pullCommand(mode string) string {
	if mode == "" {
		return "ltx-studio models pull"
	}
	return "ltx-studio models pull --mode " + mode
}

// Package workflows owns the six LTX-2.3 generation modes: what each takes
// (the registry the UI builds its forms from), the API-format graphs that
// ComfyUI runs, and the one set of shape rules (sizes, 8n+1 frames) that the
// form and the graph share. It holds data and pure functions only: no UI, no I/O
// beyond its embedded files.
package workflows

// ModeID names a generation mode; it is stable and used in files and the CLI.
type ModeID string

const (
	T2V      ModeID = "t2v"
	I2V      ModeID = "i2v"
	A2V      ModeID = "a2v"
	Lipsync  ModeID = "lipsync"
	Keyframe ModeID = "keyframe"
	Style    ModeID = "style"
)

// MediaKind is what a media slot accepts, checked by content, not extension.
type MediaKind string

const (
	MediaImage MediaKind = "image"
	MediaAudio MediaKind = "audio"
	MediaVideo MediaKind = "video"
)

// MediaSlot is one file input of a mode.
type MediaSlot struct {
	ID    string // stable key in Form.Media, e.g. "image", "audio", "first", "last"
	Label string
	Kind  MediaKind
	Hint  string
}

// Mode is one entry of the registry.
type Mode struct {
	ID          ModeID
	Label       string // "Text → Video"
	Tag         string // "T2V", shown in the header
	Icon        string // a Fyne theme icon name (UI-agnostic string)
	Description string
	Slots       []MediaSlot
	// TwoStage graphs render stage 1 at half size, so the final size must be a
	// multiple of 64 for stage 1 to stay a multiple of 32.
	TwoStage bool
	// DurationFrom names the slot whose media length sets the default duration
	// (a2v, lipsync), or "" when the user picks it.
	DurationFrom string
}

// SizeMultiple is the step width and height snap to for this mode.
func (m Mode) SizeMultiple() int {
	if m.TwoStage {
		return 64
	}
	return 32
}

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

// Article is the kind as a person says it in a sentence: "an image".
func (k MediaKind) Article() string {
	switch k {
	case MediaImage:
		return "an image"
	case MediaAudio:
		return "an audio file"
	case MediaVideo:
		return "a video"
	}
	return string(k)
}

// MediaSlot is one file input of a mode.
type MediaSlot struct {
	ID    string // stable key in Form.Media, e.g. "image", "audio", "first", "last"
	Label string
	Kind  MediaKind
	Hint  string
	// Optional slots may stay empty; the graph then bypasses what they feed.
	Optional bool
	// Flag is the `ltx-studio generate` flag (without "--") that fills the
	// slot. Slots of different modes that take the same thing share one
	// (--image is I2V's start image, Lipsync's portrait and Style's frame).
	Flag string
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
	// (a2v, lipsync, style), or "" when the user picks it.
	DurationFrom string
	// FPSFrom names the slot whose frame rate the form copies (style: the
	// source's frames are taken one to one, so any other rate time-stretches
	// the motion and makes the kept sound drift).
	FPSFrom string
	// HalfResGuide: the control guide is read at half resolution (the union
	// IC-LoRA's reference_downscale_factor 2), so the latent must divide by 2
	// and sizes must be multiples of 64, as in two-stage modes.
	HalfResGuide bool
	// SourceCamera: the camera follows a source video (style), so a camera
	// motion wording would fight the control video and is not offered.
	SourceCamera bool
	// FramesWithin: the clip must never outlast the source media (style:
	// the guide would end before the video). The form and the CLI default to
	// the source's whole 8n+1 frames (SourceFrames) and refuse a longer clip.
	FramesWithin bool
}

// SizeMultiple is the step width and height snap to for this mode.
func (m Mode) SizeMultiple() int {
	if m.TwoStage || m.HalfResGuide {
		return 64
	}
	return 32
}

var modes = []Mode{
	{ID: T2V, Label: "Text → Video", Tag: "T2V", Icon: "document", TwoStage: true,
		Description: "A video with generated sound from a text prompt."},
	{ID: I2V, Label: "Image → Video", Tag: "I2V", Icon: "mediaPhoto", TwoStage: true,
		Description: "Animate a still image; the prompt says what happens.",
		Slots:       []MediaSlot{{ID: "image", Label: "Start image", Kind: MediaImage, Flag: "image", Hint: "PNG, JPEG or WebP"}}},
	{ID: A2V, Label: "Audio → Video", Tag: "A2V", Icon: "mediaMusic", TwoStage: true, DurationFrom: "audio",
		Description: "A video made to an audio track; the track is kept in the result.",
		Slots:       []MediaSlot{{ID: "audio", Label: "Audio track", Kind: MediaAudio, Flag: "audio", Hint: "WAV, MP3, FLAC or OGG"}}},
	{ID: Lipsync, Label: "Lipsync", Tag: "LIPSYNC", Icon: "account", TwoStage: true, DurationFrom: "speech",
		Description: "A portrait that speaks the given speech.",
		Slots: []MediaSlot{
			{ID: "portrait", Label: "Portrait", Kind: MediaImage, Flag: "image", Hint: "a face, looking at the camera · PNG, JPEG or WebP"},
			{ID: "speech", Label: "Speech", Kind: MediaAudio, Flag: "audio", Hint: "WAV, MP3, FLAC or OGG"}}},
	{ID: Keyframe, Label: "Keyframes", Tag: "KEY", Icon: "mediaSkipNext",
		Description: "A video that starts on the first frame and ends on the last.",
		Slots: []MediaSlot{
			{ID: "first", Label: "First frame", Kind: MediaImage, Flag: "first", Hint: "PNG, JPEG or WebP"},
			{ID: "last", Label: "Last frame", Kind: MediaImage, Flag: "last", Hint: "PNG, JPEG or WebP"}}},
	{ID: Style, Label: "Style transfer", Tag: "STYLE", Icon: "colorPalette",
		Description:  "Restyle a source video as the prompt describes; its motion, timing and sound are kept.",
		DurationFrom: "video", FPSFrom: "video", HalfResGuide: true, SourceCamera: true, FramesWithin: true,
		Slots: []MediaSlot{
			{ID: "video", Label: "Source video", Kind: MediaVideo, Flag: "video", Hint: "MP4, MOV, MKV or WebM"},
			{ID: "style", Label: "Styled first frame", Kind: MediaImage, Flag: "image", Optional: true,
				Hint: "optional: your restyled copy of the source's first frame; leave it empty and the prompt sets the look"}}},
}

// Modes lists the six modes in sidebar order. The slice is a copy.
func Modes() []Mode { return append([]Mode(nil), modes...) }

// Lookup finds a mode by ID.
func Lookup(id ModeID) (Mode, bool) {
	for _, m := range modes {
		if m.ID == id {
			return m, true
		}
	}
	return Mode{}, false
}

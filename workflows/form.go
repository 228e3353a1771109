package workflows

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Preset trades speed for quality; each one is a different graph.
type Preset string

const (
	Fast     Preset = "fast"
	Balanced Preset = "balanced"
	Quality  Preset = "quality"
)

// Camera is the camera-motion choice of the form.
type Camera string

const (
	CameraAuto     Camera = "auto" // picked from phrases in the prompt
	CameraNone     Camera = "none"
	CameraStatic   Camera = "static"
	CameraDollyIn  Camera = "dolly_in"
	CameraDollyOut Camera = "dolly_out"
	CameraDollyL   Camera = "dolly_left"
	CameraDollyR   Camera = "dolly_right"
	CameraJibUp    Camera = "jib_up"
	CameraJibDown  Camera = "jib_down"
)

// Precision selects the weight files: fp8 by default, bf16 for cards with ≥ 48 GB.
type Precision string

const (
	FP8  Precision = "fp8"
	BF16 Precision = "bf16"
)

// Valid is true for fp8 and bf16.
func (p Precision) Valid() bool { return p == FP8 || p == BF16 }

// Form is everything the user filled in for one generation. It is plain data:
// the job layer stores it, the builder turns it into a ComfyUI prompt.
type Form struct {
	Mode           ModeID            `json:"mode"`
	Prompt         string            `json:"prompt"`
	Negative       string            `json:"negative,omitempty"`
	Media          map[string]string `json:"media,omitempty"` // slot ID → local file path
	Width          int               `json:"width"`
	Height         int               `json:"height"`
	Seconds        float64           `json:"seconds"`
	FPS            int               `json:"fps"`
	Seed           int64             `json:"seed"`
	RandomSeed     bool              `json:"random_seed,omitempty"`
	Preset         Preset            `json:"preset"`
	Camera         Camera            `json:"camera"`
	CameraStrength float64           `json:"camera_strength"`
	Precision      Precision         `json:"precision"`
	// Enhance rewrites the prompt with Gemma (TextGenerateLTX2Prompt) before
	// it is encoded; the rewrite is shown with the result and kept in the sidecar.
	Enhance bool `json:"enhance,omitempty"`
	// Weights is the LTX-2.3 release of the distilled files (settings choose;
	// "" is 1.0, what forms saved before the choice existed were made with).
	Weights Weights `json:"weights,omitempty"`
}

// FieldError says which form field is wrong and why, in words for a person.
type FieldError struct {
	Field Field // FieldWidth, MediaField("image"), …
	Msg   string
}

func (e FieldError) Error() string { return string(e.Field) + ": " + e.Msg }

// SnapSize rounds v to the nearest multiple of m (at least m).
func SnapSize(v, m int) int {
	if m <= 0 {
		return v
	}
	n := int(math.Round(float64(v) / float64(m)))
	if n < 1 {
		n = 1
	}
	return n * m
}

// Frames is the one frame rule the form and the graph share: LTX wants 8n+1
// frames, so take the 8n+1 nearest to seconds·fps (never fewer than 9).
func Frames(seconds float64, fps int) int {
	want := seconds * float64(fps)
	n := int(math.Round((want - 1) / 8))
	if n < 1 {
		n = 1
	}
	return 8*n + 1
}

// SourceFrames is the longest clip, in frames, that a source of have whole
// frames can guide: the largest 8n+1 not above have (at least 9). The form
// and the CLI default a Style clip to it, so the guide — the source's own
// frames — never ends before the video.
func SourceFrames(have int) int {
	n := (have - 1) / 8
	if n < 1 {
		n = 1
	}
	return 8*n + 1
}

// FitAspect is the size with a source's aspect ratio whose long side is long
// (the form's current one; 1280 when unusable), both sides snapped to mult
// and kept in range: a portrait source video gives a portrait clip.
func FitAspect(srcW, srcH, long, mult int) (int, int) {
	if long < MinSize || long > MaxSize {
		long = 1280
	}
	w, h := float64(long), float64(long)*float64(srcH)/float64(srcW)
	if srcH > srcW {
		w, h = float64(long)*float64(srcW)/float64(srcH), float64(long)
	}
	clamp := func(v float64) int {
		s := SnapSize(int(math.Round(v)), mult)
		return min(max(s, SnapSize(MinSize, mult)), MaxSize/mult*mult)
	}
	return clamp(w), clamp(h)
}

// TrueSeconds is how long Frames(seconds, fps) frames really last.
func TrueSeconds(frames, fps int) float64 {
	if fps <= 0 {
		return 0
	}
	return float64(frames) / float64(fps)
}

// Limits the form and the graph share.
const (
	MinSize        = 256
	MaxSize        = 3840
	MinFPS         = 8
	MaxFPS         = 60
	MaxSeconds     = 20.0
	MaxFrames      = 993 // largest 8n+1 the audio latent (frames_number ≤ 1000) allows
	MaxCamStrength = 2.0
	maxPromptBytes = 16000
)

// DefaultNegative is the negative prompt of the official LTX-2.3 templates.
const DefaultNegative = "blurry, low quality, still frame, frames, watermark, overlay, titles, has blurbox, has subtitles"

// DefaultForm is a ready-to-edit form for a mode: 1280×704 (720p snapped to the
// 64 multiple two-stage graphs need), 5 s at 25 fps, Balanced, fp8, camera
// auto at strength 1 (none where a source video sets the camera), a random seed.
func DefaultForm(id ModeID) Form {
	cam := CameraAuto
	if m, ok := Lookup(id); ok && m.SourceCamera {
		cam = CameraNone
	}
	return Form{
		Mode:           id,
		Negative:       DefaultNegative,
		Media:          map[string]string{},
		Width:          1280,
		Height:         704,
		Seconds:        5,
		FPS:            25,
		RandomSeed:     true,
		Preset:         Balanced,
		Camera:         cam,
		CameraStrength: 1.0,
		Precision:      FP8,
		Enhance:        EnhancesByDefault(id),
	}
}

// Validate lists everything wrong with the form, each naming its field. An
// empty result means Build will accept it.
func (f Form) Validate() []FieldError {
	var errs []FieldError
	add := func(field Field, format string, a ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	m, ok := Lookup(f.Mode)
	if !ok {
		add(FieldMode, "unknown mode %q", f.Mode)
		return errs
	}
	if strings.TrimSpace(f.Prompt) == "" {
		add(FieldPrompt, "describe the video you want")
	} else if len(f.Prompt) > maxPromptBytes {
		add(FieldPrompt, "is too long (%d bytes, at most %d)", len(f.Prompt), maxPromptBytes)
	}
	if len(f.Negative) > maxPromptBytes {
		add(FieldNegative, "is too long (%d bytes, at most %d)", len(f.Negative), maxPromptBytes)
	}
	mult := m.SizeMultiple()
	for _, d := range []struct {
		field Field
		v     int
	}{{FieldWidth, f.Width}, {FieldHeight, f.Height}} {
		switch {
		case d.v < MinSize || d.v > MaxSize:
			add(d.field, "must be between %d and %d pixels (got %d)", MinSize, MaxSize, d.v)
		case d.v%mult != 0:
			why := ""
			switch {
			case m.TwoStage:
				why = " (stage 1 renders at half size, which must be a multiple of 32)"
			case m.HalfResGuide:
				why = " (the IC-LoRA reads the source video at half size, which must be a multiple of 32)"
			}
			add(d.field, "must be a multiple of %d for %s%s; the nearest is %d", mult, m.Label, why, SnapSize(d.v, mult))
		}
	}
	fpsOK := f.FPS >= MinFPS && f.FPS <= MaxFPS
	if !fpsOK {
		add(FieldFPS, "must be between %d and %d (got %d)", MinFPS, MaxFPS, f.FPS)
	}
	switch {
	case math.IsNaN(f.Seconds) || math.IsInf(f.Seconds, 0) || f.Seconds <= 0:
		add(FieldSeconds, "must be a positive duration")
	case f.Seconds > MaxSeconds:
		add(FieldSeconds, "must be at most %g s (got %g)", MaxSeconds, f.Seconds)
	case fpsOK && Frames(f.Seconds, f.FPS) > MaxFrames:
		add(FieldSeconds, "gives %d frames at %d fps; at most %d fit (shorten the clip or lower the fps)", Frames(f.Seconds, f.FPS), f.FPS, MaxFrames)
	}
	if !f.RandomSeed && f.Seed < 0 {
		add(FieldSeed, "must not be negative (got %d)", f.Seed)
	}
	if !validPreset(f.Preset) {
		add(FieldPreset, "unknown preset %q (fast, balanced or quality)", f.Preset)
	}
	switch {
	case !validCamera(f.Camera):
		add(FieldCamera, "unknown camera motion %q", f.Camera)
	case m.SourceCamera && f.Camera != CameraNone && f.Camera != CameraAuto:
		add(FieldCamera, "%s keeps the source video's camera motion; a %s wording would fight it (choose None)", m.Label, cameraLabel(f.Camera))
	}
	if math.IsNaN(f.CameraStrength) || f.CameraStrength < 0 || f.CameraStrength > MaxCamStrength {
		add(FieldCameraStrength, "must be between 0 and %g", MaxCamStrength)
	}
	if !f.Precision.Valid() {
		add(FieldPrecision, "unknown precision %q (fp8 or bf16)", f.Precision)
	}
	if !f.Weights.Valid() {
		add(FieldWeights, "%s", WeightsProblem(f.Weights))
	}
	slots := map[string]bool{}
	for _, s := range m.Slots {
		slots[s.ID] = true
		if strings.TrimSpace(f.Media[s.ID]) == "" && !s.Optional {
			name := strings.ToLower(s.Label)
			if !strings.Contains(name, string(s.Kind)) { // not "the start image (image)"
				name += " (" + string(s.Kind) + ")"
			}
			add(MediaField(s.ID), "choose the %s", name)
		}
	}
	extra := make([]string, 0)
	for id := range f.Media {
		if !slots[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		add(MediaField(id), "%s takes no %q file", m.Label, id)
	}
	return errs
}

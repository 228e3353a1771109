package workflows

import "math"

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
}

// FieldError says which form field is wrong and why, in words for a person.
type FieldError struct {
	Field string // "width", "media.image", "fps", "seed", "prompt", …
	Msg   string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

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

// TrueSeconds is how long Frames(seconds, fps) frames really last.
func TrueSeconds(frames, fps int) float64 {
	if fps <= 0 {
		return 0
	}
	return float64(frames) / float64(fps)
}

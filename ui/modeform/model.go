// Package modeform builds one generation form per mode from the workflows
// registry. The widgets only collect text; Evaluate (pure, no Fyne) turns that
// text into a workflows.Form plus one message per field, so the rules live in
// one testable place and in workflows.
package modeform

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// MediaInfo is what a probe learned about a file, by content.
type MediaInfo struct {
	Kind     workflows.MediaKind
	Width    int           // images and video; 0 when unknown
	Height   int           // images and video; 0 when unknown
	Duration time.Duration // audio and video; 0 for images
	FPS      float64       // video frame rate; 0 when unknown
}

// Prober inspects a local file. main wires engine/media; tests pass a fake.
type Prober func(ctx context.Context, path string) (MediaInfo, error)

// Media is one slot's state.
type Media struct {
	Path    string
	Info    MediaInfo
	Err     string // why the file cannot be used, for the person
	Probing bool
}

// Input is the raw state of the widgets.
type Input struct {
	Prompt, Negative string
	Width, Height    string
	Seconds, FPS     string
	Seed             string
	RandomSeed       bool
	Preset           workflows.Preset
	Camera           workflows.Camera
	CameraStrength   float64
	Precision        workflows.Precision
	Enhance          bool              // "Enhance prompt"
	Weights          workflows.Weights // the settings' LTX-2.3 release ("" = 1.0)
	Media            map[string]Media  // slot ID → state
}

// InputFrom fills an Input from a form (the mode's defaults at start-up).
func InputFrom(f workflows.Form) Input {
	in := Input{
		Prompt: f.Prompt, Negative: f.Negative,
		Width: strconv.Itoa(f.Width), Height: strconv.Itoa(f.Height),
		Seconds: FormatSeconds(f.Seconds), FPS: strconv.Itoa(f.FPS),
		RandomSeed: f.RandomSeed, Preset: f.Preset, Camera: f.Camera,
		CameraStrength: f.CameraStrength, Precision: f.Precision,
		Enhance: f.Enhance, Weights: f.Weights,
		Media: map[string]Media{},
	}
	if !f.RandomSeed {
		in.Seed = strconv.FormatInt(f.Seed, 10)
	}
	for id, p := range f.Media {
		in.Media[id] = Media{Path: p}
	}
	return in
}

// Result is what the form shows and hands on.
type Result struct {
	Form    workflows.Form
	Errors  map[workflows.Field]string // field → message
	Snapped bool                       // the typed size was moved to the mode's multiple
	Frames  int                        // 0 when seconds or fps do not parse
	Seconds float64                    // how long Frames really last
}

// Ready reports whether Generate may run.
func (r Result) Ready() bool { return len(r.Errors) == 0 }

// SizeText is the exact output size read-out.
func (r Result) SizeText(m workflows.Mode) string {
	s := fmt.Sprintf("Output %d × %d px", r.Form.Width, r.Form.Height)
	if r.Snapped {
		s += fmt.Sprintf(" (snapped to multiples of %d)", m.SizeMultiple())
	}
	return s
}

// FramesText is the frame read-out, e.g. "121 frames · 4.84 s".
func (r Result) FramesText() string {
	if r.Frames == 0 {
		return ""
	}
	return fmt.Sprintf("%d frames · %.2f s", r.Frames, r.Seconds)
}

// Evaluate parses the widgets' text, applies the mode's snapping and frame
// rule, and collects every reason Generate must wait.
func Evaluate(m workflows.Mode, in Input) Result {
	r := Result{Errors: map[workflows.Field]string{}}
	f := workflows.Form{
		Mode: m.ID, Prompt: in.Prompt, Negative: in.Negative,
		RandomSeed: in.RandomSeed, Preset: in.Preset, Camera: in.Camera,
		CameraStrength: in.CameraStrength, Precision: in.Precision,
		Enhance: in.Enhance, Weights: in.Weights,
		Media: map[string]string{},
	}
	f.Width = r.size(workflows.FieldWidth, in.Width, m.SizeMultiple())
	f.Height = r.size(workflows.FieldHeight, in.Height, m.SizeMultiple())

	if v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(in.Seconds), ",", "."), 64); err != nil {
		r.Errors[workflows.FieldSeconds] = "enter a duration in seconds, e.g. 5 or 4.5"
	} else {
		f.Seconds = v
	}
	if v, err := strconv.Atoi(strings.TrimSpace(in.FPS)); err != nil {
		r.Errors[workflows.FieldFPS] = "enter whole frames per second, e.g. 24"
	} else {
		f.FPS = v
	}
	if !in.RandomSeed {
		if v, err := strconv.ParseInt(strings.TrimSpace(in.Seed), 10, 64); err != nil {
			r.Errors[workflows.FieldSeed] = "enter a whole number, or tick Random"
		} else {
			f.Seed = v
		}
	}
	for _, s := range m.Slots {
		md := in.Media[s.ID]
		key := workflows.MediaField(s.ID)
		switch {
		case md.Path == "":
		case md.Probing:
			r.Errors[key] = "checking the file…"
			f.Media[s.ID] = md.Path
		case md.Err != "":
			r.Errors[key] = md.Err
			f.Media[s.ID] = md.Path
		default:
			f.Media[s.ID] = md.Path
		}
	}
	for _, e := range f.Validate() {
		if _, seen := r.Errors[e.Field]; !seen {
			r.Errors[e.Field] = e.Msg
		}
	}
	// A clip that must stay within its source (style) cannot outlast it: the
	// control guide would end before the video.
	if src := in.Media[m.DurationFrom]; m.FramesWithin && src.Err == "" && src.Info.Duration > 0 &&
		r.Errors[workflows.FieldSeconds] == "" && r.Errors[workflows.FieldFPS] == "" && f.FPS > 0 && f.Seconds > 0 {
		if have := SourceFrames(src.Info); workflows.Frames(f.Seconds, f.FPS) > have {
			r.Errors[workflows.FieldSeconds] = fmt.Sprintf("the source video lasts %s s (%d frames); %s can't run longer than its source",
				FormatSeconds(math.Floor(src.Info.Duration.Seconds()*100)/100), have, m.Label)
		}
	}
	if _, bad := r.Errors[workflows.FieldFPS]; !bad && f.FPS > 0 && f.Seconds > 0 && !math.IsInf(f.Seconds, 0) {
		r.Frames = workflows.Frames(f.Seconds, f.FPS)
		r.Seconds = workflows.TrueSeconds(r.Frames, f.FPS)
	}
	r.Form = f
	return r
}

// size parses one dimension and snaps it; out-of-range values are kept as
// typed so the message quotes what the person entered.
func (r *Result) size(field workflows.Field, text string, mult int) int {
	v, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		r.Errors[field] = "enter a whole number of pixels"
		return 0
	}
	if v < workflows.MinSize || v > workflows.MaxSize {
		return v
	}
	s := workflows.SnapSize(v, mult)
	if s != v {
		r.Snapped = true
	}
	return s
}

// CheckMedia says why a probed file does not fit a slot, or "" when it does.
func CheckMedia(s workflows.MediaSlot, info MediaInfo, err error) string {
	if err != nil {
		return fmt.Sprintf("can't read this as %s: %v", s.Kind.Article(), err)
	}
	if info.Kind != s.Kind {
		if info.Kind == "" {
			return fmt.Sprintf("this is not %s; %s takes %s", s.Kind.Article(), s.Label, s.Kind.Article())
		}
		return fmt.Sprintf("this is %s, but %s takes %s", info.Kind.Article(), s.Label, s.Kind.Article())
	}
	return ""
}

// SourceFrames is how many whole frames a probed video holds (at 25 fps when
// its rate is unknown).
func SourceFrames(i MediaInfo) int {
	fps := i.FPS
	if fps <= 0 {
		fps = 25
	}
	return int(math.Floor(i.Duration.Seconds()*fps + 1e-6))
}

// SourceSeconds is the clip length a source video suggests at the form's
// whole-number rate: its whole 8n+1 frames, never one past its end.
func SourceSeconds(i MediaInfo, fps int) float64 {
	if fps <= 0 {
		return 0
	}
	return math.Min(math.Floor(float64(workflows.SourceFrames(SourceFrames(i)))/float64(fps)*100)/100, workflows.MaxSeconds)
}

// DefaultFPS is the frame rate a source video suggests (style): its own,
// rounded to a whole number and kept within the form's limits.
func DefaultFPS(fps float64) int {
	return min(max(int(math.Round(fps)), workflows.MinFPS), workflows.MaxFPS)
}

// DefaultSeconds is the duration a clip of length d suggests (a2v, lipsync):
// its length to the hundredth, capped at what the model can render.
func DefaultSeconds(d time.Duration) float64 {
	s := math.Round(d.Seconds()*100) / 100
	return math.Min(s, workflows.MaxSeconds)
}

// FormatSeconds prints a duration without trailing zeros ("5", "4.84").
func FormatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// FormatDuration prints a media length as m:ss.cc.
func FormatDuration(d time.Duration) string {
	cs := int64(d.Round(10*time.Millisecond) / (10 * time.Millisecond))
	return fmt.Sprintf("%d:%02d.%02d", cs/6000, cs/100%60, cs%100)
}

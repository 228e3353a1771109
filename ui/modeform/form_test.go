package modeform

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// fakeProbe answers from a table; unknown paths are unreadable.
func fakeProbe(files map[string]MediaInfo) Prober {
	return func(_ context.Context, path string) (MediaInfo, error) {
		if i, ok := files[path]; ok {
			return i, nil
		}
		return MediaInfo{}, errors.New("not a media file")
	}
}

var testFiles = map[string]MediaInfo{
	"/in/cat.png":    {Kind: workflows.MediaImage, Width: 640, Height: 480},
	"/in/end.png":    {Kind: workflows.MediaImage, Width: 640, Height: 480},
	"/in/voice.wav":  {Kind: workflows.MediaAudio, Duration: 7*time.Second + 416*time.Millisecond},
	"/in/clip.mp4":   {Kind: workflows.MediaVideo, Width: 1280, Height: 720, Duration: 4 * time.Second},
	"/in/song.mp3":   {Kind: workflows.MediaAudio, Duration: 42 * time.Second},
	"/in/photo.webp": {Kind: workflows.MediaImage, Width: 100, Height: 100},
	"/in/ntsc.mov":   {Kind: workflows.MediaVideo, Width: 1920, Height: 1080, Duration: 3503 * time.Millisecond, FPS: 29.97},
}

func newTestForm(t *testing.T, id workflows.ModeID) *Form {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, topaz.Theme{})
	f := New(t.Context(), mode(t, id), Config{
		Probe: fakeProbe(testFiles),
		Go:    func(fn func()) { fn() },
	})
	w := test.NewTempWindow(t, f.Content())
	w.Resize(fyne.NewSize(600, 1200))
	return f
}

// labels collects the text of every Label reachable through containers.
func labels(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case *widget.Label:
		out = append(out, v.Text)
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, labels(c)...)
		}
	}
	return out
}

func TestEveryModeShowsExactlyItsInputs(t *testing.T) {
	common := []string{"Prompt", "Size", "Duration", "Seed", "Preset", "Camera"}
	allSlotLabels := map[string]bool{}
	for _, m := range workflows.Modes() {
		for _, s := range m.Slots {
			allSlotLabels[s.Label] = true
		}
	}
	for _, m := range workflows.Modes() {
		t.Run(string(m.ID), func(t *testing.T) {
			f := newTestForm(t, m.ID)
			got := labels(f.Content())
			for _, c := range common {
				if c == "Camera" && m.ID == workflows.Style {
					// the source video decides the motion
					if slices.Contains(got, c) {
						t.Errorf("style asks for a camera move")
					}
					continue
				}
				if !slices.Contains(got, c) {
					t.Errorf("missing field %q", c)
				}
			}
			want := map[string]bool{}
			for _, s := range m.Slots {
				want[s.Label] = true
				if !slices.Contains(got, s.Label) {
					t.Errorf("missing media slot %q", s.Label)
				}
			}
			for l := range allSlotLabels {
				if !want[l] && slices.Contains(got, l) {
					t.Errorf("shows %q, which %s does not take", l, m.ID)
				}
			}
			if len(f.slots) != len(m.Slots) {
				t.Errorf("%d slots, want %d", len(f.slots), len(m.Slots))
			}
			if f.negative == nil || f.precision == nil {
				t.Error("advanced fields missing")
			}
			if !slices.Contains(got, m.Label) {
				t.Errorf("title %q missing", m.Label)
			}
		})
	}
}

func TestBadMediaGivesFieldError(t *testing.T) {
	tests := []struct {
		mode    workflows.ModeID
		slot    string
		path    string
		wantErr string
	}{
		{workflows.I2V, "image", "/in/voice.wav", "this is an audio file, but Start image takes an image"},
		{workflows.I2V, "image", "/in/notes.txt", "can't read this as an image: not a media file"},
		{workflows.A2V, "audio", "/in/cat.png", "this is an image, but Audio track takes an audio file"},
		{workflows.Lipsync, "speech", "/in/clip.mp4", "this is a video, but Speech takes an audio file"},
		{workflows.Style, "video", "/in/song.mp3", "this is an audio file, but Source video takes a video"},
		{workflows.Style, "video", "/in/broken.mp4", "can't read this as a video: not a media file"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+" "+tt.path, func(t *testing.T) {
			f := newTestForm(t, tt.mode)
			test.Type(f.prompt, "a test")
			f.SetFile(tt.slot, tt.path)
			s := f.slotByID(tt.slot)
			if got := s.note.Text(); got != sentence(tt.wantErr) || !s.note.IsError() {
				t.Errorf("note %q (error %v), want %q", got, s.note.IsError(), tt.wantErr)
			}
			if f.Result().Ready() {
				t.Error("Generate would be enabled")
			}
		})
	}
}

func TestGoodMediaAndAudioDuration(t *testing.T) {
	f := newTestForm(t, workflows.Lipsync)
	test.Type(f.prompt, "she says hello")
	f.SetFile("portrait", "/in/cat.png")
	f.SetFile("speech", "/in/voice.wav")
	if f.seconds.Text != "7.42" {
		t.Errorf("seconds %q, want the speech length 7.42", f.seconds.Text)
	}
	if !f.Result().Ready() {
		t.Fatalf("not ready: %v", f.Result().Errors)
	}
	r := f.Result()
	if r.Form.Media["portrait"] != "/in/cat.png" || r.Form.Media["speech"] != "/in/voice.wav" {
		t.Errorf("media %v", r.Form.Media)
	}
	if got := f.slotByID("speech").detail.String(); got != "Audio · 0:07.42" {
		t.Errorf("speech detail %q", got)
	}
	if !f.slotByID("portrait").thumb.Visible() {
		t.Error("no thumbnail for the portrait")
	}
	test.Tap(f.slotByID("speech").clear)
	if f.Result().Ready() || f.slotByID("speech").note.IsError() {
		t.Errorf("after clear: ready %v, note %q", f.Result().Ready(), f.slotByID("speech").note.Text())
	}
}

func TestDropRoutesByKind(t *testing.T) {
	f := newTestForm(t, workflows.Keyframe)
	f.Drop(fyne.NewPos(-1, -1), []string{"/in/cat.png", "/in/end.png"})
	if f.media["first"].Path != "/in/cat.png" || f.media["last"].Path != "/in/end.png" {
		t.Errorf("media %v", f.media)
	}
	g := newTestForm(t, workflows.Style)
	g.Drop(fyne.NewPos(-1, -1), []string{"/in/clip.mp4", "/in/photo.webp"})
	if g.media["video"].Path != "/in/clip.mp4" || g.media["style"].Path != "/in/photo.webp" {
		t.Errorf("media %v", g.media)
	}
	h := newTestForm(t, workflows.I2V)
	h.Drop(fyne.NewPos(-1, -1), []string{"/in/song.mp3"})
	if msg := h.slotByID("image").note.Text(); msg == "" || !h.slotByID("image").note.IsError() {
		t.Errorf("audio dropped on i2v: note %q", msg)
	}
}

func TestSeedAndSettingsReachTheForm(t *testing.T) {
	f := newTestForm(t, workflows.T2V)
	test.Type(f.prompt, "waves")
	f.random.SetChecked(false)
	if f.Result().Ready() {
		t.Error("empty seed accepted")
	}
	test.Type(f.seed, "1234")
	f.preset.SetSelected("Quality")
	f.camera.SetSelected("Dolly in")
	f.precision.SetSelected("bf16")
	r := f.Result()
	if !r.Ready() || r.Form.Seed != 1234 || r.Form.RandomSeed || r.Form.Preset != workflows.Quality ||
		r.Form.Camera != workflows.CameraDollyIn || r.Form.Precision != workflows.BF16 {
		t.Errorf("form %+v errors %v", r.Form, r.Errors)
	}
	f.SetUsedSeed(99)
	if f.usedSeed.Text != "Last run used seed 99" || !f.usedSeed.Visible() {
		t.Errorf("used seed %q", f.usedSeed.Text)
	}
}

// Media slots must not widen the form: two cards side by side (keyframes,
// style) once pushed the form column, and the window with it, past a
// 1280-pixel screen.
func TestSlotsKeepTheFormNarrow(t *testing.T) {
	base := newTestForm(t, workflows.T2V).Content().MinSize().Width
	for _, m := range workflows.Modes() {
		if w := newTestForm(t, m.ID).Content().MinSize().Width; w > base {
			t.Errorf("%s: form is %.0f px wide at least, text-only form %.0f", m.ID, w, base)
		}
	}
}

// Style takes the source's frames one to one: the form copies its frame rate
// and length, runs without a styled first frame, and refuses a clip longer
// than the source (the guide would end before the video).
func TestStyleTakesRateAndLengthFromTheSource(t *testing.T) {
	f := newTestForm(t, workflows.Style)
	test.Type(f.prompt, "the same street as a watercolour painting")
	f.SetFile("video", "/in/ntsc.mov")
	// A 1920×1080 source keeps its shape at the form's 1280 long side.
	if f.width.Text != "1280" || f.height.Text != "704" {
		t.Errorf("size %s×%s for a 16:9 source", f.width.Text, f.height.Text)
	}
	// 3.503 s at 29.97 fps is 104 whole frames: 97 as 8n+1, 3.23 s at 30 fps.
	if f.fps.Text != "30" || f.seconds.Text != "3.23" {
		t.Errorf("fps %q seconds %q, want the source's 30 and 3.23", f.fps.Text, f.seconds.Text)
	}
	r := f.Result()
	if !r.Ready() {
		t.Fatalf("not ready without a styled first frame: %v", r.Errors)
	}
	if r.Frames != 97 || r.Frames > 104 {
		t.Errorf("frames %d for a 3.5 s source at 30 fps", r.Frames)
	}
	f.seconds.SetText("4")
	if msg := f.Result().Errors["seconds"]; !strings.Contains(msg, "lasts 3.5 s (104 frames)") {
		t.Errorf("a clip past the source's end: %q", msg)
	}
	if !f.camera.Disabled() || !strings.Contains(f.notes["camera"].Text(), "source video") {
		t.Errorf("camera enabled in style (note %q)", f.notes["camera"].Text())
	}
}

// "Enhance prompt" starts as the mode's official template has it and reaches
// the form; the settings' weights release reaches it too, with a note while
// 1.0 is in use.
func TestEnhanceAndWeightsReachTheForm(t *testing.T) {
	for _, m := range workflows.Modes() {
		f := newTestForm(t, m.ID)
		if f.enhance.Checked != workflows.EnhancesByDefault(m.ID) {
			t.Errorf("%s: enhance starts %v", m.ID, f.enhance.Checked)
		}
	}
	f := newTestForm(t, workflows.T2V)
	test.Type(f.prompt, "a heron at dawn")
	test.Tap(f.enhance)
	if r := f.Result(); !r.Ready() || r.Form.Enhance {
		t.Errorf("unticked enhance: %+v %v", r.Form, r.Errors)
	}
	if !strings.Contains(f.weightsText.String(), "1.0") {
		t.Errorf("no 1.0 note: %q", f.weightsText.String())
	}
	f.SetWeights(workflows.Weights11)
	if r := f.Result(); r.Form.Weights != workflows.Weights11 || strings.Contains(f.weightsText.String(), "Settings") {
		t.Errorf("weights %q, note %q", r.Form.Weights, f.weightsText.String())
	}
}

// A finished run's enhanced prompt shows under the prompt and can become the
// prompt (unticking Enhance: it is enhanced already).
func TestEnhancedPromptIsShownAndReusable(t *testing.T) {
	f := newTestForm(t, workflows.T2V)
	test.Type(f.prompt, "a heron")
	if f.enhanced.Visible() || f.useEnhanced.Visible() {
		t.Fatal("enhanced prompt shown before any run")
	}
	f.SetEnhancedPrompt("A grey heron stands in shallow water at dawn, mist drifting.")
	if !f.enhanced.Visible() || !strings.Contains(f.enhanced.String(), "grey heron") {
		t.Fatalf("not shown: %q", f.enhanced.String())
	}
	test.Tap(f.useEnhanced)
	if f.prompt.Text != "A grey heron stands in shallow water at dawn, mist drifting." || f.enhance.Checked {
		t.Errorf("prompt %q, enhance %v", f.prompt.Text, f.enhance.Checked)
	}
	f.SetEnhancedPrompt("")
	if f.enhanced.Visible() {
		t.Error("still shown after a plain run")
	}
}

package modeform

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func mode(t *testing.T, id workflows.ModeID) workflows.Mode {
	t.Helper()
	m, ok := workflows.Lookup(id)
	if !ok {
		t.Fatalf("no mode %s", id)
	}
	return m
}

func validInput() Input {
	in := InputFrom(workflows.DefaultForm(workflows.T2V))
	in.Prompt = "a red fox in the snow"
	return in
}

func TestSizeSnapping(t *testing.T) {
	tests := []struct {
		mode          workflows.ModeID
		w, h          string
		wantW, wantH  int
		snapped       bool
		errW, errH    bool
		wantSizeInTxt string
	}{
		{workflows.T2V, "1280", "704", 1280, 704, false, false, false, "Output 1280 × 704 px"},
		{workflows.T2V, "1280", "720", 1280, 704, true, false, false, "Output 1280 × 704 px (snapped to multiples of 64)"},
		{workflows.Keyframe, "1280", "720", 1280, 736, true, false, false, "Output 1280 × 736 px (snapped to multiples of 32)"},
		{workflows.Keyframe, "1000", "500", 992, 512, true, false, false, "Output 992 × 512 px"},
		{workflows.Style, "768", "768", 768, 768, false, false, false, "Output 768 × 768 px"},
		{workflows.I2V, "100", "704", 100, 704, false, true, false, ""},
		{workflows.I2V, "abc", "704", 0, 704, false, true, false, ""},
		{workflows.A2V, "1280", "9000", 1280, 9000, false, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+" "+tt.w+"x"+tt.h, func(t *testing.T) {
			m := mode(t, tt.mode)
			in := validInput()
			in.Width, in.Height = tt.w, tt.h
			r := Evaluate(m, in)
			if r.Form.Width != tt.wantW || r.Form.Height != tt.wantH {
				t.Errorf("size %d×%d, want %d×%d", r.Form.Width, r.Form.Height, tt.wantW, tt.wantH)
			}
			if r.Snapped != tt.snapped {
				t.Errorf("snapped %v, want %v", r.Snapped, tt.snapped)
			}
			if _, got := r.Errors["width"]; got != tt.errW {
				t.Errorf("width error %v, want %v (%v)", got, tt.errW, r.Errors)
			}
			if _, got := r.Errors["height"]; got != tt.errH {
				t.Errorf("height error %v, want %v (%v)", got, tt.errH, r.Errors)
			}
			if tt.wantSizeInTxt != "" && !strings.Contains(r.SizeText(m), tt.wantSizeInTxt) {
				t.Errorf("size text %q lacks %q", r.SizeText(m), tt.wantSizeInTxt)
			}
		})
	}
}

func TestFrameReadout(t *testing.T) {
	tests := []struct {
		seconds, fps string
		frames       int
		text         string
	}{
		{"1", "30", 33, "33 frames · 1.10 s"},
		{"6", "25", 153, "153 frames · 6.12 s"},
		{"3", "24", 73, "73 frames · 3.04 s"},
		{"4.84", "25", 121, "121 frames · 4.84 s"},
		{"0,5", "24", 9, "9 frames · 0.38 s"}, // comma decimals and the 9-frame floor
	}
	for _, tt := range tests {
		t.Run(tt.seconds+"s@"+tt.fps, func(t *testing.T) {
			in := validInput()
			in.Seconds, in.FPS = tt.seconds, tt.fps
			r := Evaluate(mode(t, workflows.T2V), in)
			if r.Frames != tt.frames || r.FramesText() != tt.text {
				t.Errorf("got %d %q, want %d %q", r.Frames, r.FramesText(), tt.frames, tt.text)
			}
			if r.Frames != workflows.Frames(r.Form.Seconds, r.Form.FPS) {
				t.Error("read-out disagrees with workflows.Frames")
			}
			if !r.Ready() {
				t.Errorf("not ready: %v", r.Errors)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Input)
		field workflows.Field
	}{
		{"empty prompt", func(in *Input) { in.Prompt = "  " }, "prompt"},
		{"seconds text", func(in *Input) { in.Seconds = "five" }, "seconds"},
		{"too long", func(in *Input) { in.Seconds = "60" }, "seconds"},
		{"fps text", func(in *Input) { in.FPS = "x" }, "fps"},
		{"fps range", func(in *Input) { in.FPS = "120" }, "fps"},
		{"seed text", func(in *Input) { in.RandomSeed = false; in.Seed = "abc" }, "seed"},
		{"strength", func(in *Input) { in.CameraStrength = 3 }, "camera_strength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			r := Evaluate(mode(t, workflows.T2V), in)
			if r.Ready() || r.Errors[tt.field] == "" {
				t.Errorf("want an error on %s, got %v", tt.field, r.Errors)
			}
		})
	}
	if r := Evaluate(mode(t, workflows.T2V), validInput()); !r.Ready() {
		t.Errorf("default form with a prompt is not ready: %v", r.Errors)
	}
}

func TestCheckMedia(t *testing.T) {
	img := workflows.MediaSlot{ID: "image", Label: "Start image", Kind: workflows.MediaImage}
	tests := []struct {
		name string
		info MediaInfo
		err  error
		want string
	}{
		{"fits", MediaInfo{Kind: workflows.MediaImage, Width: 10, Height: 10}, nil, ""},
		{"audio", MediaInfo{Kind: workflows.MediaAudio}, nil, "this is an audio file, but Start image takes an image"},
		{"unknown", MediaInfo{}, nil, "this is not an image; Start image takes an image"},
		{"unreadable", MediaInfo{}, errors.New("invalid data"), "can't read this as an image: invalid data"},
	}
	for _, tt := range tests {
		if got := CheckMedia(img, tt.info, tt.err); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDefaultSeconds(t *testing.T) {
	if got := DefaultSeconds(7*time.Second + 416*time.Millisecond); got != 7.42 {
		t.Errorf("got %v", got)
	}
	if got := DefaultSeconds(time.Minute); got != workflows.MaxSeconds {
		t.Errorf("got %v, want the cap", got)
	}
	if got := FormatDuration(67*time.Second + 250*time.Millisecond); got != "1:07.25" {
		t.Errorf("got %q", got)
	}
}

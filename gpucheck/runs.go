package main

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Sizes of the check: small, and allowed by every mode (multiples of 64).
const (
	checkWidth  = 384
	checkHeight = 256
	checkFPS    = 24
	// 17.04 frames asked: 17 (8n+1) whether the app rounds to the nearest
	// 8n+1 or down.
	checkSeconds = 0.71
	checkSeed    = 7
	// oddWidth is a multiple of 32 but not of 64: Style must run at it or the
	// form must refuse it before anything is queued.
	oddWidth = 352
)

// run is one generation of the check.
type run struct {
	Mode      workflows.ModeID
	Preset    workflows.Preset
	Precision workflows.Precision
	Width     int
	Height    int
	// Repeat marks the second, warm run of a mode and preset.
	Repeat bool
	// MayRefuse: the form may refuse this run (a pass when it says why).
	MayRefuse bool
	// Enhance overrides the mode's default prompt enhancement: "on", "off" or "".
	Enhance string
}

func (r run) label() string {
	s := string(r.Mode) + "/" + string(r.Preset)
	if r.Precision != workflows.FP8 {
		s += "/" + string(r.Precision)
	}
	if r.Width != checkWidth || r.Height != checkHeight {
		s += fmt.Sprintf("@%dx%d", r.Width, r.Height)
	}
	if r.Enhance != "" {
		s += " enhance=" + r.Enhance
	}
	if r.Repeat {
		s += " (warm, seed+1)"
	}
	return s
}

// inputFile is the check's input for a media slot (make_inputs.py writes them).
func inputFile(slot string) string {
	switch slot {
	case "image":
		return "start.png"
	case "portrait", "first", "last", "style":
		return slot + ".png"
	case "audio", "speech":
		return "speech.wav"
	case "video":
		return "source.mp4"
	}
	return slot
}

// plannedRuns: every mode × preset in fp8; Balanced t2v (prompt enhancer on)
// and keyframe (off) again, warm; the enhancer the other way round; t2v
// Balanced in bf16; Style at a width that is a multiple of 32 but not of 64.
func plannedRuns() []run {
	var out []run
	for _, m := range workflows.Modes() {
		for _, p := range []workflows.Preset{workflows.Fast, workflows.Balanced, workflows.Quality} {
			out = append(out, run{Mode: m.ID, Preset: p, Precision: workflows.FP8, Width: checkWidth, Height: checkHeight})
			if (m.ID == workflows.T2V || m.ID == workflows.Keyframe) && p == workflows.Balanced {
				out = append(out, run{Mode: m.ID, Preset: p, Precision: workflows.FP8, Width: checkWidth, Height: checkHeight, Repeat: true})
			}
		}
	}
	out = append(out,
		// The prompt enhancer the other way round from each mode's default.
		run{Mode: workflows.T2V, Preset: workflows.Fast, Precision: workflows.FP8, Width: checkWidth, Height: checkHeight, Enhance: "off"},
		run{Mode: workflows.Style, Preset: workflows.Fast, Precision: workflows.FP8, Width: checkWidth, Height: checkHeight, Enhance: "on"},
		run{Mode: workflows.Keyframe, Preset: workflows.Fast, Precision: workflows.FP8, Width: checkWidth, Height: checkHeight, Enhance: "on"},
		run{Mode: workflows.Style, Preset: workflows.Fast, Precision: workflows.FP8, Width: oddWidth, Height: checkHeight, MayRefuse: true},
		run{Mode: workflows.T2V, Preset: workflows.Balanced, Precision: workflows.BF16, Width: checkWidth, Height: checkHeight})
	return out
}

// frames is what the app renders for the check's length, by its own rule:
// the frame count of the graph it builds.
func (r run) frames() int {
	p, err := workflows.Build(r.form("/nonexistent"), workflows.BuildOptions{})
	if err != nil {
		return workflows.Frames(checkSeconds, checkFPS)
	}
	return p.Frames
}

// form is the run as the app's form (used for the model manifest).
func (r run) form(inputs string) workflows.Form {
	f := workflows.DefaultForm(r.Mode)
	f.Prompt = "a slow dolly in on a lighthouse at dusk, waves, wind"
	f.Width, f.Height, f.FPS, f.Seconds = r.Width, r.Height, checkFPS, checkSeconds
	f.Seed, f.RandomSeed = checkSeed, false
	f.Preset, f.Precision = r.Preset, r.Precision
	switch r.Enhance {
	case "on":
		f.Enhance = true
	case "off":
		f.Enhance = false
	}
	m, _ := workflows.Lookup(r.Mode)
	for _, s := range m.Slots {
		f.Media[s.ID] = filepath.Join(inputs, inputFile(s.ID))
	}
	return f
}

// generateArgs is the run as `ltx-studio generate` flags.
func (r run) generateArgs(url, comfyInput, inputs, out string) []string {
	seed := checkSeed
	if r.Repeat {
		// A new seed: the same prompt again would come whole from ComfyUI's
		// cache; this way it samples again with the models still loaded.
		seed++
	}
	a := []string{"generate", "--backend", url, "--input-dir", comfyInput,
		"--mode", string(r.Mode), "--preset", string(r.Preset), "--precision", string(r.Precision),
		"--prompt", "a slow dolly in on a lighthouse at dusk, waves, wind",
		"--width", strconv.Itoa(r.Width), "--height", strconv.Itoa(r.Height),
		"--fps", strconv.Itoa(checkFPS), "--seconds", strconv.FormatFloat(checkSeconds, 'f', -1, 64),
		"--seed", strconv.Itoa(seed), "--out", out}
	switch r.Enhance {
	case "on":
		a = append(a, "--enhance")
	case "off":
		a = append(a, "--no-enhance")
	}
	m, _ := workflows.Lookup(r.Mode)
	for _, s := range m.Slots {
		flag := string(s.Kind)
		switch s.ID {
		case "first", "last", "video", "image", "audio":
			flag = s.ID
		}
		a = append(a, "--"+flag, filepath.Join(inputs, inputFile(s.ID)))
	}
	return a
}

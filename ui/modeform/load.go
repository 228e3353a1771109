package modeform

import "github.com/ltxstudio/ltx-studio/workflows"

// SetPrecision picks the model precision (the one Settings and setup chose;
// a form built with fp8 would otherwise ask for files never downloaded).
func (f *Form) SetPrecision(p workflows.Precision) {
	if p == workflows.FP8 || p == workflows.BF16 {
		f.precision.SetSelected(string(p))
	}
}

// Load puts a saved form (a past job's) into the widgets, media included
// (they are probed again, since the files may have changed). A form of
// another mode is ignored. UI goroutine.
func (f *Form) Load(w workflows.Form) {
	if w.Mode != f.mode.ID {
		return
	}
	in := InputFrom(w)
	f.prompt.SetText(in.Prompt)
	f.negative.SetText(in.Negative)
	f.width.SetText(in.Width)
	f.height.SetText(in.Height)
	f.seconds.SetText(in.Seconds)
	f.fps.SetText(in.FPS)
	f.random.SetChecked(in.RandomSeed)
	f.seed.SetText(in.Seed)
	for _, p := range workflows.Presets() {
		if p.ID == in.Preset {
			f.preset.SetSelected(p.Label)
		}
	}
	for _, c := range workflows.Cameras() {
		if c.ID == in.Camera {
			f.camera.SetSelected(c.Label)
		}
	}
	f.strength.SetValue(in.CameraStrength)
	f.precision.SetSelected(string(in.Precision))
	for id, m := range in.Media {
		f.SetFile(id, m.Path)
	}
	f.update()
}

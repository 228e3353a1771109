package modeform

import "github.com/ltxstudio/ltx-studio/workflows"

// SetPrecision picks the model precision (the one Settings and setup chose;
// a form built with fp8 would otherwise ask for files never downloaded).
func (f *Form) SetPrecision(p workflows.Precision) {
	if p == workflows.FP8 || p == workflows.BF16 {
		f.precision.SetSelected(string(p))
	}
}

// SetWeights uses the LTX-2.3 release Settings chose for every run of this
// form ("" and 1.0 are the 1.0 files). UI goroutine.
func (f *Form) SetWeights(w workflows.Weights) {
	f.weights = w
	f.update()
}

// WeightsNote is the preset's footnote: which LTX-2.3 release runs, and that
// 1.1 waits in Settings while 1.0 is in use.
func WeightsNote(w workflows.Weights) string {
	if w == workflows.Weights11 {
		return "LTX-2.3 1.1 distilled weights."
	}
	return "LTX-2.3 1.0 weights. Lightricks' 1.1 distilled LoRA and upscaler are available: switch in Settings (downloads them once)."
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
	f.enhance.SetChecked(in.Enhance) // the weights stay the settings' choice
	for id, m := range in.Media {
		f.SetFile(id, m.Path)
	}
	f.update()
}

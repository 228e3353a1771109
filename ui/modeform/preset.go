package modeform

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// plainPreset says what a preset means to a person (speed, quality, GPU
// memory); the sampler details are one click away.
func plainPreset(id workflows.Preset, m workflows.ModeID) string {
	const memory = " All three load a model of the same size: GPU memory depends on the size, length and precision."
	switch id {
	case workflows.Fast:
		return "Quickest: for trying out prompts. A little less fine detail; the negative prompt is not used." + memory
	case workflows.Quality:
		slower := "about 2½× the time of Fast"
		if mode, ok := workflows.Lookup(m); ok && !mode.TwoStage {
			slower = "about 5× the time of Fast"
		}
		return "Most detail and closest to the prompt, " + slower + "; the negative prompt counts." + memory
	}
	return "Nearly as quick as Fast with more detail: the everyday choice." + memory
}

// presetBlock is the preset's plain description with a Details toggle that
// shows the technical recipe.
type presetBlock struct {
	plain, details *widget.RichText
	toggle         *widget.Button
	box            *fyne.Container
}

func newPresetBlock(relayout func()) *presetBlock {
	b := &presetBlock{plain: dim(""), details: dim("")}
	b.details.Hide()
	b.toggle = widget.NewButton("Details", nil)
	b.toggle.Importance = widget.LowImportance
	b.toggle.OnTapped = func() {
		if b.details.Visible() {
			b.details.Hide()
			b.toggle.SetText("Details")
		} else {
			b.details.Show()
			b.toggle.SetText("Hide details")
		}
		if relayout != nil {
			relayout()
		}
	}
	b.box = container.NewVBox(b.plain, container.NewHBox(b.toggle), b.details)
	return b
}

func (b *presetBlock) set(p workflows.PresetInfo, m workflows.ModeID) {
	setDim(b.plain, plainPreset(p.ID, m))
	setDim(b.details, p.Describe(m))
}

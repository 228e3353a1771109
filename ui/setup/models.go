package setup

import (
	"fmt"
	"github.com/ltxstudio/ltx-studio/ui/progress"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

const (
	labelFP8  = "fp8: smaller and faster (recommended up to 32 GB VRAM)"
	labelBF16 = "bf16: full precision (48 GB+ VRAM)"
)

type modelsPage struct {
	f         *Flow
	checks    map[workflows.ModeID]*widget.Check
	precision *widget.RadioGroup
	free      int64 // -1 = unknown
	size      *widget.Label
	warn      *widget.Label
	start     *widget.Button
	root      fyne.CanvasObject
}

func newModelsPage(f *Flow) *modelsPage {
	p := &modelsPage{f: f, checks: map[workflows.ModeID]*widget.Check{}, free: -1}
	list := container.NewVBox()
	for _, m := range workflows.Modes() {
		c := widget.NewCheck(m.Label, func(bool) { p.refresh() })
		c.Checked = m.ID == workflows.T2V // a useful default: the plain text → video mode
		desc := widget.NewLabel(m.Description)
		desc.Importance = widget.LowImportance
		p.checks[m.ID] = c
		list.Add(container.NewBorder(nil, nil, c, nil, desc))
	}
	p.precision = widget.NewRadioGroup([]string{labelFP8, labelBF16}, func(string) { p.refresh() })
	p.precision.Selected = labelFP8
	p.size = widget.NewLabel("")
	p.warn = widget.NewLabel("")
	p.warn.Importance = widget.DangerImportance
	p.warn.Wrapping = fyne.TextWrapWord
	p.start = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() {
		modes, prec := p.selection()
		f.download.begin(modes, prec)
		f.show(StepDownload)
		if f.act.StartDownload != nil {
			f.act.StartDownload(modes, prec)
		}
	})
	p.start.Importance = widget.HighImportance
	title := widget.NewLabelWithStyle("Which modes do you want?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(list, widget.NewSeparator(),
		widget.NewLabelWithStyle("Model precision", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.precision)
	bottom := container.NewVBox(p.warn, container.NewBorder(nil, nil, nil, p.start, p.size))
	p.root = container.NewBorder(title, bottom, nil, nil, container.NewVScroll(body))
	p.refresh()
	return p
}

func (p *modelsPage) selection() ([]workflows.ModeID, workflows.Precision) {
	var modes []workflows.ModeID
	for _, m := range workflows.Modes() {
		if p.checks[m.ID].Checked {
			modes = append(modes, m.ID)
		}
	}
	prec := workflows.FP8
	if p.precision.Selected == labelBF16 {
		prec = workflows.BF16
	}
	return modes, prec
}

func (p *modelsPage) setSelection(modes []workflows.ModeID, prec workflows.Precision) {
	on := map[workflows.ModeID]bool{}
	for _, m := range modes {
		on[m] = true
	}
	for id, c := range p.checks {
		c.Checked = on[id]
		c.Refresh()
	}
	p.precision.Selected = labelFP8
	if prec == workflows.BF16 {
		p.precision.Selected = labelBF16
	}
	p.precision.Refresh()
	p.refresh()
}

func (p *modelsPage) setFree(b int64) {
	p.free = b
	p.refresh()
}

// refresh recomputes the size line and whether Download may start.
func (p *modelsPage) refresh() {
	modes, prec := p.selection()
	var need int64
	if p.f.act.SizeFor != nil {
		need = p.f.act.SizeFor(modes, prec)
	}
	free := "free space unknown"
	if p.free >= 0 {
		free = Bytes(p.free) + " free"
	}
	p.size.SetText(fmt.Sprintf("Download %s · %s", Bytes(need), free))
	p.warn.SetText("")
	switch {
	case len(modes) == 0:
		p.warn.SetText("Choose at least one mode.")
	case p.free >= 0 && need > p.free:
		p.warn.SetText(fmt.Sprintf("Not enough disk space: free %s more, or choose fewer modes or fp8.", Bytes(need-p.free)))
	}
	if p.warn.Text == "" {
		p.warn.Hide()
		p.start.Enable()
	} else {
		p.warn.Show()
		p.start.Disable()
	}
	if p.root != nil {
		p.root.Refresh()
	}
}

// Bytes formats a size as download sizes are quoted (27.1 GB); one rule for
// the whole window, kept in the progress view.
func Bytes(n int64) string { return progress.Bytes(n) }

package setup

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/progress"
	"github.com/ltxstudio/ltx-studio/workflows"
)

const (
	labelFP8  = "fp8: smaller and faster (recommended up to 32 GB VRAM)"
	labelBF16 = "bf16: full precision (48 GB+ VRAM)"
	labelMove = "Move files found on another drive into the model cache (a link is left in their place) instead of linking to them"
)

type modelsPage struct {
	f         *Flow
	checks    map[workflows.ModeID]*widget.Check
	precision *widget.RadioGroup
	move      *widget.Check
	free      int64 // -1 = unknown (also: the survey has not answered yet)
	files     *fyne.Container
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
	p.move = widget.NewCheck(labelMove, nil)
	p.files = container.NewVBox()
	p.size = widget.NewLabel("")
	p.warn = widget.NewLabel("")
	p.warn.Importance = widget.DangerImportance
	p.warn.Wrapping = fyne.TextWrapWord
	p.start = widget.NewButtonWithIcon("Install and download", theme.DownloadIcon(), func() { f.begin(p.choice()) })
	p.start.Importance = widget.HighImportance
	title := widget.NewLabelWithStyle("Which modes do you want?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bold := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	body := container.NewVBox(list, widget.NewSeparator(), bold("Model precision"), p.precision,
		widget.NewSeparator(), bold("Model files"), p.files, p.move)
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

func (p *modelsPage) choice() Choice {
	m, prec := p.selection()
	return Choice{Modes: m, Precision: prec, MoveFound: p.move.Checked}
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

// setFree arrives with the survey: sizes are known and the disk searched.
func (p *modelsPage) setFree(b int64) {
	p.free = b
	p.refresh()
}

// refresh recomputes the file list, the size line and whether the install
// and downloads may start.
func (p *modelsPage) refresh() {
	modes, prec := p.selection()
	var lines []FileLine
	var need int64
	if p.f.act.FilesFor != nil {
		lines, need = p.f.act.FilesFor(modes, prec)
	}
	p.showFiles(lines)
	found := 0
	for _, l := range lines {
		if l.Found {
			found++
		}
	}
	free := "free space unknown"
	if p.free >= 0 {
		free = Bytes(p.free) + " free"
	}
	text := fmt.Sprintf("Download %s · %s", Bytes(need), free)
	if found > 0 {
		text += fmt.Sprintf(" · %d found on disk", found)
	}
	p.size.SetText(text)
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

// showFiles lists each file with its size and whether it is downloaded,
// already cached or found on disk (and where).
func (p *modelsPage) showFiles(lines []FileLine) {
	p.files.RemoveAll()
	if len(lines) == 0 && p.free < 0 {
		wait := widget.NewLabel("Looking up sizes and looking for files you already have…")
		wait.Importance = widget.LowImportance
		p.files.Add(wait)
		return
	}
	for _, l := range lines {
		size := "size unknown"
		if l.Size >= 0 {
			size = Bytes(l.Size)
		}
		name := widget.NewLabel(l.Name)
		name.Truncation = fyne.TextTruncateEllipsis
		state := widget.NewLabel(l.State + " · " + size)
		state.Importance = widget.LowImportance
		if l.Found {
			state.Importance = widget.SuccessImportance
		}
		row := container.NewVBox(container.NewBorder(nil, nil, nil, state, name))
		for _, extra := range []string{l.Where, l.Problem} {
			if extra == "" {
				continue
			}
			d := widget.NewLabel(extra)
			d.Importance = widget.LowImportance
			d.Truncation = fyne.TextTruncateEllipsis
			row.Add(d)
		}
		p.files.Add(row)
	}
}

// Bytes formats a size as download sizes are quoted (27.1 GB); one rule for
// the whole window, kept in the progress view.
func Bytes(n int64) string { return progress.Bytes(n) }

package setup

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type checksPage struct {
	f        *Flow
	results  map[string]CheckResult
	list     *fyne.Container
	summary  *widget.Label
	next     *widget.Button
	root     fyne.CanvasObject
	rowsByID map[string]*checkRow
	pending  fyne.CanvasObject // the "checking…" row until the first result
}

type checkRow struct {
	icon         *widget.Icon
	name, detail *widget.Label
	fix          *widget.Label
	box          *fyne.Container
}

func newChecksPage(f *Flow) *checksPage {
	p := &checksPage{f: f, results: map[string]CheckResult{}, rowsByID: map[string]*checkRow{}}
	// The checks take a few seconds (nvidia-smi, the Python probe): say what
	// is being looked at instead of showing an empty page meanwhile.
	wait := widget.NewLabel("Checking the NVIDIA GPU and driver, free disk space, git, and Python or uv…")
	wait.Wrapping = fyne.TextWrapWord
	p.pending = container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.NewPrimaryThemedResource(theme.SearchIcon()))), nil, wait)
	p.list = container.NewVBox(p.pending)
	p.summary = widget.NewLabel("Checking this computer…")
	p.summary.Wrapping = fyne.TextWrapWord
	again := widget.NewButtonWithIcon("Check again", theme.ViewRefreshIcon(), func() { call(f.act.RunChecks) })
	// Choosing comes first: the install and the downloads then start
	// together from the models page.
	p.next = widget.NewButton("Choose models", func() { f.show(StepModels) })
	p.next.Importance = widget.HighImportance
	p.next.Disable()
	title := widget.NewLabelWithStyle("Is this computer ready?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.root = container.NewBorder(title, container.NewBorder(nil, nil, nil, container.NewHBox(again, p.next), p.summary),
		nil, nil, container.NewVScroll(p.list))
	return p
}

func (p *checksPage) set(r CheckResult) {
	row, ok := p.rowsByID[r.ID]
	if !ok {
		row = &checkRow{icon: widget.NewIcon(nil), detail: widget.NewLabel(""), fix: widget.NewLabel("")}
		row.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		row.detail.Wrapping = fyne.TextWrapWord
		row.fix.Wrapping = fyne.TextWrapWord
		row.box = container.NewBorder(nil, nil, container.NewVBox(row.icon), nil,
			container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), row.name, row.detail, row.fix))
		p.rowsByID[r.ID] = row
		p.list.Remove(p.pending)
		p.list.Add(row.box)
	}
	p.results[r.ID] = r
	row.icon.SetResource(verdictIcon(r.Verdict))
	row.name.SetText(r.Name + ": " + r.Verdict.String())
	row.detail.SetText(r.Detail)
	row.fix.SetText("")
	row.fix.Hide()
	if r.Verdict != OK && r.Fix != "" {
		row.fix.SetText("To fix: " + r.Fix)
		row.fix.Importance = verdictImportance(r.Verdict)
		row.fix.Show()
	}
	p.refreshSummary()
	p.list.Refresh()
}

func (p *checksPage) refreshSummary() {
	fails, warns := 0, 0
	for _, r := range p.results {
		switch r.Verdict {
		case Fail:
			fails++
		case Warn:
			warns++
		}
	}
	switch {
	case len(p.results) == 0:
		p.summary.SetText("Checking this computer…")
	case fails > 0:
		p.summary.SetText("Fix the problems marked above, then check again.")
	case warns > 0:
		p.summary.SetText("You can go on; the warnings above may make generation slow or limited.")
	default:
		p.summary.SetText("Everything needed is here.")
	}
	if len(p.results) > 0 && fails == 0 {
		p.next.Enable()
	} else {
		p.next.Disable()
	}
}

func verdictImportance(v Verdict) widget.Importance {
	return [...]widget.Importance{widget.SuccessImportance, widget.WarningImportance, widget.DangerImportance}[v]
}

func verdictIcon(v Verdict) fyne.Resource {
	switch v {
	case OK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case Warn:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewErrorThemedResource(theme.ErrorIcon())
}

func stateIcon(s State) fyne.Resource {
	switch s {
	case Running:
		return theme.NewPrimaryThemedResource(theme.MediaPlayIcon())
	case Done:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case Failed:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case Skipped:
		return theme.NewDisabledResource(theme.MediaSkipNextIcon())
	}
	return theme.NewDisabledResource(theme.RadioButtonIcon())
}

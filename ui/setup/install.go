package setup

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

// logKeep is how many installer lines stay on screen; the full log is the
// engine's file.
const logKeep = 500

type installPage struct {
	f       *Flow
	rows    map[string]*stepRow
	order   []string
	states  map[string]State
	list    *fyne.Container
	bar     *topaz.Bar
	lines   []string // the last logKeep lines, also the error details' source
	logList *widget.List
	cancel  *widget.Button
	retry   *widget.Button
	errView *errorview.View
	errBox  fyne.CanvasObject
	root    *fyne.Container
}

type stepRow struct {
	icon         *widget.Icon
	name, detail *widget.Label
}

func newInstallPage(f *Flow) *installPage {
	p := &installPage{f: f, rows: map[string]*stepRow{}, states: map[string]State{}}
	p.list = container.NewVBox()
	p.bar = topaz.NewBar()
	// A list of plain monospace texts: only visible rows are drawn, so a
	// chatty pip install costs little per line.
	p.logList = widget.NewList(func() int { return len(p.lines) },
		func() fyne.CanvasObject {
			t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
			t.TextStyle.Monospace = true
			t.TextSize = theme.CaptionTextSize()
			return t
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			t := o.(*canvas.Text)
			t.Text, t.Color = p.lines[id], theme.Color(theme.ColorNameForeground)
			t.Refresh()
		})
	p.logList.HideSeparators = true
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		p.cancel.Disable()
		p.cancel.SetText("Cancelling…")
		call(f.act.CancelInstall)
	})
	p.retry = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() {
		p.reset()
		call(f.act.Install)
	})
	p.errView = errorview.New(errorview.Message{})
	p.errBox = p.errView.Content()
	p.reset()

	title := widget.NewLabelWithStyle("Installing ComfyUI", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(title, p.list, p.bar, p.errBox)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(p.cancel, p.retry))
	// The log sits on the input background so it reads as a separate pane.
	logBG := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	logBG.CornerRadius = theme.InputRadiusSize()
	p.root = container.NewBorder(top, bottom, nil, nil, container.NewStack(logBG, p.logList))
	return p
}

// reset prepares a (re)run: steps and log stay visible until new events
// replace them, buttons and error go back to "running".
func (p *installPage) reset() {
	p.cancel.Enable()
	p.cancel.SetText("Cancel")
	p.cancel.Show()
	p.retry.Hide()
	p.errBox.Hide()
	if p.root != nil {
		p.root.Refresh()
	}
}

func (p *installPage) setStep(s InstallStep) {
	row, ok := p.rows[s.Name]
	if !ok {
		row = &stepRow{icon: widget.NewIcon(nil), name: widget.NewLabel(s.Name), detail: widget.NewLabel("")}
		row.detail.Importance = widget.LowImportance
		p.rows[s.Name] = row
		p.order = append(p.order, s.Name)
		p.list.Add(container.NewHBox(row.icon, row.name, row.detail))
		p.list.Layout = layout.NewCustomPaddedVBoxLayout(0)
	}
	p.states[s.Name] = s.State
	row.icon.SetResource(stateIcon(s.State))
	row.name.TextStyle.Bold = s.State == Running
	row.name.Refresh()
	detail := s.Detail
	if s.State == Failed {
		// The error itself is shown once, in full, under the steps; repeated
		// here on one unwrapped line it also widened the window.
		detail = "failed: see below"
	}
	row.detail.SetText(detail)
	finished := 0
	for _, st := range p.states {
		if st == Done || st == Skipped {
			finished++
		}
	}
	p.bar.SetValue(float64(finished) / float64(len(p.order)))
	p.root.Refresh() // the step list may have grown: lay the page out again
}

func (p *installPage) log(line string) {
	line = strings.TrimRight(line, "\r\n")
	for _, part := range wrapRunes(line, p.logColumns()) {
		if len(p.lines) >= logKeep {
			// Drop the oldest in one copy so the slice does not creep forward.
			n := copy(p.lines, p.lines[len(p.lines)-logKeep+1:])
			p.lines = p.lines[:n]
		}
		p.lines = append(p.lines, part)
	}
	p.logList.Refresh()
	p.logList.ScrollTo(len(p.lines) - 1) // unlike ScrollToBottom, safe before the first render
}

// logColumns is how many monospace characters fit across the log pane
// (160 before it is first laid out).
func (p *installPage) logColumns() int {
	w := p.logList.Size().Width - 4*theme.Padding()
	c := fyne.MeasureText("M", theme.CaptionTextSize(), fyne.TextStyle{Monospace: true}).Width
	if w <= 0 || c <= 0 {
		return 160
	}
	return max(20, int(w/c))
}

// wrapRunes cuts a log line into pieces of at most n characters: pip's
// long lines were cut off at the pane's edge, so the end (often the
// error) could not be read.
func wrapRunes(line string, n int) []string {
	r := []rune(line)
	if len(r) <= n {
		return []string{line}
	}
	parts := []string{string(r[:n])}
	r = r[n:]
	for len(r) > n-2 { // continuation pieces are indented by two spaces
		parts = append(parts, "  "+string(r[:n-2]))
		r = r[n-2:]
	}
	return append(parts, "  "+string(r))
}

func (p *installPage) done(err error) {
	p.cancel.Hide()
	if err == nil {
		p.bar.SetValue(1)
		p.root.Refresh()
		return
	}
	// Engine errors already say what to do; the details hold the log's tail.
	m := errorview.Message{What: "Installing ComfyUI failed.", Do: capitalise(err.Error())}
	if errors.Is(err, context.Canceled) {
		m = errorview.Message{What: "The install was cancelled.", Do: "Nothing half-installed is used; try again when you are ready."}
	}
	tail := p.lines
	if len(tail) > 40 {
		tail = tail[len(tail)-40:]
	}
	m.Details = strings.Join(tail, "\n")
	p.errView.Set(m)
	p.errBox.Show()
	p.retry.Show()
	p.root.Refresh()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Package errorview shows a failure the way a person needs it: what happened
// and what to do, in plain words, with the raw text (ComfyUI's traceback, a
// server reply) one click away for a bug report.
package errorview

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Message is one human error. Details is the raw text; it may be long.
type Message struct {
	What    string // "ComfyUI ran out of GPU memory."
	Do      string // "Lower the size or length, or switch VRAM mode to lowvram in Settings."
	Details string // raw ComfyUI / server text, shown only on request
	// Notice marks news that is no failure (a job the person cancelled):
	// plain text colour and an info icon instead of the error red.
	Notice bool
}

// View renders a Message. Its zero state is empty; Set replaces the message.
type View struct {
	what, do *widget.Label
	icon     *widget.Icon
	toggle   *widget.Button
	copyBtn  *widget.Button
	details  *widget.Label
	scroll   *container.Scroll
	box      *fyne.Container
	expanded bool
	msg      Message
}

// New builds the view showing m.
func New(m Message) *View {
	v := &View{
		what:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		do:      widget.NewLabel(""),
		details: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
	}
	v.what.Wrapping = fyne.TextWrapWord
	v.do.Wrapping = fyne.TextWrapWord
	// Selectable so the raw text can be copied piece by piece; the Copy button
	// takes all of it.
	v.details.Selectable = true
	v.details.Wrapping = fyne.TextWrapBreak
	v.toggle = widget.NewButtonWithIcon("Show details", theme.MenuDropDownIcon(), v.onToggle)
	v.toggle.Importance = widget.LowImportance
	v.copyBtn = widget.NewButtonWithIcon("Copy details", theme.ContentCopyIcon(), v.onCopy)
	v.copyBtn.Importance = widget.LowImportance
	v.scroll = container.NewVScroll(v.details)
	v.scroll.SetMinSize(fyne.NewSize(0, 160))
	v.scroll.Hide()
	v.copyBtn.Hide()
	v.icon = widget.NewIcon(nil)
	head := container.NewBorder(nil, nil, container.NewVBox(v.icon), nil, container.NewVBox(v.what, v.do))
	v.box = container.NewVBox(head, container.NewHBox(v.toggle, v.copyBtn), v.scroll)
	v.apply(m)
	return v
}

// Content is the view's root object.
func (v *View) Content() fyne.CanvasObject { return v.box }

// Set replaces the message and collapses the details. Safe from any goroutine.
func (v *View) Set(m Message) { fyne.Do(func() { v.apply(m) }) }

// SetExpanded shows or hides the raw details. Safe from any goroutine.
func (v *View) SetExpanded(on bool) { fyne.Do(func() { v.setExpanded(on) }) }

// Expanded reports whether the details are shown (UI goroutine / tests).
func (v *View) Expanded() bool { return v.expanded }

// DetailsText is the raw text the view holds (UI goroutine / tests).
func (v *View) DetailsText() string { return v.details.Text }

// Message is the message shown (UI goroutine / tests).
func (v *View) Message() Message { return v.msg }

func (v *View) apply(m Message) {
	v.msg = m
	if m.Notice {
		v.what.Importance = widget.MediumImportance
		v.icon.SetResource(theme.InfoIcon())
	} else {
		v.what.Importance = widget.DangerImportance
		v.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	}
	v.what.SetText(m.What)
	v.do.SetText(m.Do)
	if m.Do == "" {
		v.do.Hide()
	} else {
		v.do.Show()
	}
	v.details.SetText(strings.TrimRight(m.Details, "\n"))
	v.setExpanded(false)
	if m.Details == "" {
		v.toggle.Hide()
	} else {
		v.toggle.Show()
	}
}

func (v *View) onToggle() { v.setExpanded(!v.expanded) }

func (v *View) setExpanded(on bool) {
	v.expanded = on
	if on {
		v.toggle.SetText("Hide details")
		v.toggle.SetIcon(theme.MenuDropUpIcon())
		v.scroll.Show()
		v.copyBtn.Show()
	} else {
		v.toggle.SetText("Show details")
		v.toggle.SetIcon(theme.MenuDropDownIcon())
		v.scroll.Hide()
		v.copyBtn.Hide()
	}
	v.box.Refresh()
}

func (v *View) onCopy() {
	if app := fyne.CurrentApp(); app != nil {
		app.Clipboard().SetContent(v.details.Text)
	}
}

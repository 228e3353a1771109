package modeform

import (
	"image/color"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

// ShortcutFunc handles a window-wide shortcut and reports whether it did.
type ShortcutFunc func(fyne.Shortcut) bool

// entry forwards window shortcuts (Ctrl+Enter, Ctrl+1…6) that a focused
// Entry would otherwise swallow: Fyne gives shortcuts to the focused widget
// and never to the canvas.
type entry struct {
	widget.Entry
	shortcut ShortcutFunc
}

func newEntry(multi bool, sc ShortcutFunc) *entry {
	e := &entry{shortcut: sc}
	e.MultiLine = multi
	if multi {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*desktop.CustomShortcut); ok && e.shortcut != nil && e.shortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// note is the line under a field: a dim hint, a read-out, or an error on the
// error background.
type note struct {
	text     *widget.RichText
	back     *canvas.Rectangle
	box      *fyne.Container
	relayout func() // called when the note appears or goes
}

func newNote() *note {
	n := &note{text: widget.NewRichText(), back: canvas.NewRectangle(color.Transparent)}
	n.text.Wrapping = fyne.TextWrapWord
	n.back.CornerRadius = 4
	n.box = container.NewStack(n.back, n.text)
	n.box.Hide()
	return n
}

// Kinds of note.
const (
	noteHint = iota
	noteError
)

func (n *note) set(text string, kind int) {
	was := n.box.Visible()
	defer func() {
		if n.relayout != nil && was != n.box.Visible() {
			n.relayout()
		}
	}()
	if text == "" {
		n.box.Hide()
		return
	}
	colour, back := topaz.ColorNameTextDim, color.Color(color.Transparent)
	if kind == noteError {
		colour, back = theme.ColorNameError, topaz.ErrorBack
	}
	n.text.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  sentence(text),
		Style: widget.RichTextStyle{ColorName: colour, SizeName: theme.SizeNameCaptionText, Inline: true},
	}}
	n.back.FillColor = back
	n.back.Refresh()
	n.text.Refresh()
	n.box.Show()
}

// sentence capitalises a message from workflows ("describe the video…"),
// which are lower-case so they can also follow a field name.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Text is the note's text ("" when hidden); tests read it.
func (n *note) Text() string {
	if !n.box.Visible() {
		return ""
	}
	return n.text.String()
}

// IsError reports whether the note shows an error.
func (n *note) IsError() bool { return n.box.Visible() && n.back.FillColor == topaz.ErrorBack }

// dim is a small read-out label in the hint colour.
func dim(text string) *widget.RichText {
	r := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		ColorName: topaz.ColorNameTextDim, SizeName: theme.SizeNameCaptionText, Inline: true}})
	r.Wrapping = fyne.TextWrapWord
	return r
}

func setDim(r *widget.RichText, text string) {
	if seg, ok := r.Segments[0].(*widget.TextSegment); ok && seg.Text != text {
		seg.Text = text
		r.Refresh()
	}
}

// unit is a one-line dim label that never wraps (suffixes, slider value).
func unit(text string) *canvas.Text {
	t := canvas.NewText(text, topaz.TextDim)
	t.TextSize = theme.Size(theme.SizeNameCaptionText)
	return t
}

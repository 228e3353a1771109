// Package layoutdump lists what a window shows: every visible widget with
// its text and its place in window pixels. The Xvfb click-through
// (`./dev clickthrough`) reads the list to click a button by its label
// instead of at a guessed coordinate. Only a build with the clickthrough tag
// writes it; nothing in the app depends on it.
package layoutdump

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Item is one visible object: its Go type, its text, its rectangle in
// window pixels and whether it is disabled.
type Item struct {
	Type     string
	Text     string
	X, Y     int
	W, H     int
	Disabled bool
	Layer    int // 0 the window's content, 1… its pop-ups and dialogs, top last
}

// Collect walks the canvas's content and overlays.
func Collect(c fyne.Canvas) []Item {
	scale := c.Scale()
	var items []Item
	all := rect{0, 0, 1 << 30, 1 << 30}
	walk(c.Content(), fyne.NewPos(0, 0), all, scale, 0, &items)
	for i, o := range c.Overlays().List() {
		walk(o, fyne.NewPos(0, 0), all, scale, i+1, &items)
	}
	return items
}

// rect is a clip in canvas units: what a scroll container lets show.
type rect struct{ x0, y0, x1, y1 float32 }

func (r rect) cut(o rect) rect {
	return rect{max(r.x0, o.x0), max(r.y0, o.y0), min(r.x1, o.x1), min(r.y1, o.y1)}
}

func (r rect) empty() bool { return r.x1 <= r.x0 || r.y1 <= r.y0 }

// Write prints items one a line, tab-separated:
// layer, type, x, y, w, h, state, text.
func Write(w io.Writer, items []Item) error {
	for _, it := range items {
		state := "on"
		if it.Disabled {
			state = "off"
		}
		text := strings.NewReplacer("\t", " ", "\n", "⏎").Replace(it.Text)
		if _, err := fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n",
			it.Layer, it.Type, it.X, it.Y, it.W, it.H, state, text); err != nil {
			return fmt.Errorf("writing the layout: %w", err)
		}
	}
	return nil
}

// walk lists o and what it holds; clip is the part of the canvas that
// scroll containers above o let show: a widget scrolled out of sight is
// left out, one half in sight is cut to its visible part.
func walk(o fyne.CanvasObject, parent fyne.Position, clip rect, scale float32, layer int, items *[]Item) {
	if o == nil || !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	size := o.Size()
	shown := clip.cut(rect{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height})
	if _, ok := o.(*container.Scroll); ok {
		clip = shown
	}
	if text, ok := textOf(o); ok && !shown.empty() {
		it := Item{
			Type: strings.TrimPrefix(fmt.Sprintf("%T", o), "*"), Text: text,
			X: int(shown.x0 * scale), Y: int(shown.y0 * scale),
			W: int((shown.x1 - shown.x0) * scale), H: int((shown.y1 - shown.y0) * scale), Layer: layer,
		}
		if d, ok := o.(fyne.Disableable); ok {
			it.Disabled = d.Disabled()
		}
		*items = append(*items, it)
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, pos, clip, scale, layer, items)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, pos, clip, scale, layer, items)
		}
	}
}

// textOf is the text a person would use to name o, for the objects one can
// click or read; ok is false for pure decoration.
func textOf(o fyne.CanvasObject) (string, bool) {
	switch v := o.(type) {
	case *widget.Button:
		return v.Text, true
	case *widget.Label:
		return v.Text, true
	case *widget.Entry:
		if v.Text == "" {
			return "placeholder:" + v.PlaceHolder, true
		}
		return v.Text, true
	case *widget.Check:
		return v.Text, true
	case *widget.Select:
		return v.Selected, true
	case *widget.Hyperlink:
		return v.Text, true
	case *widget.RichText:
		return v.String(), true
	case *widget.Slider:
		return fmt.Sprintf("%g", v.Value), true
	case *widget.ProgressBar:
		return fmt.Sprintf("%g", v.Value), true
	case *canvas.Text:
		return "", false // the widgets above already carry their text
	}
	if inner, ok := embeddedWidget(o); ok { // the app's own entry, say
		return textOf(inner)
	}
	switch o.(type) {
	case fyne.Tappable:
		// Fyne's own tappables (tab buttons, file dialog items, list rows)
		// keep their label in an unexported field; read it for the name.
		return unexportedText(o), true
	}
	return "", false
}

// embeddedWidget finds a Fyne widget embedded as o's first field, the way
// the app extends widget.Entry.
func embeddedWidget(o fyne.CanvasObject) (fyne.CanvasObject, bool) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	s := v.Elem()
	if s.NumField() == 0 || !s.Type().Field(0).Anonymous {
		return nil, false
	}
	f := s.Field(0)
	if f.Kind() != reflect.Struct || !f.Addr().CanInterface() {
		return nil, false
	}
	switch inner := f.Addr().Interface().(type) {
	case *widget.Entry, *widget.Button, *widget.Label, *widget.Select, *widget.Check:
		return inner.(fyne.CanvasObject), true
	}
	return nil, false
}

func unexportedText(o fyne.CanvasObject) string {
	v := reflect.ValueOf(o)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	for _, name := range []string{"text", "name", "Text"} {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
	}
	return ""
}

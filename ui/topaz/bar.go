package topaz

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Bar is a progress bar whose empty part is the raised slate, not the
// half-transparent amber of Fyne's own: that one, on our dark background,
// reads as a full bar at 0 %.
type Bar struct {
	widget.BaseWidget
	Value float64 // 0…1
}

// NewBar makes an empty bar.
func NewBar() *Bar {
	b := &Bar{}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue moves the bar to v (clamped to 0…1). UI goroutine.
func (b *Bar) SetValue(v float64) {
	b.Value = min(max(v, 0), 1)
	b.Refresh()
}

// CreateRenderer is Fyne's hook.
func (b *Bar) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{b: b, back: canvas.NewRectangle(Raised), fill: canvas.NewRectangle(Amber),
		label: canvas.NewText("", Text)}
	r.back.StrokeColor, r.back.StrokeWidth = Line, 1
	r.back.CornerRadius = theme.InputRadiusSize()
	r.fill.CornerRadius = theme.InputRadiusSize()
	r.label.Alignment = fyne.TextAlignCenter
	r.label.TextSize = theme.CaptionTextSize()
	r.Refresh()
	return r
}

type barRenderer struct {
	b          *Bar
	back, fill *canvas.Rectangle
	label      *canvas.Text
}

func (r *barRenderer) Layout(s fyne.Size) {
	r.back.Resize(s)
	r.fill.Resize(fyne.NewSize(s.Width*float32(r.b.Value), s.Height))
	r.label.Move(fyne.NewPos(0, 0))
	r.label.Resize(s)
}

func (r *barRenderer) MinSize() fyne.Size {
	t := fyne.MeasureText("100%", theme.CaptionTextSize(), fyne.TextStyle{})
	return fyne.NewSize(t.Width+4*theme.Padding(), t.Height+2*theme.Padding())
}

func (r *barRenderer) Refresh() {
	r.label.Text = fmt.Sprintf("%.0f%%", r.b.Value*100)
	// The percentage sits mid-bar: dark on amber once the fill passes it.
	var c color.Color = Text
	if r.b.Value >= 0.5 {
		c = Slate
	}
	r.label.Color = c
	r.fill.Hidden = r.b.Value <= 0
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *barRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.back, r.fill, r.label}
}

func (r *barRenderer) Destroy() {}

package topaz

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// At 0 % nothing is filled (Fyne's own bar looked full on our background);
// the fill grows with the value and the text says the percentage.
func TestBarFillsWithItsValue(t *testing.T) {
	test.NewTempApp(t)
	b := NewBar()
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(200, 40))
	r := test.WidgetRenderer(b).(*barRenderer)
	if !r.fill.Hidden || r.label.Text != "0%" {
		t.Fatalf("empty bar: fill hidden %v, text %q", r.fill.Hidden, r.label.Text)
	}
	b.SetValue(0.25)
	if r.fill.Hidden || r.fill.Size().Width != b.Size().Width/4 || r.label.Text != "25%" {
		t.Fatalf("quarter bar: fill %v of %v, text %q", r.fill.Size(), b.Size(), r.label.Text)
	}
	b.SetValue(3)
	if b.Value != 1 || r.label.Text != "100%" {
		t.Fatalf("over-full bar: value %v, text %q", b.Value, r.label.Text)
	}
}

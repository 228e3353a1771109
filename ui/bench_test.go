package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// BenchmarkNewShell is the UI part of start-up: the window content with the
// first mode's form, laid out once (test driver, software painter).
func BenchmarkNewShell(b *testing.B) {
	test.NewApp()
	fyne.CurrentApp().Settings().SetTheme(topaz.Theme{})
	b.ReportAllocs()
	for b.Loop() {
		w := test.NewWindow(nil)
		New(b.Context(), w, Deps{Go: func(f func()) { f() }})
		w.Resize(fyne.NewSize(1280, 800))
		w.Close()
	}
}

// BenchmarkSwitchMode is the cost of Ctrl+N once every form exists.
func BenchmarkSwitchMode(b *testing.B) {
	test.NewApp()
	fyne.CurrentApp().Settings().SetTheme(topaz.Theme{})
	w := test.NewWindow(nil)
	defer w.Close()
	s := New(b.Context(), w, Deps{Go: func(f func()) { f() }})
	w.Resize(fyne.NewSize(1280, 800))
	modes := workflows.Modes()
	for _, m := range modes {
		s.SelectMode(m.ID)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.SelectMode(modes[i%len(modes)].ID)
	}
}

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// buttonsLabelled finds every visible button with the given text under o.
func buttonsLabelled(o fyne.CanvasObject, text string) []*widget.Button {
	var found []*widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = append(found, v)
			}
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		case *container.Scroll:
			walk(v.Content)
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return found
}

// Every mode's "Choose…" opens the file dialog without a crash (it once
// resized the dialog before showing it: a nil pointer in Fyne), and Cancel
// closes it leaving the slot empty.
func TestChooseOpensTheFileDialogInEveryMode(t *testing.T) {
	s, w := newTestShell(t, Deps{Probe: probeImages})
	opened := 0
	for _, m := range workflows.Modes() {
		s.SelectMode(m.ID)
		choose := buttonsLabelled(w.Content(), "Choose…")
		if len(choose) != len(m.Slots) {
			t.Fatalf("%s: %d Choose… buttons for %d slots", m.Label, len(choose), len(m.Slots))
		}
		for i, b := range choose {
			test.Tap(b)
			overlay := w.Canvas().Overlays().Top()
			if overlay == nil {
				t.Fatalf("%s slot %d: no file dialog after Choose…", m.Label, i)
			}
			if sz := overlay.Size(); sz.Width < 800 || sz.Height < 500 {
				t.Errorf("%s slot %d: file dialog is %v, want about 820×560", m.Label, i, sz)
			}
			cancel := buttonsLabelled(overlay, "Cancel")
			if len(cancel) != 1 {
				t.Fatalf("%s slot %d: %d Cancel buttons in the file dialog", m.Label, i, len(cancel))
			}
			test.Tap(cancel[0])
			if w.Canvas().Overlays().Top() != nil {
				t.Fatalf("%s slot %d: the file dialog stayed open after Cancel", m.Label, i)
			}
			opened++
		}
		if got := s.Form(m.ID).Result().Form.Media; len(got) != 0 {
			t.Errorf("%s: a cancelled dialog filled slots: %v", m.Label, got)
		}
	}
	if opened < 6 {
		t.Fatalf("opened %d file dialogs, want one per slot (at least 6)", opened)
	}
}

// Ctrl+Q quits, from the window and from inside the prompt (whose entry
// forwards window shortcuts).
func TestCtrlQQuits(t *testing.T) {
	quits := 0
	s, w := newTestShell(t, Deps{OnQuit: func() { quits++ }})
	shortcuts(s, w).TypedShortcut(ctrl(fyne.KeyQ))
	if quits != 1 {
		t.Fatalf("Ctrl+Q on the window: %d quits", quits)
	}
	if !s.onShortcut(ctrl(fyne.KeyQ)) || quits != 2 {
		t.Fatalf("Ctrl+Q forwarded from an entry: %d quits", quits)
	}
}

// The line under Generate names the other fields with a problem instead
// of "(and 2 more)".
func TestReasonNamesTheOtherFields(t *testing.T) {
	m, _ := workflows.Lookup(workflows.I2V)
	got := firstReason(m, map[workflows.Field]string{"seconds": "too long", "media.image": "choose one", "seed": "not a number"})
	want := m.Slots[0].Label + ": choose one (also Duration, Seed)"
	if got != want {
		t.Fatalf("reason = %q, want %q", got, want)
	}
}

// No mode's form may need more than the 1280-pixel window: Fyne grows the
// window past the screen instead, and the right-hand panel is cut off.
func TestEveryModeFitsA1280Window(t *testing.T) {
	s, w := newTestShell(t, Deps{})
	for _, m := range workflows.Modes() {
		s.SelectMode(m.ID)
		s.Form(m.ID).SetUsedSeed(9115366459248168767)
		if got := w.Content().MinSize().Width; got > 1280 {
			t.Errorf("%s needs a %v-pixel-wide window", m.Label, got)
		}
	}
}

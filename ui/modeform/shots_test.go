package modeform

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// The Style form after a source video was chosen, and a t2v form after an
// enhanced run, as pictures for a person to check.
func TestShotStyleAndEnhanced(t *testing.T) {
	f := newTestForm(t, workflows.Style)
	f.SetFile("video", "/in/ntsc.mov")
	w := test.NewTempWindow(t, f.Content())
	w.Resize(fyne.NewSize(600, 1100))
	uitest.Shot(t, w, "style-form.png")
	g := newTestForm(t, workflows.T2V)
	test.Type(g.prompt, "a heron")
	g.SetEnhancedPrompt("A grey heron stands in shallow water at dawn, mist drifting over the reeds while the light turns gold.")
	w2 := test.NewTempWindow(t, g.Content())
	w2.Resize(fyne.NewSize(600, 1000))
	uitest.Shot(t, w2, "t2v-enhanced.png")
}

package modeform

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Presets are described in plain words (speed, detail, memory); the
// sampler recipe shows only after Details.
func TestPresetsInPlainWordsWithDetailsOnRequest(t *testing.T) {
	test.NewTempApp(t)
	b := newPresetBlock(nil)
	for _, p := range workflows.Presets() {
		b.set(p, workflows.T2V)
		plain := b.plain.String()
		if strings.Contains(plain, "cfg") || strings.Contains(plain, "σ") || !strings.Contains(plain, "memory") {
			t.Errorf("%s: %q is not plain words", p.Label, plain)
		}
	}
	if b.details.Visible() {
		t.Fatal("the recipe shows before Details")
	}
	test.Tap(b.toggle)
	if !b.details.Visible() || !strings.Contains(b.details.String(), "cfg") {
		t.Fatalf("Details shows %q", b.details.String())
	}
}

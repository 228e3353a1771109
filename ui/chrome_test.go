package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Every mode's icon is a real Fyne theme icon name: the sidebar looks it up
// by name, with no per-mode switch to keep in step with the registry.
func TestEveryModeIconIsAThemeIcon(t *testing.T) {
	for _, m := range workflows.Modes() {
		if theme.DefaultTheme().Icon(fyne.ThemeIconName(m.Icon)) == nil {
			t.Errorf("mode %s: %q is not a Fyne theme icon name", m.ID, m.Icon)
		}
	}
}

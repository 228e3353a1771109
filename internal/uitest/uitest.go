// Package uitest holds helpers shared by the views' headless tests.
package uitest

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
)

// Shot writes the window's pixels to $LTX_SHOTS_DIR (or a temp dir) so a
// person can look at the view the test built.
func Shot(t testing.TB, w fyne.Window, name string) {
	t.Helper()
	dir := os.Getenv("LTX_SHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

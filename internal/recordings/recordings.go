// Package recordings finds the shared reference data (../shared beside the
// checkout, or shared/ inside it): the real ComfyUI recordings the client,
// the stand-in and the workflows are checked against.
package recordings

import (
	"os"
	"path/filepath"
	"testing"
)

// Find walks up from the working directory to shared/<rel> or
// ../shared/<rel> and returns it, or "" when there is none.
func Find(rel string) string {
	d, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		for _, c := range []string{filepath.Join(d, "shared", rel), filepath.Join(d, "..", "shared", rel)} {
			if _, err := os.Stat(c); err == nil {
				return filepath.Clean(c)
			}
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

// ComfyUI is the folder of the ComfyUI recordings; a test without them is skipped.
func ComfyUI(t testing.TB) string {
	t.Helper()
	d := Find("comfyui")
	if d == "" {
		t.Skip("shared/comfyui recordings not found")
	}
	return d
}

// Package recordings finds the shared reference data (../shared beside the
// checkout, or shared/ inside it): the real ComfyUI recordings the client,
// the stand-in and the workflows are checked against.
package recordings

import (
	"os"
	"path/filepath"
	"strings"
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

// ComfyUI is the folder of the ComfyUI recordings (see Need).
func ComfyUI(t testing.TB) string {
	t.Helper()
	return Need(t, "comfyui")
}

// Need returns shared/<rel> like Find. When it is missing the test is
// skipped on a developer's machine, but fails in CI (the CI environment
// variable set): there the recordings are part of the checkout's setup, and a
// test that quietly skips would let the client drift from the real ComfyUI
// unnoticed.
func Need(t testing.TB, rel string) string {
	t.Helper()
	d := Find(rel)
	if d == "" {
		if InCI() {
			t.Fatalf("shared/%s not found (walked up from the working directory): CI must put the reference recordings beside the checkout", rel)
		}
		t.Skipf("shared/%s not found", rel)
	}
	return d
}

// InCI reports whether the CI environment variable is set to anything but
// "", "0" or "false" (.ci/run sets CI=1; hosted runners set CI=true).
func InCI() bool {
	switch strings.ToLower(os.Getenv("CI")) {
	case "", "0", "false":
		return false
	}
	return true
}

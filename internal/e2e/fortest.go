package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// ForTest sets up the stand-in world for an end-to-end test, or skips it
// under -short or when git, python3 or go are missing. The world is closed
// when the test ends; getenv answers from the world's environment only.
func ForTest(t testing.TB, ctx context.Context) (w *World, getenv func(string) string) {
	t.Helper()
	return ForTestWith(t, ctx, Options{})
}

// ForTestWith is ForTest with more of the world (an existing ComfyUI, a
// slow network); o.Dir defaults to a fresh temporary folder.
func ForTestWith(t testing.TB, ctx context.Context, o Options) (w *World, getenv func(string) string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds a venv and runs pip (-short skips it)")
	}
	for _, tool := range []string{"git", "python3", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	w, err := Setup(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	env := map[string]string{}
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return w, func(k string) string { return env[k] }
}

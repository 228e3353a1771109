package cli

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// writePNG writes a real 64×64 PNG, which the media probe reads by content.
func writePNG(t *testing.T, path string) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWaiting(t, studio.Waits{}, args...)
}

// runCLIWaiting runs the CLI with shortened server waits.
func runCLIWaiting(t *testing.T, w studio.Waits, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(t.Context(), Env{Stdout: &out, Stderr: &errb, waits: w}, args)
	return code, out.String(), errb.String()
}

// Help is asked for, so it is printed on stdout and exits 0, and no flag
// carries two defaults.
func TestHelpExitsZero(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	for _, args := range [][]string{{"generate", "--help"}, {"generate", "-h"}, {"history", "-help"}, {"models", "--help"},
		{"models", "status", "-h"}, {"comfyui", "logs", "--help"}, {"comfyui", "--help"}, {"queue", "-h"}, {"help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || out == "" || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, "default") > 1 {
				t.Errorf("%v: a line with two defaults: %q", args, line)
			}
		}
	}
}

// What the window refuses, the terminal refuses too, before anything is
// queued, with a sentence naming the flag.
func TestGenerateRefusesWhatTheWindowRefuses(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LTX_STUDIO_HOME", home)
	text := filepath.Join(home, "notes.png")
	os.WriteFile(text, []byte("these are my notes, not a picture\n"), 0o644)
	img := writePNG(t, filepath.Join(home, "still.png"))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "i2v", "--image", text}, "--image " + text + ": notes.png: not a media file this app can read; Start image takes an image"},
		{[]string{"--mode", "a2v", "--audio", img}, "this is a PNG image, but Audio track takes an audio file"},
		{[]string{"--seed", "-5"}, `invalid value "-5" for flag -seed: want a whole number 0 or more, or "random"`},
		{[]string{"--seed", "1.5"}, "want a whole number 0 or more"},
		{[]string{"--mode", "keyframes-please"}, "the modes are t2v (Text → Video)"},
	} {
		code, out, errs := runCLI(t, append([]string{"generate", "--prompt", "x", "--backend", "http://127.0.0.1:1"}, tt.args...)...)
		if code == 0 || !strings.Contains(errs, tt.want) || strings.Count(errs, "invalid value") > 1 {
			t.Errorf("%v: exit %d, stderr %q (want %q), stdout %q", tt.args, code, errs, tt.want, out)
		}
	}
}

// Every name the registry gives a mode selects it: the window's label as
// well as the id; --seed takes "random".
func TestGenerateFlagsAcceptWindowNames(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	for _, name := range []string{"keyframe", "Keyframes", "KEY", "keyframes"} {
		g, err := parseGenerate([]string{"--mode", name, "--seed", "random"}, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
		if err != nil || g.mode.m.ID != "keyframe" || g.seed.set {
			t.Errorf("--mode %s --seed random: %+v, %v", name, g, err)
		}
	}
	g, err := parseGenerate([]string{"--mode", "Text → Video", "--seed", "0"}, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err != nil || g.mode.m.ID != "t2v" || !g.seed.set || g.seed.v != 0 {
		t.Errorf("--mode 'Text → Video' --seed 0: %+v, %v", g, err)
	}
}

func TestHistoryRefusesNegativeCount(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	code, _, errs := runCLI(t, "history", "-n", "-3")
	if code == 0 || !strings.Contains(errs, "want a whole number 0 or more") {
		t.Errorf("history -n -3: exit %d, %q", code, errs)
	}
	if code, out, _ := runCLI(t, "history", "-n", "0"); code != 0 || !strings.Contains(out, "no videos yet") {
		t.Errorf("history -n 0: exit %d, %q", code, out)
	}
}

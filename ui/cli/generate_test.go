package cli

import (
	"bytes"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
)

func sharedObjectInfo(t *testing.T) string {
	return filepath.Join(recordings.ComfyUI(t), "object_info.json")
}

// TestGenerateAndQueue drives the real workflows graphs through the engine
// against the stand-in, which validates them against the recorded
// object_info, then lists the queue.
func TestGenerateAndQueue(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LTX_STUDIO_HOME", home)
	srv := api.New(api.Options{ObjectInfoPath: sharedObjectInfo(t), OutputDir: t.TempDir(), InputDir: t.TempDir()})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	img := writePNG(t, filepath.Join(t.TempDir(), "start.png"))
	// A real, playable MP4 (the stand-in's own SaveVideo output) as a style source.
	video, err := filepath.Abs(filepath.Join("..", "..", "internal", "fakecomfy", "api", "testdata", "output.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"t2v", []string{"--mode", "t2v", "--prompt", "a red fox in snow", "--seed", "7", "--out", filepath.Join(home, "fox.mp4")}, 0, "saved " + filepath.Join(home, "fox.mp4")},
		{"t2v enhanced by default", []string{"--mode", "t2v", "--prompt", "a heron"}, 0, "enhanced prompt: fakecomfy"},
		{"enhance flags clash", []string{"--mode", "t2v", "--prompt", "x", "--enhance", "--no-enhance"}, 1, "contradict"},
		{"style without a first frame", []string{"--mode", "style", "--prompt", "as a watercolour", "--video", video, "--enhance", "--seconds", "0"}, 0, "enhanced prompt: fakecomfy"},
		{"style longer than its source", []string{"--mode", "style", "--prompt", "x", "--video", video, "--seconds", "3"}, 1, "can't run longer than its source"},
		{"i2v uploads media", []string{"--mode", "i2v", "--prompt", "it moves", "--image", img}, 0, "saved "},
		{"run-time failure", []string{"--mode", "t2v", "--prompt", "fakecomfy:fail"}, 1, "Replace it with: ltx-studio models repair --mode t2v"},
		{"form error", []string{"--mode", "t2v", "--prompt", "x", "--width", "100"}, 1, "--width"},
		{"unknown weights", []string{"--mode", "t2v", "--prompt", "x", "--weights", "2.0"}, 1, "--weights"},
		{"media missing", []string{"--mode", "i2v", "--prompt", "x"}, 1, "needs --image"},
		{"out exists", []string{"--mode", "t2v", "--prompt", "never queued", "--out", img}, 1, "already exists"},
		{"out folder missing", []string{"--mode", "t2v", "--prompt", "never queued", "--out", filepath.Join(home, "nope", "v.mp4")}, 1, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"generate", "--backend", ts.URL, "--width", "512", "--height", "320", "--seconds", "1"}, tt.args...)
			code := Run(t.Context(), Env{Stdout: &out, Stderr: &errb}, args)
			all := out.String() + errb.String()
			// The terminal is never sent to a window screen.
			if code != tt.code || !strings.Contains(all, tt.want) || strings.Contains(all, "screen") || strings.Contains(all, "Settings →") {
				t.Fatalf("exit %d (want %d), output:\n%s", code, tt.code, all)
			}
			t.Log(all)
		})
	}
	if _, err := os.Stat(filepath.Join(home, "fox.json")); err != nil {
		t.Errorf("sidecar not placed beside --out: %v", err)
	}
	var out bytes.Buffer
	if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out}, []string{"queue", "list"}); code != 0 || !strings.Contains(out.String(), "a red fox in snow") || strings.Contains(out.String(), "never queued") {
		t.Errorf("queue list: %s", out.String())
	}
}

// Without a usable ComfyUI, generate says what to do in the terminal.
func TestGenerateWithoutComfyUISaysWhatToType(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LTX_STUDIO_HOME", home)
	t.Setenv("LTX_STUDIO_COMFYUI_URL", "")
	code, out, errs := runCLI(t, "generate", "--prompt", "a fox")
	if code == 0 || !strings.Contains(errs, "ltx-studio comfyui install") || strings.Contains(errs+out, "Settings") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
	}
}

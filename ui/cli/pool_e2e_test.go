package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
)

// TestTerminalOnTwoGPUs: with two GPUs the terminal's generate starts one
// stand-in ComfyUI per GPU, says which GPU runs the job, `queue list` shows
// it, and no ComfyUI is left afterwards.
func TestTerminalOnTwoGPUs(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	w, _ := e2e.ForTest(t, ctx)
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("LTX_STUDIO_COMFYUI_URL", "")
	t.Setenv("LTX_COMFYUI_BASE", "")
	dirs := appdirs.Default()
	pin := func(o *studio.Options) {
		o.Install = func(c *install.Config) {
			c.ComfyCommit = w.Commit
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}
		o.ListGPUs = func(context.Context) ([]gpu.Device, error) {
			return []gpu.Device{{Index: 0, Name: "Fake GPU A", TotalMiB: 81920}, {Index: 1, Name: "Fake GPU B", TotalMiB: 81920}}, nil
		}
	}
	expect := func(want string, args ...string) string {
		t.Helper()
		out := &lines{}
		code := Run(ctx, Env{Stdout: out, Stderr: out, studioOpts: pin}, args)
		if code != 0 || !strings.Contains(out.String(), want) {
			t.Fatalf("ltx-studio %s: exit %d, want %q in:\n%s", strings.Join(args, " "), code, want, out)
		}
		return out.String()
	}
	expect("", "comfyui", "install")
	expect("", "models", "pull", "--mode", "t2v")
	out := expect("on ComfyUI at GPU 0, GPU 1", "generate", "--preset", "fast", "--prompt", "two lighthouses")
	if !strings.Contains(out, "running on GPU 0") && !strings.Contains(out, "running on GPU 1") {
		t.Errorf("generate does not say which GPU ran the job:\n%s", out)
	}
	list := expect("ON", "queue", "list")
	if !strings.Contains(list, "GPU 0") && !strings.Contains(list, "GPU 1") {
		t.Errorf("queue list does not name the GPU:\n%s", list)
	}
	for _, pf := range comfyui.PidFiles(dirs) {
		if _, err := os.Stat(pf); err == nil {
			t.Errorf("pidfile %s left: a ComfyUI may still run", pf)
			comfyui.StopDetached(context.Background(), dirs)
		}
	}
}

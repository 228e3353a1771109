package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hftest"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Every file any mode/preset/precision loads must have a download source.
func TestEveryModeNeedsOnlyRegistryFiles(t *testing.T) {
	for _, m := range workflows.Modes() {
		for _, p := range []workflows.Preset{workflows.Fast, workflows.Balanced, workflows.Quality} {
			for _, prec := range []workflows.Precision{workflows.FP8, workflows.BF16} {
				refs, err := requiredFor(m.ID, p, prec)
				if err != nil || len(refs) == 0 {
					t.Fatalf("%s/%s/%s: %v %v", m.ID, p, prec, refs, err)
				}
				for _, r := range refs {
					if _, ok := models.Lookup(r.Folder, r.Name); !ok {
						t.Errorf("%s/%s/%s needs %s, which the registry does not know", m.ID, p, prec, r)
					}
				}
			}
		}
	}
}

func TestModelsStatusOffline(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HF_HUB_CACHE", dir+"/hub")
	t.Setenv("HF_HUB_OFFLINE", "1")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("LTX_STUDIO_HOME", dir)
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{Stdout: &out, Stderr: &errb},
		[]string{"models", "status", "--mode", "t2v", "--preset", "fast", "--file", "geometry_estimation/moge_2_vitl_normal_fp16.safetensors"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "geometry_estimation/moge_2_vitl_normal_fp16.safetensors") || !strings.Contains(s, "MISSING (size unknown)") || !strings.Contains(s, "offline") {
		t.Errorf("status output:\n%s", s)
	}
	code = Run(context.Background(), Env{Stdout: &out, Stderr: &errb}, []string{"models", "status", "--file", "nofolder"})
	if code == 0 {
		t.Error("a bad --file was accepted")
	}
	code = Run(context.Background(), Env{Stdout: &out, Stderr: &errb}, []string{"models", "pull", "--file", "geometry_estimation/moge_2_vitl_normal_fp16.safetensors"})
	if code == 0 || !strings.Contains(errb.String(), "HF_HUB_OFFLINE") {
		t.Errorf("offline pull: exit %d, %s", code, errb.String())
	}
}

func TestModelsPullDownloadsAndLinks(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	srv := hftest.New(map[string]hftest.Repo{
		"Comfy-Org/MoGe": {Commit: commit, Files: map[string]hftest.File{
			"geometry_estimation/moge_2_vitl_normal_fp16.safetensors": {Data: bytes.Repeat([]byte("tae"), 300_000), LFS: true}}},
	})
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("HF_HUB_CACHE", dir+"/hub")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_ENDPOINT", srv.URL())
	t.Setenv("HF_TOKEN", "")
	t.Setenv("LTX_STUDIO_HOME", dir)
	var out, errb bytes.Buffer
	args := []string{"models", "pull", "--file", "geometry_estimation/moge_2_vitl_normal_fp16.safetensors", "--comfyui", dir + "/ComfyUI"}
	if code := Run(context.Background(), Env{Stdout: &out, Stderr: &errb}, args); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errb.String(), out.String())
	}
	if b, err := os.ReadFile(dir + "/ComfyUI/models/geometry_estimation/moge_2_vitl_normal_fp16.safetensors"); err != nil || len(b) != 900_000 {
		t.Fatalf("linked file: %d bytes, %v\n%s", len(b), err, out.String())
	}
	if !strings.Contains(out.String(), "✓ geometry_estimation/moge_2_vitl_normal_fp16.safetensors") || !strings.Contains(out.String(), "symlink") {
		t.Errorf("pull output:\n%s", out.String())
	}
	out.Reset()
	args[1] = "status"
	if code := Run(context.Background(), Env{Stdout: &out, Stderr: &errb}, args); code != 0 || !strings.Contains(out.String(), "present") {
		t.Errorf("status after pull (exit %d):\n%s", code, out.String())
	}
}

// An unreachable hub is one sentence and a failure exit, never a Go network
// error under every file; the cache is still reported.
func TestModelsStatusHubUnreachable(t *testing.T) {
	for _, hub := range []struct{ name, url, want string }{
		{"closed port", "http://" + closedPort(t), "nothing is listening on that port"},
		{"silent", "http://" + silentServer(t), "no answer within"},
		{"unknown name", "http://hub.invalid", "the name hub.invalid was not found"},
	} {
		t.Run(hub.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("HF_HUB_CACHE", dir+"/hub")
			t.Setenv("HF_HUB_OFFLINE", "")
			t.Setenv("HF_ENDPOINT", hub.url)
			t.Setenv("HF_TOKEN", "")
			t.Setenv("LTX_STUDIO_HOME", dir)
			waits := studio.Waits{Connect: time.Second, Health: 200 * time.Millisecond}
			code, out, errs := runCLIWaiting(t, waits, "models", "status", "--mode", "Keyframes", "--preset", "fast")
			if code == 0 || !strings.Contains(errs, "the model hub at ") || !strings.Contains(errs, hub.want) ||
				!strings.Contains(errs, "HF_HUB_OFFLINE=1") || strings.Contains(errs+out, "dial tcp") || strings.Contains(errs+out, "lookup ") {
				t.Fatalf("exit %d\nstderr %s\nstdout %s", code, errs, out)
			}
			if !strings.Contains(out, "MISSING (size unknown)") || strings.Contains(out, "offline") || !strings.Contains(out, "mode keyframe,") {
				t.Errorf("the cache report:\n%s", out)
			}
			code, out, errs = runCLIWaiting(t, waits, "models", "pull", "--file", "vae/taeltx2_3.safetensors")
			if code == 0 || !strings.Contains(errs, "nothing can be downloaded: the model hub at ") {
				t.Errorf("pull: exit %d\nstderr %s\nstdout %s", code, errs, out)
			}
		})
	}
}

// --weights 1.1 lists Lightricks' 1.1 distilled files instead of the 1.0 ones.
func TestModelsWeightsRelease(t *testing.T) {
	refs, scope, err := modelRefs(modelsFlags{mode: "t2v", preset: "balanced", precision: "fp8", weights: "1.1"})
	if err != nil || !strings.Contains(scope, "LTX-2.3 1.1") {
		t.Fatalf("%v %q", err, scope)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Name)
	}
	all := strings.Join(names, " ")
	if !strings.Contains(all, "ltx-2.3-22b-distilled-lora-384-1.1.safetensors") || !strings.Contains(all, "ltx-2.3-spatial-upscaler-x2-1.1.safetensors") ||
		strings.Contains(all, "spatial-upscaler-x2-1.0") {
		t.Errorf("1.1 refs: %s", all)
	}
}

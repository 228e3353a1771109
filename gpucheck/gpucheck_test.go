package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// Every run the form accepts asks for the same 17 frames, so one expectation
// holds for all; the 32-multiple Style run is the only one it may refuse.
func TestRunsAskSeventeenFrames(t *testing.T) {
	for _, r := range plannedRuns() {
		errs := r.form("/in").Validate()
		if len(errs) > 0 {
			if !r.MayRefuse {
				t.Errorf("%s: the form refuses the check's own run: %v", r.label(), errs)
			}
			continue
		}
		if got := r.frames(); got != 17 {
			t.Errorf("%s: %d frames, want 17", r.label(), got)
		}
	}
}

func TestManifestHasAKindForEveryFile(t *testing.T) {
	m, err := manifest()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range m {
		kinds[e.Kind] = true
	}
	for _, k := range []string{kindCheckpoint, kindLoRA, kindICLoRA, kindUpscaler, kindGemma, kindMoGe} {
		if !kinds[k] {
			t.Errorf("no run loads a %s file", k)
		}
	}
	if _, err := kindOf(models.File{Folder: "loras", Name: "ltx-2-19b-lora-camera-control-static.safetensors"}); err == nil {
		t.Error("a file without synthetic weights must be an error, not a silent guess")
	}
}

// The synthetic files go through the app's own cache lookup and linker: the
// linked file in ComfyUI's models folder has the bytes of the synthetic one.
func TestPlaceThenLinkWithTheAppsStore(t *testing.T) {
	dir := t.TempDir()
	weights, hub, comfy := filepath.Join(dir, "w"), filepath.Join(dir, "hub"), filepath.Join(dir, "ComfyUI")
	for _, d := range []string{weights, comfy} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, err := manifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{kindCheckpoint, kindLoRA, kindICLoRA, kindUpscaler, kindGemma, kindMoGe} {
		body := []byte("synthetic " + k)
		sum := sha256.Sum256(body)
		if err := os.WriteFile(filepath.Join(weights, k+".safetensors"), body, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(weights, k+".sha256"), []byte(hex.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := hfcache.Cache{Dir: hub}
	refs := make([]models.Ref, 0, len(m))
	for _, e := range m {
		if err := place(cache, e, weights); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, e.Ref())
	}
	st := models.New(models.Options{Env: hfcache.Env{CacheDir: hub, Offline: true}, LockPath: filepath.Join(dir, "lock.json"), ComfyUI: comfy})
	rep, err := st.Link(refs)
	if err != nil {
		t.Fatalf("link: %v", err)
	}
	if len(rep.Results) != len(m) {
		t.Fatalf("%d files linked, want %d", len(rep.Results), len(m))
	}
	for _, e := range m {
		got, err := os.ReadFile(filepath.Join(comfy, "models", e.Folder, e.Name))
		if err != nil {
			t.Fatalf("%s not linked: %v", e.Ref(), err)
		}
		if string(got) != "synthetic "+e.Kind {
			t.Errorf("%s holds %q", e.Ref(), got)
		}
	}
}

package studio

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"github.com/ltxstudio/ltx-studio/models/hftest"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// TestGenerateRefusesInOrder walks Generate's checks in their order against
// the stand-ins: the form, the media, the queue, the model files, the fit;
// each refusal is typed and queues nothing, and what passes gets a seed.
func TestGenerateRefusesInOrder(t *testing.T) {
	hub := hftest.New(map[string]hftest.Repo{})
	defer hub.Close()
	home := t.TempDir()
	env := map[string]string{"HF_ENDPOINT": hub.URL(), "HF_HUB_CACHE": filepath.Join(home, "hub")}
	comfy := httptest.NewServer(api.New(api.Options{ObjectInfoPath: filepath.Join(recordings.ComfyUI(t), "object_info.json"),
		OutputDir: t.TempDir(), InputDir: t.TempDir()}))
	defer comfy.Close()
	open := func(shares bool) *Studio {
		s, err := Open(Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(k string) string { return env[k] },
			Server: &Server{Name: "local", URL: comfy.URL, SharesModels: shares},
			Claim:  func(jobs.Job) bool { return false }}) // queued, never run: the queue is what is checked
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open(true)
	form := workflows.DefaultForm(workflows.T2V)
	form.Prompt = "a red fox in snow"
	ctx := t.Context()

	blank := form
	blank.Prompt = " "
	var fe *FormError
	if _, err := s.Generate(ctx, blank, GenerateOptions{}); !errors.As(err, &fe) {
		t.Fatalf("blank prompt: %v; want a *FormError", err)
	}
	notes := filepath.Join(t.TempDir(), "notes.png")
	if err := os.WriteFile(notes, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	i2v := workflows.DefaultForm(workflows.I2V)
	i2v.Prompt, i2v.Media["image"] = "it moves", notes
	var me *MediaError
	if _, err := s.Generate(ctx, i2v, GenerateOptions{}); !errors.As(err, &me) || me.Slot.ID != "image" {
		t.Fatalf("a text file as the image: %v; want a *MediaError for the image", err)
	}
	if _, err := s.Generate(ctx, form, GenerateOptions{}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("before Start: %v; want ErrNotRunning", err)
	}
	if len(hub.Requests()) != 0 {
		t.Fatalf("the hub was asked before the form and media passed: %v", hub.Requests())
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var mm *MissingModelsError
	if _, err := s.Generate(ctx, form, GenerateOptions{}); !errors.As(err, &mm) || len(mm.Files) == 0 {
		t.Fatalf("nothing downloaded: %v; want a *MissingModelsError naming the files", err)
	}
	small := &gpu.Sample{GPUs: []gpu.Device{{Name: "small", TotalMiB: 8192}}, RAMTotal: 16 << 30, RAMUsed: 8 << 30}
	var fit *FitError
	if _, err := s.Generate(ctx, form, GenerateOptions{FetchModels: true, GPU: small}); !errors.As(err, &fit) || fit.Fit.Verdict != Fail || fit.Fit.Need == 0 {
		t.Fatalf("an 8 GiB GPU: %v; want a *FitError with the estimate", err)
	}
	if n := len(s.QueuedJobs()); n != 0 {
		t.Fatalf("%d jobs queued by refusals", n)
	}
	j, err := s.Generate(ctx, form, GenerateOptions{FetchModels: true, AnyFit: true, GPU: small})
	if err != nil {
		t.Fatal(err)
	}
	if j.Form.RandomSeed || j.Form.Weights == "" {
		t.Errorf("queued form: random seed %t, weights %q; want the seed resolved and the settings' release filled in", j.Form.RandomSeed, j.Form.Weights)
	}

	// A server with its own models: neither the model files nor this
	// machine's GPU are its business.
	own := open(false)
	if err := own.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hub.Reset()
	if _, err := own.Generate(ctx, form, GenerateOptions{GPU: small}); err != nil {
		t.Fatalf("on a server of its own: %v", err)
	}
	if len(hub.Requests()) != 0 {
		t.Errorf("the hub was asked for a server with its own models: %v", hub.Requests())
	}
}

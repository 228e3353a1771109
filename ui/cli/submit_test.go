package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/models/hftest"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// TestSubmitAnswersTheStudiosRefusals: missing model files are fetched by
// the job (said first, with the pull command) unless --no-download, which
// refuses with that command; a job that will not fit needs --anyway.
func TestSubmitAnswersTheStudiosRefusals(t *testing.T) {
	hub := hftest.New(map[string]hftest.Repo{})
	defer hub.Close()
	env := map[string]string{"HF_ENDPOINT": hub.URL(), "HF_HUB_CACHE": filepath.Join(t.TempDir(), "hub")}
	comfy := httptest.NewServer(api.New(api.Options{ObjectInfoPath: sharedObjectInfo(t), OutputDir: t.TempDir(), InputDir: t.TempDir()}))
	defer comfy.Close()
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(k string) string { return env[k] },
		Server: &studio.Server{Name: "local", URL: comfy.URL, SharesModels: true},
		Claim:  func(jobs.Job) bool { return false }, // queued, never run
		RAM:    func() (uint64, uint64, error) { return 8 << 30, 16 << 30, nil },
		ListGPUs: func(context.Context) ([]gpu.Device, error) {
			return []gpu.Device{{Name: "small", TotalMiB: 4096}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt = "a fox"
	f.Width, f.Height = 3840, 2176 // far past a 4 GiB GPU and 8 GiB of free RAM
	try := func(g genFlags) (string, error) {
		var out bytes.Buffer
		_, err := submit(t.Context(), Env{Stdout: &out, Stderr: &out}, s, f, &g)
		return out.String(), err
	}
	if _, err := try(genFlags{noDownload: true}); err == nil || !strings.Contains(err.Error(), "ltx-studio models pull --mode t2v") {
		t.Errorf("--no-download: %v; want the refusal with the pull command", err)
	}
	out, err := try(genFlags{})
	if err == nil || !strings.Contains(err.Error(), "--anyway") || !strings.Contains(out, "the job downloads them first") {
		t.Errorf("too big for the GPU: %v, said %q; want the pull notice, then a refusal naming --anyway", err, out)
	}
	if n := len(s.QueuedJobs()); n != 0 {
		t.Fatalf("%d jobs queued by refusals", n)
	}
	if _, err := try(genFlags{anyway: true}); err != nil {
		t.Fatalf("--anyway: %v", err)
	}
	if n := len(s.QueuedJobs()); n != 1 {
		t.Errorf("%d jobs queued with --anyway; want 1", n)
	}
}

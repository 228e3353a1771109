package studio_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestRefsForSetupAreTheBalancedGraphsFiles(t *testing.T) {
	refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V, workflows.I2V}, workflows.FP8)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Folder+"/"+r.Name)
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"checkpoints/ltx-2.3-22b-dev-fp8.safetensors", "text_encoders/gemma_3_12B_it_fp4_mixed.safetensors", "latent_upscale_models/ltx-2.3-spatial-upscaler-x2-1.0.safetensors"} {
		if !strings.Contains(got, want) {
			t.Errorf("setup refs %q lack %s", got, want)
		}
	}
	if strings.Count(got, "ltx-2.3-22b-dev-fp8") != 1 {
		t.Errorf("shared files must be listed once: %s", got)
	}
}

// TestWholeStudioAgainstStandins drives the facade the way the window does:
// install from the local repo, download the models from the local hub, start,
// generate, see it in history, and quit with no process left.
func TestWholeStudioAgainstStandins(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	w, getenv := e2e.ForTest(t, ctx)

	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(w.Home), Getenv: getenv, Install: func(c *install.Config) {
		c.ComfyCommit = w.Commit
		c.DriverVersion = func(context.Context) (string, error) { return "", nil }
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.NeedsSetup() || s.Installed() {
		t.Fatal("a clean data dir must need setup")
	}
	evs := make(chan install.Event, 256)
	go func() {
		for range evs {
		}
	}()
	if err := s.Install(ctx, evs); err != nil {
		t.Fatal(err)
	}
	close(evs)
	if !s.Installed() {
		t.Fatal("installed build not found")
	}
	if err := s.MarkSetupDone([]workflows.ModeID{workflows.T2V}, workflows.FP8); err != nil {
		t.Fatal(err)
	}
	// The release setup chose, which Generate fills into the forms: the
	// jobs then find every file in place.
	refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V}, workflows.FP8, workflows.Weights(s.Settings().ModelWeights()))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(ctx, refs)
	if err != nil || plan.Complete() || plan.MissingBytes <= 0 {
		t.Fatalf("plan before download: %+v, %v", plan, err)
	}
	if err := s.Download(ctx, refs, nil); err != nil {
		t.Fatal(err)
	}
	if s.NeedsSetup() {
		t.Fatal("setup still needed after it finished")
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !s.QueueRunning() {
		t.Fatal("no job queue after start")
	}
	sub, unsub := s.Subscribe()
	defer unsub()
	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt = "a lighthouse at dusk, waves"
	job, err := s.Generate(ctx, f, studio.GenerateOptions{FetchModels: true, AnyFit: true})
	if err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		select {
		case ev := <-sub:
			if c, ok := jobChange(ev); ok && c.Job.ID == job.ID && c.Job.State.Finished() {
				if c.Job.State != jobs.Done {
					t.Fatalf("job ended %s: %s", c.Job.State, c.Job.Error)
				}
				done = true
			}
		case <-ctx.Done():
			t.Fatal("job did not finish")
		}
	}
	hist, err := s.History()
	if err != nil || len(hist) != 1 || hist[0].Meta.Form.Prompt != f.Prompt {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if _, err := os.Stat(hist[0].Video); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, running := comfyui.Running(context.Background(), s.Dirs()); running {
		t.Fatal("ComfyUI still running after Close")
	}
	if filepath.Dir(hist[0].Video) != s.OutputDir() {
		t.Fatalf("video outside the output folder: %s", hist[0].Video)
	}
}

func TestChecksSayWhatToDo(t *testing.T) {
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(k string) string {
		if k == "PATH" {
			return ""
		}
		return ""
	}, Install: func(c *install.Config) {
		c.DriverVersion = func(context.Context) (string, error) { return "", nil }
	}})
	if err != nil {
		t.Fatal(err)
	}
	cs := s.Checks(t.Context())
	ids := map[string]studio.Check{}
	for _, c := range cs {
		ids[c.ID] = c
		if c.Verdict != studio.OK && c.Fix == "" {
			t.Errorf("check %s is not OK but has no fix: %+v", c.ID, c)
		}
	}
	for _, id := range []string{"gpu", "disk", "git", "python"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("missing check %s in %+v", id, cs)
		}
	}
	if ids["gpu"].Verdict != studio.Warn {
		t.Errorf("no driver must warn: %+v", ids["gpu"])
	}
}

func TestRemoteNamesHideTheirPassword(t *testing.T) {
	if got := studio.HostOfForTest("https://me:s3cret@gpu-box:8188/"); got != "gpu-box:8188" {
		t.Fatalf("host = %q", got)
	}
}

// jobChange is a job's stored record changing, from the studio's stream.
func jobChange(ev studio.Event) (jobs.Changed, bool) {
	up, ok := ev.(studio.JobUpdate)
	if !ok {
		return jobs.Changed{}, false
	}
	c, ok := up.Event.(jobs.Changed)
	return c, ok
}

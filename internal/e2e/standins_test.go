package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// storeEnsurer lets the job engine ask the model store, as the window does.
type storeEnsurer struct{ s *models.Store }

func (e storeEnsurer) Ensure(ctx context.Context, refs []jobs.ModelRef, progress func(jobs.ModelProgress)) error {
	mr := make([]models.Ref, len(refs))
	for i, r := range refs {
		mr[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	return e.s.Ensure(ctx, mr, func(p models.Progress) {
		progress(jobs.ModelProgress{File: p.File.String(), Done: p.Done, Total: p.Total})
	})
}

// TestStandinsDriveTheWholeChain is the proof that the stand-in world
// works without a window: from an empty data folder it installs "ComfyUI"
// from the local repo and wheelhouse with the real installer, starts it
// with the real supervisor (python main.py → fakecomfy), downloads the
// t2v models from the local hub into the HF cache and links them, runs a
// t2v job through the job engine to a playable mp4, and stops with no
// process left.
func TestStandinsDriveTheWholeChain(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end chain: builds a venv and runs pip (-short skips it)")
	}
	for _, tool := range []string{"git", "python3", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	phase := func(name string, start time.Time) {
		t.Logf("phase %-28s %6d ms", name, time.Since(start).Milliseconds())
	}
	total := time.Now()

	start := time.Now()
	w, err := Setup(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, p := range w.Timings {
		t.Logf("  setup %-26s %6d ms", p.Phase, p.Took.Milliseconds())
	}
	phase("stand-ins up", start)
	if w.ObjectInfo == "" {
		t.Log("no recorded object_info.json found: the fake server checks output nodes only")
	}
	// The app reads all of it from its environment.
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dirs := appdirs.Default()
	if dirs.Data != filepath.Join(w.Home, "data") {
		t.Fatalf("LTX_STUDIO_HOME not honoured: %+v", dirs)
	}

	// Install. Built with -tags e2e the installer takes its pin from
	// LTX_E2E_COMFYUI_COMMIT like the e2e app binary; otherwise it is set
	// here. No NVIDIA driver is reported even on a GPU host: the fake torch
	// has no CUDA.
	start = time.Now()
	backend := comfyui.New(comfyui.Options{Dirs: dirs, Settings: settings.Defaults(),
		Install: func(c *install.Config) {
			if !e2eBuild {
				c.ComfyCommit = w.Commit
			}
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}})
	evs := make(chan install.Event)
	stepStart := map[string]time.Time{}
	var steps, selftest []string
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for e := range evs {
			switch e.Kind {
			case install.StepStarted:
				stepStart[e.Step] = time.Now()
			case install.Output:
				if e.Step == "selftest" {
					selftest = append(selftest, e.Line)
				}
			case install.StepDone:
				steps = append(steps, e.Step+" "+time.Since(stepStart[e.Step]).Round(time.Millisecond).String())
			case install.Failed:
				t.Logf("install failed at %s: %s", e.Step, e.Message)
			}
		}
	}()
	err = backend.Install(ctx, evs)
	close(evs)
	<-drained
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	phase("install", start)
	t.Logf("  install steps: %s", strings.Join(steps, ", "))
	// The self-test ran main.py in the venv, which became the stand-in.
	if !containsLine(selftest, "ComfyUI version: 0.27.0") {
		t.Errorf("self-test did not reach the stand-in:\n%s", strings.Join(selftest, "\n"))
	}
	build, err := backend.Installer().Current()
	if err != nil || build.ComfyCommit != w.Commit || build.Torch != "cpu" {
		t.Fatalf("current build = %+v, %v", build, err)
	}

	// Start: the supervisor runs the venv's python on main.py, which execs fakecomfy.
	start = time.Now()
	if err := backend.Start(ctx); err != nil {
		t.Fatalf("start: %v\n%s", err, strings.Join(backend.Logs(), "\n"))
	}
	if st := backend.State(); st.State != status.Ready || backend.URL() == "" {
		t.Fatalf("after Start: %+v", st)
	}
	phase("start → ready", start)
	if !containsLine(backend.Logs(), "ComfyUI version: 0.27.0") {
		t.Errorf("server log is not the stand-in's:\n%s", strings.Join(backend.Logs(), "\n"))
	}
	pf, ok := proc.ReadPidfile(comfyui.PidFile(dirs))
	if !ok {
		t.Fatal("no pidfile after start")
	}
	stopped := false
	defer func() {
		if !stopped {
			backend.Stop(context.Background())
		}
	}()

	// Models: the t2v graph's files, downloaded from the stand-in hub and linked into the install.
	start = time.Now()
	form := workflows.DefaultForm(workflows.T2V)
	form.Prompt = "a red fox runs through fresh snow at dawn, the camera follows"
	form.RandomSeed, form.Seed = false, 42
	p, err := workflows.Build(form, workflows.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	need, err := workflows.RequiredModels(p.JSON)
	if err != nil || len(need) == 0 {
		t.Fatalf("required models: %v %v", need, err)
	}
	refs := make([]models.Ref, len(need))
	for i, r := range need {
		refs[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	store := models.New(models.Options{Env: hfcache.FromEnv(os.Getenv), LockPath: filepath.Join(dirs.Data, "models.lock.json"), ComfyUI: build.BaseDir()})
	if err := store.Ensure(ctx, refs, nil); err != nil {
		t.Fatalf("models: %v", err)
	}
	for _, r := range refs {
		f, _ := models.Lookup(r.Folder, r.Name)
		got, err := os.ReadFile(filepath.Join(build.BaseDir(), "models", r.Folder, r.Name))
		if err != nil || !bytes.Equal(got, ModelData(f.Repo, f.PathInRepo)) {
			t.Errorf("%s: not linked into ComfyUI with the hub's bytes: %v", r, err)
		}
		if _, ok := store.Cache().Find(f.Repo, f.Revision, f.PathInRepo); !ok {
			t.Errorf("%s: not in the HF cache", r)
		}
	}
	phase("models ensure+link", start)
	t.Logf("  %d files: %v", len(refs), refs)

	// Generate through the job engine.
	start = time.Now()
	eng, err := jobs.New(jobs.Config{QueueDir: filepath.Join(dirs.Data, "jobs"), OutputDir: dirs.Videos,
		Builder: jobs.WorkflowsBuilder{}, Models: storeEnsurer{store},
		Backends: []jobs.Backend{{Name: "local", URL: backend.URL(), InputDir: filepath.Join(comfyui.Root(dirs, settings.Defaults()), "input"), Commit: build.ComfyCommit}}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sub, unsub := eng.Subscribe()
	defer unsub()
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- eng.Run(runCtx) }()
	job, err := eng.Submit(form)
	if err != nil {
		t.Fatal(err)
	}
	var final jobs.Job
wait:
	for {
		select {
		case ev := <-sub:
			if c, ok := ev.(jobs.Changed); ok && c.Job.ID == job.ID && c.Job.State.Finished() {
				final = c.Job
				break wait
			}
		case <-ctx.Done():
			t.Fatalf("job did not finish: %v (%+v)", ctx.Err(), eng.Jobs())
		}
	}
	stopRun()
	<-ran
	if final.State != jobs.Done {
		t.Fatalf("job ended %s: %s", final.State, final.Error)
	}
	phase("generate", start)
	info, err := media.Probe(ctx, final.Output)
	if err != nil || info.Kind != media.Video || info.Width != 320 || info.Height != 192 || !info.HasAudio {
		t.Errorf("output %s: %+v %v", final.Output, info, err)
	}
	if rel, err := filepath.Rel(dirs.Videos, final.Output); err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("output %s is outside %s", final.Output, dirs.Videos)
	}
	var side map[string]any
	if b, err := os.ReadFile(final.Sidecar); err != nil || json.Unmarshal(b, &side) != nil {
		t.Errorf("sidecar %s unreadable: %v", final.Sidecar, err)
	}
	t.Logf("  output %s (%v, %dx%d, audio %v)", final.Output, info.Duration, info.Width, info.Height, info.HasAudio)

	// Stop: nothing may be left running.
	start = time.Now()
	if err := backend.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stopped = true
	if proc.Running(ctx, pf.PID, pf.CreateTime) {
		t.Errorf("ComfyUI stand-in (pid %d) still running after Stop", pf.PID)
	}
	if _, _, ok := comfyui.Running(ctx, dirs); ok {
		t.Error("pidfile still names a running ComfyUI")
	}
	phase("stop", start)
	phase("total", total)
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

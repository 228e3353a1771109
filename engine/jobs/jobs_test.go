package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestSuccessEndToEnd(t *testing.T) {
	for _, remote := range []bool{false, true} {
		name := "local"
		if remote {
			name = "remote-upload"
		}
		t.Run(name, func(t *testing.T) {
			fake, b := newFake(t, "local", false, func(o *api.Options) { o.Steps = 6; o.StepDelay = 15 * time.Millisecond })
			if remote {
				b.InputDir = ""
			}
			img := filepath.Join(t.TempDir(), "Start Frame.PNG")
			os.WriteFile(img, []byte("\x89PNG fake"), 0o644)
			e := newEngine(t, t.TempDir(), b)
			models := &fakeModels{}
			e.cfg.Models = models
			ch, stop := e.Subscribe()
			defer stop()
			run(t, e)
			f := form("A cat walks, on the beach!")
			f.Mode, f.Media = workflows.I2V, map[string]string{"image": img}
			j, err := e.Submit(f)
			if err != nil {
				t.Fatal(err)
			}
			var prog []Progress
			var final Job
			guard := time.After(10 * time.Second)
			for final.ID == "" {
				select {
				case ev := <-ch:
					switch x := ev.(type) {
					case ProgressUpdate:
						prog = append(prog, x.Progress)
					case Changed:
						if x.Job.State.Finished() {
							final = x.Job
						}
					}
				case <-guard:
					t.Fatal("job did not finish")
				}
			}
			if final.State != Done {
				t.Fatalf("state %s: %s", final.State, final.Error)
			}
			checkProgress(t, prog)
			checkOutput(t, final, e.cfg.OutputDir)
			if models.calls != 1 {
				t.Errorf("model ensurer called %d times", models.calls)
			}
			if _, err := os.Stat(filepath.Join(fake.opt.InputDir, "ltx-"+sha(t, img)[:24]+".png")); err != nil {
				t.Errorf("media not staged under its content hash: %v", err)
			}
			if fake.srv.Frees() != 0 {
				t.Error("models were unloaded after the job")
			}
			_ = j
		})
	}
}

func sha(t *testing.T, p string) string {
	s, err := fileio.SHA256(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkProgress: phases in order, percent never goes back, steps counted,
// ends at 100.
func checkProgress(t *testing.T, prog []Progress) {
	t.Helper()
	order := map[Phase]int{PhasePreparing: 0, PhaseModels: 1, PhaseUploading: 2, PhaseQueued: 3, PhaseRunning: 4, PhaseSaving: 5}
	last, lastPct, sawSteps, sawDecode := -1, 0.0, false, false
	for _, p := range prog {
		if order[p.Phase] < last {
			t.Errorf("phase %s after a later phase", p.Phase)
		}
		last = order[p.Phase]
		if p.Percent < lastPct {
			t.Errorf("percent went back: %.1f → %.1f", lastPct, p.Percent)
		}
		lastPct = p.Percent
		if p.Steps == 6 && p.Step > 0 {
			sawSteps = true
		}
		if p.Stage == "decode" && p.StageCount == 4 && p.StageIndex == 3 {
			sawDecode = true
		}
	}
	if lastPct != 100 || !sawSteps || !sawDecode {
		t.Errorf("final %.1f%%, steps seen %v, decode stage seen %v (%d updates)", lastPct, sawSteps, sawDecode, len(prog))
	}
}

func checkOutput(t *testing.T, j Job, dir string) {
	t.Helper()
	if filepath.Dir(j.Output) != dir || !strings.HasSuffix(j.Output, ".mp4") || !strings.Contains(j.Output, "i2v a-cat-walks-on-the-beach") {
		t.Errorf("output %q", j.Output)
	}
	b, err := os.ReadFile(j.Output)
	if err != nil || !bytes.Contains(b[:12], []byte("ftyp")) {
		t.Fatalf("output not an mp4: %v", err)
	}
	var s Sidecar
	sb, err := os.ReadFile(j.Sidecar)
	if err != nil || json.Unmarshal(sb, &s) != nil {
		t.Fatalf("sidecar: %v", err)
	}
	if s.Seed != 42 || s.Mode != workflows.I2V || s.PromptID != j.PromptID || !json.Valid(s.Prompt) ||
		len(s.Models) != 1 || len(s.Models[0].SHA256) != 64 || s.ComfyUI.Version != "0.27.0" ||
		s.ComfyUI.Commit == "" || s.App.Version != "test" || s.PeakVRAMBytes <= 0 || len(s.Media) != 1 ||
		s.Output.Bytes != int64(len(b)) || s.Seconds["total"] <= 0 {
		t.Errorf("sidecar incomplete: %s", sb)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".ltx-*")); len(left) > 0 {
		t.Errorf("partial files left: %v", left)
	}
	// The video is shared like its sidecar (the umask may only take away).
	vi, verr := os.Stat(j.Output)
	si, serr := os.Stat(j.Sidecar)
	if verr != nil || serr != nil || vi.Mode().Perm() != si.Mode().Perm() || vi.Mode().Perm()&0o044 == 0 {
		t.Errorf("video mode %v, sidecar mode %v: want the same, readable by others", vi.Mode(), si.Mode())
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name   string
		form   func() workflows.Form
		want   string
		field  workflows.Field
		noFile bool
	}{
		{"validation error maps to field", func() workflows.Form { f := form("ok"); f.Width = 0; return f },
			"smaller than min", "width", false},
		{"execution error is human", func() workflows.Form { return form("fakecomfy:fail") },
			"A model file is damaged or incomplete", "", false},
		{"out of memory is human", func() workflows.Form { return form("fakecomfy:oom") },
			"ran out of memory", "", false},
		{"hostile output name refused", func() workflows.Form { return form("fakecomfy:hostile") },
			"outside its folder", "", true},
		{"missing media names the slot", func() workflows.Form {
			f := form("x")
			f.Media = map[string]string{"image": "/nonexistent/a.png"}
			return f
		}, "cannot read", "media.image", false},
	}
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := e.Submit(tt.form())
			if err != nil {
				t.Fatal(err)
			}
			j = waitFor(t, e, ch, j.ID, finished)
			if j.State != Failed || !strings.Contains(j.Error, tt.want) {
				t.Fatalf("state %s, error %q; want failed with %q", j.State, j.Error, tt.want)
			}
			if tt.field != "" && (len(j.Fields) == 0 || j.Fields[0].Field != tt.field) {
				t.Errorf("fields %+v, want %s", j.Fields, tt.field)
			}
			if j.Output != "" {
				t.Errorf("failed job has output %s", j.Output)
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Dir(e.cfg.OutputDir))
	for _, en := range entries {
		if strings.Contains(en.Name(), "hostile") {
			t.Errorf("hostile file written: %s", en.Name())
		}
	}
}

func TestCancelPendingAndRunning(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	slow, _ := e.Submit(form("fakecomfy:slow"))
	pending, _ := e.Submit(form("never runs"))
	run(t, e)
	if err := e.Cancel(t.Context(), pending.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Job(pending.ID); ok {
		t.Error("cancelled pending job still queued")
	}
	// Wait until ComfyUI reports steps, then cancel the running job.
	guard := time.After(10 * time.Second)
	for running := false; !running; {
		select {
		case ev := <-ch:
			if p, ok := ev.(ProgressUpdate); ok && p.ID == slow.ID && p.Progress.Step > 0 {
				running = true
			}
		case <-guard:
			t.Fatal("slow job never ran")
		}
	}
	if err := e.Cancel(t.Context(), slow.ID); err != nil {
		t.Fatal(err)
	}
	j := waitFor(t, e, ch, slow.ID, finished)
	if j.State != Cancelled {
		t.Fatalf("state %s (%s)", j.State, j.Error)
	}
	if err := e.Cancel(t.Context(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestBackendDiesMidJob: the server dies on the first job twice (it is
// restarted each time); the job is re-queued once, then failed with the
// reason, and the job queued behind it still runs.
func TestBackendDiesMidJob(t *testing.T) {
	fake, b := newFake(t, "local", true, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	doomed, _ := e.Submit(form("fakecomfy:die"))
	next, _ := e.Submit(form("fine"))
	run(t, e)
	j := waitFor(t, e, ch, doomed.ID, finished)
	if j.State != Failed || j.Attempts != 2 || !strings.Contains(j.Error, "lost the job") || !strings.Contains(j.Error, "retried") {
		t.Errorf("doomed job: %s attempts %d: %q", j.State, j.Attempts, j.Error)
	}
	if n := waitFor(t, e, ch, next.ID, finished); n.State != Done {
		t.Errorf("next job: %s %q", n.State, n.Error)
	}
	if fake.deaths != 2 {
		t.Errorf("deaths %d", fake.deaths)
	}
}

// TestBackendGone: the server dies and stays dead; after DeadAfter the job
// goes back to the queue, nothing is lost.
func TestBackendGone(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	e.cfg.DeadAfter = 300 * time.Millisecond
	ch, stop := e.Subscribe()
	defer stop()
	j, _ := e.Submit(form("fakecomfy:die"))
	run(t, e)
	j = waitFor(t, e, ch, j.ID, func(j Job) bool { return j.State == Pending && j.Attempts == 1 })
	if !strings.Contains(j.Note, "stopped responding") {
		t.Errorf("note %q", j.Note)
	}
	// The queue on disk still holds it, and stays owned by this engine.
	onDisk, err := ReadQueue(e.cfg.QueueDir)
	if err != nil || len(onDisk) != 1 || onDisk[0].State != Pending {
		t.Errorf("persisted queue: %v %+v", err, onDisk)
	}
	if _, err := New(e.cfg); !errors.Is(err, ErrQueueBusy) {
		t.Errorf("second engine on the same queue: %v", err)
	}
}

func TestRestartResumesQueue(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	f := storeFile{Version: 1, Jobs: []*Job{
		{ID: "was-running", Form: form("resume me"), State: Running, Attempts: 1, Created: now},
		{ID: "twice", Form: form("crashed twice"), State: Running, Attempts: 2, Created: now},
		{ID: "waiting", Form: form("waiting"), State: Pending, Created: now},
		{ID: "old", Form: form("old"), State: Done, Created: now},
	}}
	b, _ := json.Marshal(f)
	os.WriteFile(filepath.Join(dir, "queue.json"), b, 0o644)
	_, be := newFake(t, "local", false, nil)
	e := newEngine(t, dir, be)
	if j, _ := e.Job("twice"); j.State != Failed || !strings.Contains(j.Error, "app stopped") {
		t.Errorf("twice: %+v", j)
	}
	if j, _ := e.Job("was-running"); j.State != Pending || j.Note == "" {
		t.Errorf("was-running: %+v", j)
	}
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	for _, id := range []string{"was-running", "waiting"} {
		if j := waitFor(t, e, ch, id, finished); j.State != Done {
			t.Errorf("%s: %s %s", id, j.State, j.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "queue.json")); err != nil {
		t.Fatal(err)
	}
	if err := RequestCancel(dir, "../x"); err == nil {
		t.Error("path in job id accepted")
	}
	os.WriteFile(filepath.Join(dir, "queue.json"), []byte("{broken"), 0o644)
	if _, err := New(e.cfg); err == nil {
		t.Error("a damaged queue file must not be treated as empty")
	}
}

func TestTwoBackendsShareQueue(t *testing.T) {
	tune := func(o *api.Options) { o.Steps = 5; o.StepDelay = 10 * time.Millisecond }
	_, b1 := newFake(t, "gpu0", false, tune)
	_, b2 := newFake(t, "gpu1", false, tune)
	e := newEngine(t, t.TempDir(), b1, b2)
	ch, stop := e.Subscribe()
	defer stop()
	var ids []string
	for i := range 6 {
		j, _ := e.Submit(form("job " + string(rune('a'+i))))
		ids = append(ids, j.ID)
	}
	run(t, e)
	used := map[string]int{}
	outs := map[string]bool{}
	for _, id := range ids {
		j := waitFor(t, e, ch, id, finished)
		if j.State != Done {
			t.Fatalf("%s: %s", j.State, j.Error)
		}
		used[j.Backend]++
		outs[j.Output] = true
	}
	if used["gpu0"] == 0 || used["gpu1"] == 0 || len(outs) != 6 {
		t.Errorf("backends used %v, distinct outputs %d", used, len(outs))
	}
}

func TestUnload(t *testing.T) {
	fake, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	if err := e.Unload(t.Context()); err != nil || fake.srv.Frees() != 1 {
		t.Errorf("unload: %v, frees %d", err, fake.srv.Frees())
	}
	st, err := e.Stats(t.Context(), "local")
	if err != nil || len(st.Devices) == 0 {
		t.Errorf("stats: %v", err)
	}
}

// TestCancelRequestFromAnotherProcess: `queue cancel` while the window owns
// the queue drops the pending job before it starts.
func TestCancelRequestFromAnotherProcess(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	first, _ := e.Submit(form("first"))
	second, _ := e.Submit(form("second"))
	if err := RequestCancel(e.cfg.QueueDir, second.ID); err != nil {
		t.Fatal(err)
	}
	run(t, e)
	waitFor(t, e, ch, first.ID, finished)
	if _, ok := e.Job(second.ID); ok {
		t.Error("requested cancel ignored")
	}
}

// TestReconnectRecoversFromHistory: the socket drops mid-job and the job
// ends while it is down; after the reconnect the outcome comes from history.
// The preview frame sent before the drop reaches the UI.
func TestReconnectRecoversFromHistory(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	j, _ := e.Submit(form("fakecomfy:drop fakecomfy:preview"))
	run(t, e)
	sawReconnect, sawPreview := false, false
	guard := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			switch x := ev.(type) {
			case ProgressUpdate:
				sawReconnect = sawReconnect || x.Progress.Phase == PhaseReconnect
			case PreviewFrame:
				sawPreview = sawPreview || (x.ID == j.ID && x.ImageType == "image/jpeg" && len(x.Image) > 4)
			case Changed:
				if x.Job.ID == j.ID && x.Job.State.Finished() {
					if x.Job.State != Done || x.Job.Output == "" || !sawReconnect || !sawPreview {
						t.Fatalf("state %s %q, reconnect seen %v, preview seen %v", x.Job.State, x.Job.Error, sawReconnect, sawPreview)
					}
					return
				}
			}
		case <-guard:
			t.Fatal("job did not finish")
		}
	}
}

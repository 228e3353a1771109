package session

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/historyview"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestFailureDetailsCarryTheRawSide(t *testing.T) {
	logs := make([]string, 100)
	for i := range logs {
		logs[i] = fmt.Sprintf("line %d", i)
	}
	logs[99] = "torch.OutOfMemoryError: CUDA out of memory."
	j := jobs.Job{Error: "ComfyUI ran out of GPU memory", PromptID: "p-1", Note: "re-queued: socket dropped"}
	got := failureDetails(j, logs)
	for _, want := range []string{"ComfyUI ran out of GPU memory", "prompt p-1", "re-queued: socket dropped", "line 60", "CUDA out of memory"} {
		if !strings.Contains(got, want) {
			t.Errorf("details lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "line 59\n") {
		t.Error("details keep more than the last 40 log lines")
	}
	if got := failureDetails(jobs.Job{Error: "boom"}, nil); got != "boom" {
		t.Errorf("no logs, no extras: %q", got)
	}
}

// The forms ask for the precision setup downloaded, not always fp8.
func TestFormsUseTheSettingsPrecision(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MarkSetupDone([]workflows.ModeID{workflows.T2V}, workflows.BF16); err != nil {
		t.Fatal(err)
	}
	shell := ui.New(t.Context(), w, ui.Deps{})
	// A cancelled context: New's followers end at once, so no goroutine
	// touches widgets while (or after) this test does.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := New(ctx, st, Options{App: a, Win: w, Shell: shell})
	s.waitFollowers()
	for _, m := range []workflows.ModeID{workflows.T2V, workflows.Style} {
		if p := shell.Form(m).Result().Form.Precision; p != workflows.BF16 {
			t.Errorf("%s form precision %q, want bf16 from the settings", m, p)
		}
	}
	set := st.Settings()
	set.Precision = workflows.FP8
	s.usePrecision(set)
	if p := shell.Form(workflows.T2V).Result().Form.Precision; p != workflows.FP8 {
		t.Errorf("after saving fp8 the form has %q", p)
	}
}

// Settings → "Notify me when a video is done" really turns the notice off.
func TestNotifyFollowsTheSetting(t *testing.T) {
	a := test.NewTempApp(t)
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // no followers (see above)
	s := New(ctx, st, Options{App: a})
	s.waitFollowers()
	j := jobs.Job{State: jobs.Done, Form: workflows.Form{Prompt: "a fox"}}
	test.AssertNotificationSent(t, fyne.NewNotification("LTX 2.3 Studio: Video ready", "a fox"), func() { s.notify(j) })
	set := st.Settings()
	set.NotifyWhenDone = false
	if err := st.ApplySettings(t.Context(), set); err != nil {
		t.Fatal(err)
	}
	test.AssertNotificationSent(t, nil, func() { s.notify(j) })
}

// Export workflow writes the recorded prompt, which the recorded ComfyUI
// schema accepts as is, under a name beside the video's.
func TestWorkflowExportIsTheRecordedPrompt(t *testing.T) {
	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt, f.RandomSeed, f.Seed = "a fox", false, 7
	p, err := workflows.Build(f, workflows.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sc jobs.Sidecar
	sc.JobID, sc.Form, sc.Prompt = "j1", f, p.JSON
	sc.Output.File = "clip.mp4"
	b, _ := json.Marshal(sc)
	path := filepath.Join(t.TempDir(), "clip.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	name, data, err := workflowExport(path)
	if err != nil || name != "clip.workflow_api.json" {
		t.Fatalf("%q, %v", name, err)
	}
	schema, err := workflows.EmbeddedSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := workflows.Validate(data, schema, nil); err != nil {
		t.Fatalf("exported workflow does not validate: %v", err)
	}
	var a, want any
	if json.Unmarshal(data, &a) != nil || json.Unmarshal(p.JSON, &want) != nil || !reflect.DeepEqual(a, want) {
		t.Fatal("export differs from the recorded prompt")
	}
	sc.Prompt = nil
	b, _ = json.Marshal(sc)
	_ = os.WriteFile(path, b, 0o644)
	if _, _, err := workflowExport(path); err == nil {
		t.Fatal("a sidecar without a prompt exported something")
	}
}

// Settings → Save rebuilds the engine's backend and starts it again. A
// remote backend at a closed port keeps the test short: the start fails at
// once, and waiting for that failure leaves no work running past the test.
func TestSettingsSaveApplies(t *testing.T) {
	a := uitest.NewSerialApp(t)
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	set := st.Settings()
	set.Backend, set.RemoteURLs, set.SetupDone = settings.BackendRemote, []string{"http://127.0.0.1:1"}, true
	if err := st.ApplySettings(t.Context(), set); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var s *Session
	fyne.DoAndWait(func() { s = New(ctx, st, Options{App: a}) }) // no shell: the backend follower then touches no widget
	defer func() { cancel(); s.waitFollowers() }()
	before := st.Backend()
	// Save is a button: it runs on the UI goroutine.
	fyne.DoAndWait(func() { err = s.settings.Save() })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the backend rebuilt and started", func() bool {
		var what string
		fyne.DoAndWait(func() { what = s.errv.Message().What })
		return st.Backend() != before && strings.Contains(what, "did not start")
	})
}

// History → Delete removes the video and its sidecar.
func TestDeleteHistoryRemovesBoth(t *testing.T) {
	dir := t.TempDir()
	var sc jobs.Sidecar
	sc.JobID = "j1"
	sc.Output.File = "clip.mp4"
	b, _ := json.Marshal(sc)
	video, side := filepath.Join(dir, "clip.mp4"), filepath.Join(dir, "clip.json")
	if os.WriteFile(video, []byte("mp4"), 0o644) != nil || os.WriteFile(side, b, 0o644) != nil {
		t.Fatal("setup")
	}
	s := &Session{}
	if err := s.deleteHistory(historyview.Item{Path: video, Sidecar: side}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{video, side} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", filepath.Base(p), err)
		}
	}
}

// Saving offline mode checks that the chosen modes' files are present.
func TestOfflineSaveChecksFiles(t *testing.T) {
	a := uitest.NewSerialApp(t)
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MarkSetupDone([]workflows.ModeID{workflows.T2V}, workflows.FP8); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var s *Session
	fyne.DoAndWait(func() { s = New(ctx, st, Options{App: a}) })
	defer func() { cancel(); s.waitFollowers() }()
	set := st.Settings()
	set.Offline = true
	if err := st.ApplySettings(t.Context(), set); err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() { s.checkOffline(set) }) // what settingsSaved runs before Begin
	waitFor(t, "the offline warning", func() bool {
		var what string
		fyne.DoAndWait(func() { what = s.errv.Message().What })
		return strings.Contains(what, "Offline mode is on, but")
	})
}

// The Result tab follows the job that runs: a job queued behind a running
// one does not take it over until it starts.
func TestResultTabFollowsTheRunningJob(t *testing.T) {
	a := test.NewTempApp(t)
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // no followers
	s := New(ctx, st, Options{App: a})
	s.waitFollowers()
	if !s.takeResultTab("a") {
		t.Fatal("the first job did not take the Result tab")
	}
	s.onJobChanged(jobs.Job{ID: "a", State: jobs.Running})
	if s.takeResultTab("b") || !s.isCurrent("a") {
		t.Fatal("a job queued behind the running one took the Result tab")
	}
	s.onJobChanged(jobs.Job{ID: "a", State: jobs.Failed, Error: "out of memory"})
	s.onJobChanged(jobs.Job{ID: "b", State: jobs.Running})
	if !s.isCurrent("b") {
		t.Fatal("the Result tab did not follow the next job when it started")
	}
}

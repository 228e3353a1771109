package setup

import (
	"context"
	"errors"
	"fmt"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

// recorder is the fake engine side: it records every action.
type recorder struct{ calls []string }

func (r *recorder) actions() Actions {
	rec := func(s string) func() { return func() { r.calls = append(r.calls, s) } }
	return Actions{
		RunChecks: rec("checks"), Install: rec("install"), CancelInstall: rec("cancel-install"),
		FilesFor: func(m []workflows.ModeID, p workflows.Precision) ([]FileLine, int64) {
			per := int64(27_100_000_000)
			if p == workflows.BF16 {
				per *= 2
			}
			var lines []FileLine
			var need int64
			for _, id := range m {
				lines = append(lines, FileLine{Name: string(id) + "-" + string(p) + ".safetensors", Size: per, State: "to download"})
				need += per
			}
			// One shared file the person already has in another ComfyUI.
			lines = append(lines, FileLine{Name: "gemma.safetensors", Size: 9_000_000_000, State: "found on disk", Found: true,
				Where: "/home/me/ComfyUI/models/text_encoders/gemma.safetensors (a ComfyUI in your home folder)"})
			return lines, need
		},
		StartDownload: func(c Choice) {
			r.calls = append(r.calls, fmt.Sprintf("download %v %s move=%v", c.Modes, c.Precision, c.MoveFound))
		},
		PauseDownload: rec("pause"), ResumeDownload: rec("resume"), CancelDownload: rec("cancel-download"),
		Finish: rec("finish"),
	}
}

func (r *recorder) last() string {
	if len(r.calls) == 0 {
		return ""
	}
	return r.calls[len(r.calls)-1]
}

// feed sends events from another goroutine, as the engine adapter does.
func feed(f *Flow, evs ...Event) {
	done := make(chan struct{})
	go func() {
		for _, e := range evs {
			f.Feed(e)
		}
		close(done)
	}()
	<-done
}

func TestSetupWalkthrough(t *testing.T) {
	test.NewTempApp(t)
	r := &recorder{}
	f := New(r.actions())
	w := test.NewTempWindow(t, f.Content())
	w.Resize(fyne.NewSize(760, 560))

	// 1. Checks: a failing check blocks, fixing it unblocks.
	if f.Step() != StepChecks || !f.checks.next.Disabled() {
		t.Fatal("starts on checks with Continue disabled")
	}
	feed(f,
		CheckResult{ID: "gpu", Name: "NVIDIA GPU and driver", Verdict: OK, Detail: "NVIDIA H200, 141 GB, driver 580.159"},
		CheckResult{ID: "disk", Name: "Free disk", Verdict: Warn, Detail: "62 GB free, the chosen modes need 55 GB", Fix: "free some space for later modes"},
		CheckResult{ID: "git", Name: "git", Verdict: Fail, Detail: "git was not found", Fix: "install git (apt install git) and check again"},
		CheckResult{ID: "uv", Name: "Python / uv", Verdict: OK, Detail: "uv 0.9 will provide Python 3.12"},
	)
	if !f.checks.next.Disabled() || !strings.Contains(f.checks.rowsByID["git"].fix.Text, "apt install git") {
		t.Fatal("a failed check must block and show its fix")
	}
	shot(t, w, "setup-1-checks.png")
	test.Tap(f.checks.next) // disabled: nothing happens
	feed(f, CheckResult{ID: "git", Name: "git", Verdict: OK, Detail: "git 2.39"})
	if f.checks.next.Disabled() || len(f.checks.list.Objects) != 4 {
		t.Fatal("re-sent check must replace its row and unblock")
	}
	test.Tap(f.checks.next)
	if f.Step() != StepModels || len(r.calls) != 0 {
		t.Fatalf("checks lead to the models page and start nothing: step %v, calls %v", f.Step(), r.calls)
	}

	// 2. Models: the files, found on disk ones named, size vs free space,
	// precision, at least one mode.
	feed(f, FreeSpace{Bytes: 60_000_000_000})
	if f.models.size.Text != "Download 27.1 GB · 60.0 GB free · 1 found on disk" || f.models.start.Disabled() {
		t.Fatalf("size line %q", f.models.size.Text)
	}
	if n := len(f.models.files.Objects); n != 2 {
		t.Fatalf("file rows %d, want 2", n)
	}
	f.models.checks[workflows.I2V].SetChecked(true)
	f.models.checks[workflows.Lipsync].SetChecked(true)
	if !f.models.start.Disabled() || !strings.Contains(f.models.warn.Text, "Not enough disk space") {
		t.Fatalf("81.3 GB > 60 GB must warn:  %q", f.models.warn.Text)
	}
	f.models.checks[workflows.Lipsync].SetChecked(false)
	f.models.precision.SetSelected(labelBF16)
	if !f.models.start.Disabled() {
		t.Fatal("bf16 doubles the size and must not fit")
	}
	f.models.precision.SetSelected(labelFP8)
	shot(t, w, "setup-2-models.png")
	test.Tap(f.models.start)
	if f.Step() != StepWork || strings.Join(r.calls, ",") != "install,download [t2v i2v] fp8 move=false" {
		t.Fatalf("step %v, calls %q: the install and the downloads start together", f.Step(), r.calls)
	}

	// 3. Install half: steps, bar, log (bounded), failure, retry, success.
	steps := []string{"Download uv", "Clone ComfyUI 0.27.0", "Create Python environment", "Install PyTorch", "Install ComfyUI requirements"}
	for _, s := range steps {
		feed(f, InstallStep{Name: s, State: Pending})
	}
	feed(f, InstallStep{Name: steps[0], State: Done}, InstallStep{Name: steps[1], State: Done},
		InstallStep{Name: steps[2], State: Running, Detail: "python 3.12"})
	for i := range 620 {
		feed(f, LogLine{Text: fmt.Sprintf("Collecting package-%03d\n", i)})
	}
	if n := len(f.install.lines); n != logKeep || f.install.lines[0] != "Collecting package-120" {
		t.Fatalf("log keeps the last %d lines, has %d starting %q", logKeep, n, f.install.lines[0])
	}
	if v := f.install.bar.Value; v != 0.4 {
		t.Fatalf("install bar %v, want 0.4 (2 of 5 steps)", v)
	}

	// 4. Models half, at the same time: a found file reused, per-file rows,
	// totals without the reused bytes, speed/ETA, pause/resume.
	feed(f,
		DownloadProgress{File: "gemma.safetensors", Done: 9_000_000_000, Total: 9_000_000_000, Note: "reused from disk (hardlink)"},
		DownloadProgress{File: "ltx-2.3-22b-dev-fp8.safetensors", Done: 10_000_000_000, Total: 27_100_000_000, BytesPerSec: 50_000_000},
		DownloadProgress{File: "ltx-2.3-22b-distilled-fp8.safetensors", Done: 1_000_000_000, Total: 13_000_000_000, BytesPerSec: 50_000_000, ETA: time.Minute})
	if got := f.download.speed.Text; got != "11.0 GB of 40.1 GB · 100.0 MB/s · about 4:51 left" {
		t.Fatalf("speed line %q", got)
	}
	if len(f.download.list.Objects) != 3 || !strings.Contains(f.download.rows["gemma.safetensors"].bytes.Text, "reused from disk") {
		t.Fatalf("rows %d", len(f.download.list.Objects))
	}
	shot(t, w, "setup-3-work.png")
	test.Tap(f.download.pause)
	if r.last() != "pause" || f.download.pause.Text != "Resume" || f.download.speed.Text != "Paused" {
		t.Fatal("pause")
	}
	test.Tap(f.download.pause)
	if r.last() != "resume" || f.download.pause.Text != "Pause" {
		t.Fatal("resume")
	}

	// Either track fails alone and retries alone.
	test.Tap(f.install.cancel)
	feed(f, InstallDone{Err: fmt.Errorf("install comfyui: %w", context.Canceled)})
	if r.last() != "cancel-install" || !f.install.retry.Visible() || f.install.errView.Message().What != "The install was cancelled." {
		t.Fatal("cancel must be forwarded and offer a retry")
	}
	if !f.download.pause.Visible() {
		t.Fatal("cancelling the install must leave the downloads running")
	}
	test.Tap(f.install.retry)
	if r.last() != "install" || f.install.retry.Visible() {
		t.Fatal("retry re-runs the install")
	}
	cloneErr := "git clone failed: the network is unreachable; connect and try again"
	feed(f, InstallStep{Name: steps[1], State: Failed, Detail: cloneErr}, InstallDone{Err: errors.New(cloneErr)})
	if m := f.install.errView.Message(); !strings.Contains(m.Do, "Git clone failed") || !strings.Contains(m.Details, "package-619") {
		t.Fatalf("failure message %+v", m)
	}
	if d := f.install.rows[steps[1]].detail.Text; strings.Contains(d, "unreachable") {
		t.Fatalf("the error is said twice: on the step (%q) and below", d)
	}
	shot(t, w, "setup-3b-install-failed.png")
	feed(f, DownloadDone{Err: errors.New("huggingface.co answered 401: this model is gated; add a token in Settings")})
	if !f.download.retry.Visible() || f.download.pause.Visible() {
		t.Fatal("a failed download offers a retry")
	}
	test.Tap(f.download.retry)
	if r.last() != "download [t2v i2v] fp8 move=false" {
		t.Fatalf("retry must restart the same selection, got %q", r.last())
	}
	feed(f, DownloadDone{})
	if f.Step() != StepWork || f.download.speed.Text != "All model files are in place." {
		t.Fatalf("models done alone: step %v, %q", f.Step(), f.download.speed.Text)
	}
	test.Tap(f.install.retry)
	for _, s := range steps {
		feed(f, InstallStep{Name: s, State: Done})
	}
	feed(f, InstallDone{})
	if f.Step() != StepReady {
		t.Fatalf("both done: step %v", f.Step())
	}
	shot(t, w, "setup-4-ready.png")
}

func TestResumeAfterRestart(t *testing.T) {
	test.NewTempApp(t)
	r := &recorder{}
	f := New(r.actions())
	feed(f, Selection{Modes: []workflows.ModeID{workflows.A2V}, Precision: workflows.BF16}, GoTo{Step: StepWork},
		DownloadProgress{File: "a", Done: 5, Total: 10})
	if f.Step() != StepWork || f.download.total.Value != 0.5 {
		t.Fatal("GoTo + progress must show the resumed download")
	}
	if m, p := f.models.selection(); len(m) != 1 || m[0] != workflows.A2V || p != workflows.BF16 {
		t.Fatalf("selection %v %v", m, p)
	}
	if len(r.calls) != 0 {
		t.Fatalf("events must never trigger actions: %v", r.calls)
	}
}

func TestSpeedText(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		bps         float64
		eta         time.Duration
		want        string
	}{
		{0, 1000, 0, 0, "0 B of 1.0 kB"},
		{500, 1000, 0, 90 * time.Second, "500 B of 1.0 kB · about 1:30 left"},
		{1000, 1000, 10, 0, "1.0 kB of 1.0 kB · 10 B/s"},
		{0, 3_600_000_000, 1_000_000, 0, "0 B of 3.6 GB · 1.0 MB/s · about 1:00:00 left"},
	} {
		if got := SpeedText(c.done, c.total, c.bps, c.eta); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// BenchmarkInstallLog is the cost of one installer line once the 500-line
// window is full (pip can print hundreds of lines a second).
func BenchmarkInstallLog(b *testing.B) {
	test.NewTempApp(b)
	f := New(Actions{})
	w := test.NewTempWindow(b, f.Content())
	w.Resize(fyne.NewSize(760, 560))
	f.show(StepInstall)
	for i := range logKeep {
		f.install.log(fmt.Sprintf("warm-up line %d", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		f.install.log("Downloading torch-2.9.1-cp312-cp312-manylinux_2_28_x86_64.whl (899.7 MB)")
	}
}

func TestLongLogLinesWrap(t *testing.T) {
	got := wrapRunes(strings.Repeat("a", 25), 10)
	want := []string{"aaaaaaaaaa", "  aaaaaaaa", "  aaaaaaa"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("wrap = %q, want %q", got, want)
	}
	if got := wrapRunes("short", 10); len(got) != 1 || got[0] != "short" {
		t.Fatalf("short line = %q", got)
	}
}

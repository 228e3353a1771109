package session

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestFitCheckAsksBeforeAJobThatWillNotFit(t *testing.T) {
	tap := NewSampleTap(&gpu.FakeSampler{Samples: []gpu.Sample{{GPUs: []gpu.Device{{Name: "small", TotalMiB: 8192}}, RAMTotal: 16 << 30, RAMUsed: 8 << 30}}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sampled := make(chan struct{}, 1)
	go tap.Run(ctx, time.Hour, func(gpu.Sample) { sampled <- struct{}{} })
	<-sampled // the tap has kept the reading before it passes it on

	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{st: st, win: w, samples: tap}
	fit, known := studio.CheckFit(workflows.DefaultForm(workflows.T2V), tap.Last())
	if !known || fit.Verdict != studio.Fail {
		t.Fatalf("an 8 GiB GPU: verdict %v (known %t); want Fail", fit.Verdict, known)
	}
	queued := make(chan struct{}, 3)
	queue := func() { queued <- struct{}{} }

	// The test driver runs fyne.Do at once: the question is up when
	// checkFit returns, and only its answer may queue the job.
	// In a bubble, so that synctest.Wait sees any goroutine the answer starts.
	synctest.Test(t, func(t *testing.T) {
		s.askFit(fit, queue)
		if len(queued) != 0 {
			t.Fatal("a job that will not fit was queued without asking")
		}
		answerFit(t, w, "No")
		synctest.Wait()
		if len(queued) != 0 {
			t.Fatal(`"No" queued the job`)
		}
	})
	s.askFit(fit, queue)
	answerFit(t, w, "Yes")
	<-queued // "Yes" queues it (from a goroutine, off the UI thread)
	if n := len(queued); n != 0 {
		t.Fatalf("queued %d more times; want once, after \"Yes\" only", n)
	}

	// Without a GPU reading there is nothing to warn about.
	if _, known := studio.CheckFit(workflows.DefaultForm(workflows.T2V), gpu.Sample{}); known {
		t.Fatal("a verdict without a GPU reading")
	}
}

// answerFit checks that the fit question is up, taps the answer and checks
// that the question went away.
func answerFit(t *testing.T, w fyne.Window, answer string) {
	t.Helper()
	overlays := w.Canvas().Overlays().List()
	if len(overlays) != 1 {
		t.Fatalf("%d overlays; want the fit question", len(overlays))
	}
	var button *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == answer {
				button = v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(overlays[0])
	if button == nil {
		t.Fatalf("the fit question has no %q button", answer)
	}
	test.Tap(button)
	if n := len(w.Canvas().Overlays().List()); n != 0 {
		t.Fatalf("the question is still up after %q", answer)
	}
}

package session

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestFitCheckAsksBeforeAJobThatWillNotFit(t *testing.T) {
	tap := NewSampleTap(&gpu.FakeSampler{Samples: []gpu.Sample{{GPUs: []gpu.Device{{Name: "small", TotalMiB: 8192}}, RAMTotal: 16 << 30, RAMUsed: 8 << 30}}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go tap.Run(ctx, time.Millisecond, func(gpu.Sample) {})
	waitFor(t, "a sample", func() bool { return len(tap.Last().GPUs) == 1 })

	a := test.NewTempApp(t)
	w := a.NewWindow("t")
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{st: st, win: w, samples: tap}
	ran := make(chan bool, 1)
	s.checkFit(workflows.DefaultForm(workflows.T2V), func() { ran <- true })
	select {
	case <-ran:
		t.Fatal("a job that will not fit was queued without asking")
	case <-time.After(100 * time.Millisecond):
	}
	waitFor(t, "the question", func() bool { return len(w.Canvas().Overlays().List()) == 1 })

	// Without a GPU reading there is nothing to warn about.
	s.samples = NewSampleTap(&gpu.FakeSampler{})
	s.checkFit(workflows.DefaultForm(workflows.T2V), func() { ran <- true })
	if !<-ran {
		t.Fatal("not queued")
	}
}

package session

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// SampleTap passes a sampler's readings on (to the meter) and keeps the
// latest for the fit check, so the GPU is read once, not twice.
type SampleTap struct {
	inner gpu.Sampler
	mu    sync.Mutex
	last  gpu.Sample
}

// NewSampleTap wraps a sampler.
func NewSampleTap(inner gpu.Sampler) *SampleTap { return &SampleTap{inner: inner} }

// Run implements gpu.Sampler.
func (t *SampleTap) Run(ctx context.Context, every time.Duration, emit func(gpu.Sample)) error {
	return t.inner.Run(ctx, every, func(s gpu.Sample) {
		t.mu.Lock()
		t.last = s
		t.mu.Unlock()
		emit(s)
	})
}

// Last is the newest reading (zero before the first).
func (t *SampleTap) Last() gpu.Sample {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// askFit asks before queueing a job the studio says will likely not fit
// the GPU (or be slow); ok runs, off the UI thread, when the person goes
// ahead anyway.
func (s *Session) askFit(fit studio.Fit, ok func()) {
	title := "This may be slow"
	if fit.Verdict == studio.Fail {
		title = "This will probably not fit"
	}
	fyne.Do(func() {
		dialog.NewConfirm(title, fit.Advice+"\n\nGenerate anyway?", func(yes bool) {
			if yes {
				go ok()
			}
		}, s.win).Show()
	})
}

package gpu

import (
	"context"
	"time"
)

// FakeSampler feeds fixed samples, for UI tests and demos. It emits
// Samples in order, one per interval (the first at once); with Loop it starts
// over, otherwise it waits for ctx after the last. If C is set it instead
// forwards whatever arrives on C, so a test decides exactly when.
type FakeSampler struct {
	Samples []Sample
	Loop    bool
	C       <-chan Sample
}

// Run implements Sampler.
func (f *FakeSampler) Run(ctx context.Context, interval time.Duration, emit func(Sample)) error {
	if f.C != nil {
		for {
			select {
			case <-ctx.Done():
				return nil
			case s, ok := <-f.C:
				if !ok {
					<-ctx.Done()
					return nil
				}
				emit(fill(s))
			}
		}
	}
	t := time.NewTicker(max(interval, time.Millisecond))
	defer t.Stop()
	for i := 0; i < len(f.Samples); i++ {
		emit(fill(f.Samples[i]))
		if f.Loop && i == len(f.Samples)-1 {
			i = -1
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
	<-ctx.Done()
	return nil
}

func fill(s Sample) Sample {
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	if s.Source == "" {
		s.Source = "fake"
	}
	s.GPUs = append([]Device(nil), s.GPUs...)
	return s
}

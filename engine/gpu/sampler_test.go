package gpu

import (
	"context"
	"testing"
	"time"
)

func TestOpenNVMLWithoutDriverFailsPlainly(t *testing.T) {
	n, err := OpenNVML()
	if err == nil {
		n.Close()
		t.Skip("this machine has an NVIDIA driver")
	}
	if err.Error() == "" {
		t.Fatal("empty error")
	}
	t.Log(err)
}

func TestFakeSampler(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &FakeSampler{Samples: []Sample{
		{GPUs: []Device{{Name: "Fake", UsedMiB: 1, TotalMiB: 8}}},
		{NoGPU: NoSMIOnPath, RAMUsed: 1, RAMTotal: 2},
	}}
	ch := make(chan Sample, 4)
	go func() { _ = f.Run(ctx, time.Millisecond, func(s Sample) { ch <- s }) }()
	a, b := <-ch, <-ch
	if a.Source != "fake" || a.Time.IsZero() || a.GPUs[0].Name != "Fake" || b.NoGPU != NoSMIOnPath {
		t.Fatalf("got %+v, %+v", a, b)
	}

	in := make(chan Sample)
	f2 := &FakeSampler{C: in}
	go func() { _ = f2.Run(ctx, time.Hour, func(s Sample) { ch <- s }) }()
	in <- Sample{RAMUsed: 7}
	if s := <-ch; s.RAMUsed != 7 {
		t.Fatalf("channel fake: %+v", s)
	}
}

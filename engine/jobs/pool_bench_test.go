package jobs

import (
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// poolJobs is the batch the throughput benchmark runs: slow stand-in jobs
// (40 decode steps of 25 ms each, about a second), like a GPU-bound render.
const poolJobs = 8

// runBatch submits poolJobs slow jobs to a fresh engine over backends and
// returns the wall time until the last one is done.
func runBatch(b *testing.B, backends ...Backend) time.Duration {
	e := newEngine(b, b.TempDir(), backends...)
	e.cfg.Need = func(f workflows.Form) uint64 { return 2 << 30 }
	ch, stop := e.Subscribe()
	defer stop()
	run(b, e)
	names := make([]string, len(backends))
	for i, be := range backends {
		names[i] = be.Name
	}
	waitOnline(b, ch, names...)
	start := time.Now()
	var ids []string
	for range poolJobs {
		j, err := e.Submit(form("fakecomfy:slow batch"))
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	for _, id := range ids {
		if j := waitFor(b, e, ch, id, finished); j.State != Done {
			b.Fatalf("%s: %s", j.State, j.Error)
		}
	}
	return time.Since(start)
}

// BenchmarkPoolThroughput runs the same batch on one stand-in GPU and then on
// two, in the same run, and reports jobs/s of each and their ratio (target
// ≥ 1.8×).
func BenchmarkPoolThroughput(b *testing.B) {
	var one, two time.Duration
	for b.Loop() {
		_, g0 := newFake(b, "GPU 0", false, nil)
		one += runBatch(b, g0)
		_, h0 := newFake(b, "GPU 0", false, nil)
		_, h1 := newFake(b, "GPU 1", false, nil)
		two += runBatch(b, h0, h1)
	}
	n := float64(b.N) * poolJobs
	b.ReportMetric(n/one.Seconds(), "jobs/s-1gpu")
	b.ReportMetric(n/two.Seconds(), "jobs/s-2gpu")
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup")
}

// BenchmarkPoolDispatch is the time from Submit until the job is claimed by
// an idle backend of a two-GPU pool, with fit-aware dispatch (the GPU
// reading, the fit decision and the queue write) and without it (the queue
// write alone). The difference is the latency dispatch adds (target < 20 ms).
func BenchmarkPoolDispatch(b *testing.B) {
	for _, fit := range []bool{true, false} {
		name := "fit"
		if !fit {
			name = "oldest-first"
		}
		b.Run(name, func(b *testing.B) { benchDispatch(b, fit) })
	}
}

func benchDispatch(b *testing.B, fit bool) {
	_, g0 := newFake(b, "GPU 0", false, nil)
	_, g1 := newFake(b, "GPU 1", false, nil)
	e := newEngine(b, b.TempDir(), g0, g1)
	if fit {
		e.cfg.Need = func(f workflows.Form) uint64 { return 2 << 30 }
	}
	e.cfg.VRAMPoll = -1
	ch, stop := e.Subscribe()
	defer stop()
	run(b, e)
	waitOnline(b, ch, g0.Name, g1.Name)
	var claim time.Duration
	f := form("trivial")
	for b.Loop() {
		start := time.Now()
		j, err := e.Submit(f)
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b, e, ch, j.ID, func(j Job) bool { return j.State != Pending })
		claim += time.Since(start)
		if j = waitFor(b, e, ch, j.ID, finished); j.State != Done {
			b.Fatal(j.Error)
		}
	}
	b.ReportMetric(float64(claim.Microseconds())/1000/float64(b.N), "ms-to-claim")
}

package jobs

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// One video has one "took": the live progress ends on it, the finished job
// reports it, the sidecar stores it and the queue file read back from disk
// (a reopened app) gives it again.
func TestOneTookEverywhere(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	dir := t.TempDir()
	e := newEngine(t, dir, b)
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	j, err := e.Submit(form("a fox"))
	if err != nil {
		t.Fatal(err)
	}
	var lastLive time.Duration
	guard := time.After(10 * time.Second)
	for !j.State.Finished() {
		select {
		case ev := <-ch:
			switch x := ev.(type) {
			case ProgressUpdate:
				if x.ID == j.ID {
					lastLive = x.Progress.Elapsed
				}
			case Changed:
				if x.Job.ID == j.ID {
					j = x.Job
				}
			}
		case <-guard:
			t.Fatalf("job stuck: %+v", j)
		}
	}
	if j.State != Done || j.Took() <= 0 {
		t.Fatalf("job %s, took %v: %+v", j.State, j.Took(), j)
	}
	data, err := os.ReadFile(j.Sidecar)
	if err != nil {
		t.Fatal(err)
	}
	var side Sidecar
	if err := json.Unmarshal(data, &side); err != nil {
		t.Fatal(err)
	}
	e.Close()
	queued, err := ReadQueue(dir)
	if err != nil || len(queued) != 1 {
		t.Fatalf("queue read back: %v %v", queued, err)
	}
	took := map[string]time.Duration{"live": lastLive, "job": j.Took(), "sidecar": side.Took(), "reopened job": queued[0].Took(),
		"sidecar seconds.total": time.Duration(side.Seconds["total"] * float64(time.Second)).Round(time.Microsecond)}
	for what, d := range took {
		want := j.Took()
		if what == "sidecar seconds.total" {
			want = want.Round(time.Microsecond) // a float of seconds
		}
		if d != want {
			t.Errorf("%s took %v, the job %v", what, d, j.Took())
		}
	}
}

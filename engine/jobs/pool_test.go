package jobs

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/workflows"
)

const testGiB = int64(1) << 30

// gpuFake is a stand-in that reports a GPU of total bytes with other
// bytes held by other processes.
func gpuFake(t *testing.T, name, gpu string, total, other int64) Backend {
	_, b := newFake(t, name, false, func(o *api.Options) { o.VRAMTotal, o.VRAMOther = total, other })
	b.GPU = gpu
	return b
}

// needByPrompt is a fit estimate for tests: "big" jobs need 30 GiB, others 2.
func needByPrompt(f workflows.Form) uint64 {
	if strings.Contains(f.Prompt, "big") {
		return uint64(30 * testGiB)
	}
	return uint64(2 * testGiB)
}

// waitOnline reads events until every named backend is online.
func waitOnline(t testing.TB, ch <-chan Event, names ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	guard := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case ev := <-ch:
			if s, ok := ev.(BackendState); ok && s.Online {
				delete(want, s.Backend)
			}
		case <-guard:
			t.Fatalf("backends never came online: %v", want)
		}
	}
}

// TestPoolKeepsTwoGPUsBusy: 4 jobs on two stand-in GPUs run two at a time,
// each on its own backend, and each sidecar names the backend and GPU.
func TestPoolKeepsTwoGPUsBusy(t *testing.T) {
	b0 := gpuFake(t, "GPU 0", "0", 80*testGiB, 0)
	b1 := gpuFake(t, "GPU 1", "1", 80*testGiB, 0)
	e := newEngine(t, t.TempDir(), b0, b1)
	e.cfg.Need = needByPrompt
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	waitOnline(t, ch, b0.Name, b1.Name)
	var ids []string
	for i := range 4 {
		j, err := e.Submit(form("fakecomfy:slow job " + string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	running := map[string]string{} // backend → job
	mostAtOnce, finished := 0, map[string]Job{}
	guard := time.After(30 * time.Second)
	for len(finished) < len(ids) {
		select {
		case ev := <-ch:
			c, ok := ev.(Changed)
			if !ok {
				continue
			}
			switch {
			case c.Job.State == Running:
				if other, busy := running[c.Job.Backend]; busy && other != c.Job.ID {
					t.Fatalf("backend %s given job %s while it runs %s", c.Job.Backend, c.Job.ID, other)
				}
				running[c.Job.Backend] = c.Job.ID
				mostAtOnce = max(mostAtOnce, len(running))
			case c.Job.State.Finished():
				delete(running, c.Job.Backend)
				finished[c.Job.ID] = c.Job
			}
		case <-guard:
			t.Fatalf("jobs stuck; finished %d of %d", len(finished), len(ids))
		}
	}
	if mostAtOnce != 2 {
		t.Errorf("at most %d backends were busy at once, want 2", mostAtOnce)
	}
	perBackend := map[string]int{}
	for _, id := range ids {
		j := finished[id]
		if j.State != Done {
			t.Fatalf("job %s: %s %s", id, j.State, j.Error)
		}
		perBackend[j.Backend]++
		var sc Sidecar
		raw, err := os.ReadFile(j.Sidecar)
		if err != nil || json.Unmarshal(raw, &sc) != nil {
			t.Fatalf("sidecar of %s unreadable: %v", id, err)
		}
		wantGPU := map[string]string{"GPU 0": "0", "GPU 1": "1"}[j.Backend]
		if sc.ComfyUI.Backend != j.Backend || sc.ComfyUI.GPU != wantGPU {
			t.Errorf("sidecar says backend %q gpu %q; the job ran on %q (gpu %q)", sc.ComfyUI.Backend, sc.ComfyUI.GPU, j.Backend, wantGPU)
		}
	}
	if perBackend["GPU 0"] == 0 || perBackend["GPU 1"] == 0 {
		t.Errorf("jobs per backend %v: both GPUs must work", perBackend)
	}
}

// TestPoolSendsBigJobToTheGPUWithRoom: GPU 0 has 16 GiB, GPU 1 80 GiB. Two
// 30 GiB jobs both go to GPU 1 (the second waits for it) while GPU 0, idle,
// takes the small job queued behind them.
func TestPoolSendsBigJobToTheGPUWithRoom(t *testing.T) {
	small := gpuFake(t, "GPU 0", "0", 16*testGiB, 0)
	roomy := gpuFake(t, "GPU 1", "1", 80*testGiB, 0)
	e := newEngine(t, t.TempDir(), small, roomy)
	e.cfg.Need = needByPrompt
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	waitOnline(t, ch, small.Name, roomy.Name)
	big1, _ := e.Submit(form("fakecomfy:slow big one"))
	big2, _ := e.Submit(form("fakecomfy:slow big two"))
	little, _ := e.Submit(form("little"))
	for _, c := range []struct {
		id, want string
	}{{big1.ID, roomy.Name}, {big2.ID, roomy.Name}, {little.ID, small.Name}} {
		j := waitFor(t, e, ch, c.id, finished)
		if j.State != Done || j.Backend != c.want {
			t.Errorf("%q: %s on %q, want done on %q (%s)", j.Form.Prompt, j.State, j.Backend, c.want, j.Error)
		}
	}
}

// TestPoolJobTooBigForEveryGPURunsOnTheRoomiest: nothing is dropped or left
// waiting forever; the form's fit check has already warned.
func TestPoolJobTooBigForEveryGPURunsOnTheRoomiest(t *testing.T) {
	a := gpuFake(t, "GPU 0", "0", 16*testGiB, 0)
	b := gpuFake(t, "GPU 1", "1", 24*testGiB, 0)
	e := newEngine(t, t.TempDir(), a, b)
	e.cfg.Need = needByPrompt
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	waitOnline(t, ch, a.Name, b.Name)
	j, _ := e.Submit(form("big"))
	if j = waitFor(t, e, ch, j.ID, finished); j.State != Done || j.Backend != b.Name {
		t.Errorf("%s on %q, want done on %q", j.State, j.Backend, b.Name)
	}
	rooms := e.Rooms()
	if len(rooms) != 2 || !rooms[0].Known || rooms[0].Avail != uint64(16*testGiB) {
		t.Errorf("rooms %+v", rooms)
	}
}

// TestUnloadOneBackend: Unload on one GPU leaves the other's models loaded.
func TestUnloadOneBackend(t *testing.T) {
	f0, b0 := newFake(t, "GPU 0", false, nil)
	f1, b1 := newFake(t, "GPU 1", false, nil)
	e := newEngine(t, t.TempDir(), b0, b1)
	if err := e.UnloadBackend(t.Context(), "GPU 1"); err != nil {
		t.Fatal(err)
	}
	if f0.srv.Frees() != 0 || f1.srv.Frees() != 1 {
		t.Errorf("frees: GPU 0 %d, GPU 1 %d", f0.srv.Frees(), f1.srv.Frees())
	}
	if err := e.UnloadBackend(t.Context(), "GPU 7"); err == nil {
		t.Error("unknown backend: no error")
	}
}

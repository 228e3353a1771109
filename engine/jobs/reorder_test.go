package jobs

import (
	"path/filepath"
	"testing"
)

func TestMoveReordersPendingOnly(t *testing.T) {
	dir := t.TempDir()
	st := &store{path: filepath.Join(dir, "queue.json")}
	st.jobs = append(st.jobs, &Job{ID: "run", State: Running}, &Job{ID: "a", State: Pending}, &Job{ID: "done", State: Done}, &Job{ID: "b", State: Pending})
	e := &Engine{st: st, wake: make(chan struct{}), subs: map[chan Event]struct{}{}}
	order := func() string {
		s := ""
		for _, j := range e.st.jobs {
			s += j.ID + " "
		}
		return s
	}
	if err := e.Move("b", -1); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "run b done a " {
		t.Fatalf("after moving b up: %q", got)
	}
	e.Move("b", -1) // already the first pending job: no change, and never above the running one
	e.Move("run", 1)
	if got := order(); got != "run b done a " {
		t.Fatalf("moves that must not change anything did: %q", got)
	}
	if err := e.Move("nope", 1); err == nil {
		t.Fatal("unknown job must be an error")
	}
	back, err := openStore(dir)
	if err != nil || len(back.jobs) != 4 || back.jobs[1].ID != "b" {
		t.Fatalf("order not persisted: %v %v", back, err)
	}
}

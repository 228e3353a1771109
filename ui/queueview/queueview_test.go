package queueview

import (
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

func (v *View) rowAt(id int) *row {
	for c, r := range v.rows {
		if r.id == id && c.Visible() {
			return r
		}
	}
	return nil
}

func TestQueueRowsAndActions(t *testing.T) {
	test.NewTempApp(t)
	var calls []string
	rec := func(op string) func(string) { return func(id string) { calls = append(calls, op+" "+id) } }
	v := New(Actions{MoveUp: rec("up"), MoveDown: rec("down"), Cancel: rec("cancel")})
	w := test.NewTempWindow(t, v.Content())
	w.Resize(fyne.NewSize(560, 300))
	if !v.empty.Visible() {
		t.Fatal("empty queue must say so")
	}
	done := make(chan struct{})
	go func() {
		v.Set([]Job{
			{ID: "a", Mode: workflows.T2V, Prompt: "a fox in snow", State: Running, Progress: 0.4, On: "GPU 1"},
			{ID: "b", Mode: workflows.I2V, Prompt: "statue turns", State: Pending},
			{ID: "c", Mode: workflows.Lipsync, Prompt: "hello there", State: Waiting, Note: "needs 2 model files"},
		})
		close(done)
	}()
	<-done
	shot(t, w, "queue.png")
	run, b, c := v.rowAt(0), v.rowAt(1), v.rowAt(2)
	if !run.up.Disabled() || !run.down.Disabled() || run.stop.Disabled() || !run.bar.Visible() {
		t.Fatal("running job: cancel only, with a bar")
	}
	if run.title.Text != "T2V · GPU 1 · a fox in snow" {
		t.Errorf("running row %q must name its GPU", run.title.Text)
	}
	if !b.up.Disabled() || b.down.Disabled() {
		t.Fatal("first waiting job cannot pass the running one but can move down")
	}
	if c.up.Disabled() || !c.down.Disabled() || c.note.Text != "waiting · needs 2 model files" {
		t.Fatalf("last job: up only; note %q", c.note.Text)
	}
	v.SetProgress("a", 0.75)
	if run.bar.Value != 0.75 || v.Jobs()[0].Progress != 0.75 {
		t.Fatalf("running bar at %v after SetProgress(0.75)", run.bar.Value)
	}
	test.Tap(c.up)
	test.Tap(b.down)
	test.Tap(run.stop)
	want := []string{"up c", "down b", "cancel a"}
	for i := range want {
		if i >= len(calls) || calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", calls, want)
		}
	}
	v.Set(nil)
	if !v.empty.Visible() || len(v.Jobs()) != 0 {
		t.Fatal("cleared queue must be empty")
	}
}

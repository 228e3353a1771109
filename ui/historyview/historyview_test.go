package historyview

import (
	"errors"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"image"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

func thumb(c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func fakeItems(dir string) []Item {
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.Local)
	return []Item{
		{Path: filepath.Join(dir, "t2v_0001.mp4"), Mode: workflows.T2V, Prompt: "a red fox runs\nthrough snow", Seed: 42, Duration: 5 * time.Second, Created: at, Thumbnail: thumb(color.RGBA{180, 60, 40, 255})},
		{Path: filepath.Join(dir, "i2v_0001.mp4"), Mode: workflows.I2V, Prompt: "the statue turns its head", Seed: 7, Duration: 4 * time.Second, Created: at.Add(time.Hour), Thumbnail: thumb(color.RGBA{60, 120, 180, 255})},
		{Path: filepath.Join(dir, "t2v_0002.mp4"), Mode: workflows.T2V, Prompt: "waves at dusk", Seed: 43, Duration: 6 * time.Second, Created: at.Add(2 * time.Hour)},
	}
}

func TestLoadsFiltersAndActs(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	items := fakeItems(t.TempDir())
	var played, rerun []Item
	v := New(func() ([]Item, error) { return append([]Item(nil), items...), nil },
		Actions{Play: func(it Item) { played = append(played, it) }, Rerun: func(it Item) { rerun = append(rerun, it) }}, w)
	w.SetContent(v.Content())
	w.Resize(fyne.NewSize(720, 400))
	if !v.empty.Visible() {
		t.Fatal("an unloaded view says it is empty")
	}
	done := make(chan struct{})
	go func() { v.Reload(); close(done) }()
	<-done
	got := v.Shown()
	if len(got) != 3 || got[0].Seed != 43 || got[2].Seed != 42 {
		t.Fatalf("want 3 rows newest first, got %+v", got)
	}
	shot(t, w, "history-all.png")

	v.SetFilter(workflows.T2V)
	if got := v.Shown(); len(got) != 2 || got[0].Mode != workflows.T2V || got[1].Mode != workflows.T2V {
		t.Fatalf("t2v filter: %+v", got)
	}
	test.Tap(v.rowAt(0).play)
	test.Tap(v.rowAt(1).rerun)
	if len(played) != 1 || played[0].Seed != 43 || len(rerun) != 1 || rerun[0].Seed != 42 {
		t.Fatalf("actions went to the wrong rows: %+v %+v", played, rerun)
	}
	if r := v.rowAt(0); r.open.Visible() || r.del.Visible() || !r.play.Visible() {
		t.Fatal("nil actions must hide their buttons")
	}
	if r := v.rowAt(1); r.meta.Text != "seed 42 · 5.0 s · t2v_0001.mp4" || r.prompt.Text != "a red fox runs through snow" {
		t.Fatalf("row text %q %q", r.meta.Text, r.prompt.Text)
	}
	v.SetFilter(workflows.Lipsync)
	if len(v.Shown()) != 0 || !v.empty.Visible() {
		t.Fatal("no lipsync videos → empty state")
	}
	v.SetFilter("")
	if len(v.Shown()) != 3 {
		t.Fatal("clearing the filter shows all")
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	items := fakeItems(t.TempDir())
	var deleted []string
	fail := false
	v := New(func() ([]Item, error) { return append([]Item(nil), items...), nil }, Actions{Delete: func(it Item) error {
		if fail {
			return errors.New("permission denied")
		}
		deleted = append(deleted, it.Path)
		return nil
	}}, w)
	w.SetContent(v.Content())
	w.Resize(fyne.NewSize(720, 400))
	v.Reload()

	test.Tap(v.rowAt(0).del)
	if v.confirm == nil {
		t.Fatal("delete must ask first")
	}
	shot(t, w, "history-confirm-delete.png")
	v.confirm.Dismiss() // "Cancel"
	if len(deleted) != 0 || len(v.Shown()) != 3 {
		t.Fatal("cancel must delete nothing")
	}
	test.Tap(v.rowAt(0).del)
	v.confirm.Confirm()
	if len(deleted) != 1 || filepath.Base(deleted[0]) != "t2v_0002.mp4" || len(v.Shown()) != 2 {
		t.Fatalf("deleted %v, rows %d", deleted, len(v.Shown()))
	}
	fail = true
	test.Tap(v.rowAt(0).del)
	v.confirm.Confirm()
	if len(v.Shown()) != 2 || !v.status.Visible() {
		t.Fatal("a failed delete keeps the row and says why")
	}
}

func TestLoaderError(t *testing.T) {
	test.NewTempApp(t)
	v := New(func() ([]Item, error) { return nil, errors.New("videos folder missing") }, Actions{}, nil)
	v.Reload()
	if !v.status.Visible() || v.status.Text != "Could not read the history: videos folder missing" {
		t.Fatalf("status %q", v.status.Text)
	}
}

// rowAt returns the widgets of the rendered list row id.
func (v *View) rowAt(id int) *row {
	for c, r := range v.rows {
		if r.id == id && c.Visible() {
			return r
		}
	}
	return nil
}

// A long file name ends in "…" instead of running under the row's buttons.
func TestLongMetaIsTruncated(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	long := Item{Path: "/v/2026-11-28 12.59.08 t2v a-lighthouse-on-a-cliff-at-dusk-waves-crashing-slow-dolly-in.mp4",
		Mode: workflows.T2V, Prompt: "lighthouse", Seed: 8431949955092752044, Duration: 5 * time.Second, Created: time.Now()}
	v := New(func() ([]Item, error) { return []Item{long}, nil }, Actions{Play: func(Item) {}}, w)
	w.SetContent(v.Content())
	w.Resize(fyne.NewSize(640, 300))
	v.Reload()
	found := false
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if tx, ok := o.(*canvas.Text); ok && strings.HasPrefix(tx.Text, "seed 8431949955092752044") {
			found = true
			if !strings.HasSuffix(tx.Text, "…") {
				t.Errorf("meta line shown whole (%q), want it cut with …", tx.Text)
			}
		}
	}
	if !found {
		t.Fatal("meta line not on screen")
	}
}

// Before the first read ends the view does not claim there are no videos.
func TestNoFalseEmptyBeforeTheFirstRead(t *testing.T) {
	test.NewTempApp(t)
	v := New(func() ([]Item, error) { return nil, nil }, Actions{}, nil)
	v.rebuild()
	if v.empty.Text != "Reading the history…" {
		t.Fatalf("before the first read: %q", v.empty.Text)
	}
	v.Reload()
	if !v.empty.Visible() || !strings.HasPrefix(v.empty.Text, "No videos yet") {
		t.Fatalf("after an empty read: %q", v.empty.Text)
	}
}

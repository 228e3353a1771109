package errorview

import (
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

func TestDetailsToggle(t *testing.T) {
	a := test.NewTempApp(t)
	raw := "Traceback (most recent call last):\n  File \"execution.py\", line 496\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
	v := New(Message{
		What:    "ComfyUI ran out of GPU memory while sampling.",
		Do:      "Lower the size or length, pick fp8, or set VRAM mode to lowvram in Settings.",
		Details: raw,
	})
	w := test.NewTempWindow(t, v.Content())
	w.Resize(fyne.NewSize(560, 360))
	if v.Expanded() || v.scroll.Visible() {
		t.Fatal("details must start collapsed")
	}
	shot(t, w, "errorview-collapsed.png")
	test.Tap(v.toggle)
	if !v.Expanded() || !v.scroll.Visible() || v.toggle.Text != "Hide details" {
		t.Fatal("Show details did not expand")
	}
	if v.DetailsText() != raw || !v.details.Selectable || !v.details.TextStyle.Monospace {
		t.Fatalf("details must be the raw text, monospace and selectable: %q", v.DetailsText())
	}
	test.Tap(v.copyBtn)
	if got := a.Clipboard().Content(); got != raw {
		t.Fatalf("clipboard = %q", got)
	}
	shot(t, w, "errorview-expanded.png")
	test.Tap(v.toggle)
	if v.Expanded() || v.scroll.Visible() {
		t.Fatal("second tap must collapse")
	}
}

func TestSetFromGoroutineAndNoDetails(t *testing.T) {
	test.NewTempApp(t)
	v := New(Message{What: "x", Details: "y"})
	v.SetExpanded(true)
	done := make(chan struct{})
	go func() { v.Set(Message{What: "The server closed the connection."}); close(done) }()
	<-done
	if v.what.Text != "The server closed the connection." || v.Expanded() {
		t.Fatal("Set must replace the message and collapse")
	}
	if v.toggle.Visible() || v.do.Visible() {
		t.Fatal("no details → no toggle; no advice → no advice line")
	}
}

// A cancel the person asked for is news, not a failure: no error red.
func TestNoticeIsNotRed(t *testing.T) {
	test.NewTempApp(t)
	v := New(Message{What: "The job was cancelled.", Notice: true})
	if v.what.Importance == widget.DangerImportance || v.icon.Resource.Name() != theme.InfoIcon().Name() {
		t.Fatalf("notice shown as an error: importance %v, icon %s", v.what.Importance, v.icon.Resource.Name())
	}
	v.Set(Message{What: "ComfyUI crashed."})
	if v.what.Importance != widget.DangerImportance || v.icon.Resource.Name() == theme.InfoIcon().Name() {
		t.Fatal("a failure after a notice must be red again")
	}
}

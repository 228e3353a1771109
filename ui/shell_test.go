package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/ui/modeform"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

type oneSample struct{ s gpu.Sample }

func (o oneSample) Run(_ context.Context, _ time.Duration, emit func(gpu.Sample)) error {
	emit(o.s)
	return nil
}

func probeImages(_ context.Context, path string) (modeform.MediaInfo, error) {
	return modeform.MediaInfo{Kind: workflows.MediaImage, Width: 64, Height: 64}, nil
}

func newTestShell(t *testing.T, d Deps) (*Shell, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, topaz.Theme{})
	w := test.NewTempWindow(t, nil)
	d.Go = func(f func()) { f() }
	s := New(t.Context(), w, d)
	w.Resize(fyne.NewSize(1280, 800))
	return s, w
}

func ctrl(k fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

// recorder is a canvas that keeps the shortcuts registered on it, so a test
// can fire them the way the window would (the test canvas cannot).
type recorder struct {
	fyne.Canvas
	handlers map[string]func(fyne.Shortcut)
}

func (r *recorder) AddShortcut(sc fyne.Shortcut, h func(fyne.Shortcut)) {
	r.handlers[sc.ShortcutName()] = h
}

func (r *recorder) TypedShortcut(sc fyne.Shortcut) {
	if h, ok := r.handlers[sc.ShortcutName()]; ok {
		h(sc)
	}
}

func shortcuts(s *Shell, w fyne.Window) *recorder {
	r := &recorder{Canvas: w.Canvas(), handlers: map[string]func(fyne.Shortcut){}}
	s.registerShortcuts(r)
	return r
}

func TestCtrlNumberSwitchesModes(t *testing.T) {
	s, w := newTestShell(t, Deps{})
	c := shortcuts(s, w)
	modes := workflows.Modes()
	for _, i := range []int{3, 0, 5, 1, 4, 2} {
		c.TypedShortcut(ctrl(fyne.KeyName(string(rune('1' + i)))))
		if s.Mode() != modes[i].ID || s.Tag() != modes[i].Tag {
			t.Errorf("Ctrl+%d: mode %s tag %s, want %s", i+1, s.Mode(), s.Tag(), modes[i].ID)
		}
		if s.formArea.Content != s.Form(modes[i].ID).Content() {
			t.Errorf("Ctrl+%d: the form shown is not %s's", i+1, modes[i].ID)
		}
	}
	c.TypedShortcut(ctrl(fyne.Key7))
	if s.Mode() != modes[2].ID {
		t.Error("Ctrl+7 changed the mode")
	}
}

func TestCtrlEnterGenerates(t *testing.T) {
	var got []workflows.Form
	s, w := newTestShell(t, Deps{OnGenerate: func(f workflows.Form) { got = append(got, f) }})
	c := shortcuts(s, w)

	c.TypedShortcut(ctrl(fyne.KeyReturn))
	if len(got) != 0 || !s.generate.Disabled() {
		t.Fatal("generated with an empty prompt")
	}
	if !strings.HasPrefix(s.reason.Text, "Prompt: describe the video you want") {
		t.Errorf("reason %q", s.reason.Text)
	}

	// Type into the prompt, then press Ctrl+Enter while it has focus: the
	// entry must pass the shortcut on rather than swallow it.
	s.Form(workflows.T2V).FocusPrompt(w.Canvas())
	focused := w.Canvas().Focused().(interface {
		fyne.Focusable
		fyne.Shortcutable
	})
	test.Type(focused, "a lighthouse at dusk")
	focused.TypedShortcut(ctrl(fyne.KeyReturn))
	if len(got) != 1 || got[0].Prompt != "a lighthouse at dusk" || got[0].Mode != workflows.T2V {
		t.Fatalf("generate calls %+v", got)
	}
	if s.generate.Disabled() {
		t.Error("Generate still disabled")
	}
	test.Tap(s.generate)
	focused.TypedShortcut(ctrl(fyne.Key2)) // Ctrl+2 from inside the prompt
	if len(got) != 2 || s.Mode() != workflows.I2V {
		t.Errorf("button: %d calls; Ctrl+2 in entry: mode %s", len(got), s.Mode())
	}
}

func TestMeterAndStatusInHeader(t *testing.T) {
	s, _ := newTestShell(t, Deps{Sampler: oneSample{gpu.Sample{NoGPU: "no NVIDIA GPU found", RAMUsed: 1 << 30, RAMTotal: 4 << 30}}})
	if got := s.Meter().Text(); got != "No NVIDIA GPU found · RAM 1.0 / 4.0 GiB" {
		t.Errorf("meter %q", got)
	}
	unloaded := 0
	s.SetUnload(func() { unloaded++ })
	test.Tap(s.header.unload)
	if !s.header.unload.Visible() || unloaded != 1 {
		t.Error("the meter's Unload button does not forward")
	}
	// A longer status pushes the button along instead of running under it.
	s.SetBackendStatus("ComfyUI is not set up yet: Settings → Repair", false)
	d := fyne.CurrentApp().Driver()
	if st, b := d.AbsolutePositionForObject(s.header.status), d.AbsolutePositionForObject(s.header.unload); st.X+s.header.status.MinSize().Width > b.X {
		t.Errorf("status (x %.0f, %.0f wide) runs under Unload (x %.0f)", st.X, s.header.status.MinSize().Width, b.X)
	}
	s.SetBackendStatus("ComfyUI ready", true)
	if s.header.status.Text != "ComfyUI ready" {
		t.Error("status not shown")
	}
}

func TestDropGoesToActiveForm(t *testing.T) {
	s, _ := newTestShell(t, Deps{Probe: probeImages})
	s.SelectMode(workflows.I2V)
	path := filepath.Join(t.TempDir(), "cat.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s.onDropped(fyne.NewPos(-1, -1), []fyne.URI{storage.NewFileURI(path)})
	r := s.Form(workflows.I2V).Result()
	if r.Form.Media["image"] != path {
		t.Errorf("media %v", r.Form.Media)
	}
	// A mode without media slots says why nothing happened.
	s.SelectMode(workflows.T2V)
	s.onDropped(fyne.NewPos(-1, -1), []fyne.URI{storage.NewFileURI(path)})
	if !strings.Contains(s.reason.Text, "takes no files") {
		t.Errorf("drop on t2v: reason %q", s.reason.Text)
	}
}

func TestSetOutputReplacesPlaceholder(t *testing.T) {
	s, _ := newTestShell(t, Deps{})
	o := widget.NewLabel("player")
	s.SetOutput(o)
	if len(s.output.Objects) != 1 || s.output.Objects[0] != o {
		t.Error("output not replaced")
	}
}

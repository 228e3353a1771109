package settingsview

import (
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

const secret = "hf_SECRETtoken123"

func TestRoundTripThroughStore(t *testing.T) {
	test.NewTempApp(t)
	st := settings.Store{Dir: t.TempDir()}
	seed := settings.Defaults()
	seed.Modes, seed.SetupDone = []workflows.ModeID{workflows.T2V, workflows.I2V}, true // not on the form; must survive
	if err := st.Save(seed); err != nil {
		t.Fatal(err)
	}
	var saved []settings.Settings
	v := New(st, Options{OnSaved: func(s settings.Settings) { saved = append(saved, s) }, GPUsFound: []string{"0: NVIDIA H200 140 GiB", "1: NVIDIA H200 140 GiB"}})
	w := test.NewTempWindow(t, v.Content())
	w.Resize(fyne.NewSize(720, 860))
	if v.backend.Selected != "Managed by the app" || v.precision.Selected != precFP8 || v.vram.Selected != "Auto" {
		t.Fatalf("defaults not loaded: %q %q %q", v.backend.Selected, v.precision.Selected, v.vram.Selected)
	}
	if v.managedDir.Disabled() || !v.folderPath.Disabled() || !v.remoteURLs.Disabled() {
		t.Fatal("managed backend: only its location is editable")
	}

	v.backend.SetSelected("Remote servers")
	if !v.folderPath.Disabled() || v.remoteURLs.Disabled() {
		t.Fatal("only the chosen backend's fields are editable")
	}
	v.remoteURLs.SetText(" http://10.0.0.2:8188 \n\nhttps://gpu.example:8443\n")
	v.vram.SetSelected("Low: move parts to RAM when needed")
	v.reserve.SetText("1.5")
	v.gpus.SetText("1, 0")
	v.hfCache.SetText("/data/hf")
	v.outputDir.SetText("/data/videos")
	v.offline.SetChecked(true)
	v.notify.SetChecked(false)
	v.precision.SetSelected(precBF16)
	test.Type(v.token, secret)
	test.Tap(v.save)
	if v.errLabel.Text != "" || v.okLabel.Text != "Saved." || len(saved) != 1 {
		t.Fatalf("save failed: %q", v.errLabel.Text)
	}

	want := seed
	want.Backend, want.RemoteURLs = settings.BackendRemote, []string{"http://10.0.0.2:8188", "https://gpu.example:8443"}
	want.VRAMMode, want.ReserveVRAMGiB, want.GPUs = settings.VRAMLow, 1.5, settings.GPUChoice{1, 0}
	want.HFCache, want.OutputDir, want.Offline, want.NotifyWhenDone, want.Precision = "/data/hf", "/data/videos", true, false, "bf16"
	want.Weights = "1.0" // an install that never chose keeps 1.0; saving records it
	got, err := st.Load()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("stored\n%+v\nwant\n%+v (%v)", got, want, err)
	}
	if st.Token() != secret {
		t.Fatal("token not stored through SetToken")
	}
	b, _ := os.ReadFile(filepath.Join(st.Dir, "settings.json"))
	if strings.Contains(string(b), secret) {
		t.Fatal("token leaked into settings.json")
	}

	// A fresh view shows the same values and never the token.
	v2 := New(st, Options{GPUsFound: []string{"0: NVIDIA H200 140 GiB", "1: NVIDIA H200 140 GiB"}})
	w.SetContent(v2.Content())
	if s, err := v2.collect(); err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("reloaded form gives %+v (%v)", s, err)
	}
	if v2.token.Text != "" || strings.Contains(v2.token.PlaceHolder, "SECRET") || !v2.removeToken.Visible() {
		t.Fatal("the token must never be shown back")
	}
	shot(t, w, "settings.png")
	test.Tap(v2.removeToken)
	if st.Token() != "" || v2.removeToken.Visible() {
		t.Fatal("Remove must delete the token")
	}
}

func TestValidationShownNextToForm(t *testing.T) {
	test.NewTempApp(t)
	st := settings.Store{Dir: t.TempDir()}
	v := New(st, Options{Repair: func() {}, UpdateComfyUI: func() {}, RollBack: func() {}})
	w := test.NewTempWindow(t, v.Content())
	w.Resize(fyne.NewSize(720, 900))
	for _, c := range []struct {
		name string
		edit func()
		want string
	}{
		{"folder without path", func() { v.backend.SetSelected("An existing ComfyUI folder") }, "Choose the ComfyUI folder to use"},
		{"bad url", func() {
			v.backend.SetSelected("Remote servers")
			v.remoteURLs.SetText("10.0.0.2:8188")
		}, "must start with http://"},
		{"bad reserve", func() { v.reserve.SetText("lots") }, "number of GiB"},
		{"bad gpu", func() { v.gpus.SetText("-1") }, "GPUs to use"},
	} {
		v.Reload()
		c.edit()
		if err := v.Save(); err == nil || !strings.Contains(v.errLabel.Text, c.want) {
			t.Errorf("%s: error label %q, want %q", c.name, v.errLabel.Text, c.want)
		}
		if c.name == "bad url" {
			shot(t, w, "settings-error.png")
		}
	}
	if _, err := os.Stat(filepath.Join(st.Dir, "settings.json")); !os.IsNotExist(err) {
		t.Fatal("invalid settings must not be written")
	}
}

// Coming back to the tab keeps unsaved edits, but an untouched form shows
// what changed in the store meanwhile (e.g. setup's choices).
func TestReloadKeepsUnsavedEdits(t *testing.T) {
	test.NewTempApp(t)
	st := settings.Store{Dir: t.TempDir()}
	if err := st.Save(settings.Defaults()); err != nil {
		t.Fatal(err)
	}
	v := New(st, Options{})
	test.NewTempWindow(t, v.Content())
	if v.Edited() {
		t.Fatal("a freshly loaded form counts as edited")
	}
	changed := settings.Defaults()
	changed.Precision = "bf16"
	if err := st.Save(changed); err != nil {
		t.Fatal(err)
	}
	v.ReloadUnlessEdited()
	if v.precision.Selected != precBF16 {
		t.Fatal("an untouched form did not pick up the store's change")
	}
	v.outputDir.SetText("/mine")
	v.ReloadUnlessEdited()
	if v.outputDir.Text != "/mine" || !v.Edited() {
		t.Fatalf("unsaved edit lost: %q", v.outputDir.Text)
	}
}

// Repair, Update and Roll back stop ComfyUI, so they ask first.
func TestMaintenanceAsksFirst(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	rolled := 0
	v := New(settings.Store{Dir: t.TempDir()}, Options{RollBack: func() { rolled++ }, Window: w})
	w.SetContent(v.Content())
	w.Resize(fyne.NewSize(720, 900))
	var btn *widget.Button
	for _, o := range test.LaidOutObjects(v.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Roll back" {
			btn = b
		}
	}
	if btn == nil {
		t.Fatal("no Roll back button")
	}
	test.Tap(btn)
	if rolled != 0 || v.confirm == nil {
		t.Fatal("Roll back ran without asking")
	}
	v.confirm.Dismiss()
	test.Tap(btn)
	v.confirm.Confirm()
	if rolled != 1 {
		t.Fatalf("rolled back %d times after one yes", rolled)
	}
}

// The LTX-2.3 release is a choice in Settings: an install that never chose
// shows (and keeps) 1.0, picking 1.1 saves it, and the hint says what changes.
func TestWeightsChoice(t *testing.T) {
	test.NewTempApp(t)
	st := settings.Store{Dir: t.TempDir()}
	v := New(st, Options{})
	if v.weights.Selected != weights10 {
		t.Fatalf("weights %q for an install that never chose", v.weights.Selected)
	}
	v.weights.SetSelected(weights11)
	if err := v.Save(); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Load(); got.Weights != "1.1" || got.ModelWeights() != "1.1" {
		t.Errorf("saved weights %q", got.Weights)
	}
}

// Roll back is off, with a note, while there is no earlier install.
func TestRollBackOffWithoutAnEarlierInstall(t *testing.T) {
	test.NewTempApp(t)
	can := false
	v := New(settings.Store{Dir: t.TempDir()}, Options{RollBack: func() {}, CanRollBack: func() bool { return can }})
	_ = test.NewTempWindow(t, v.Content())
	if !v.rollBack.Disabled() || !v.rollBackNote.Visible() {
		t.Fatal("Roll back is on with nothing to roll back to")
	}
	can = true
	v.ReloadUnlessEdited()
	if v.rollBack.Disabled() || v.rollBackNote.Visible() {
		t.Fatal("Roll back stayed off after an update made an earlier install")
	}
}

// The view fits the output panel of a 1280-pixel window (about 650 px
// beside the form): a wider minimum made Fyne grow the window past the
// screen.
func TestFitsBesideTheForm(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, topaz.Theme{})
	v := New(settings.Store{Dir: t.TempDir()}, Options{Repair: func() {}, RollBack: func() {}, UpdateComfyUI: func() {},
		CanRollBack: func() bool { return false }})
	if got := v.Content().MinSize().Width; got > 600 {
		t.Fatalf("the settings need %v pixels across", got)
	}
}

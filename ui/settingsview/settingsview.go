// Package settingsview is the settings form: which ComfyUI to use, memory
// modes, the GPU, where models and videos go, offline mode, precision, and
// the Hugging Face token. It edits engine/settings.Settings through a small
// Store interface (settings.Store satisfies it as is).
package settingsview

import (
	"fmt"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Store loads and saves settings and keeps the token apart from them. The
// token is only ever written: Token is read to know whether one is saved.
type Store interface {
	Load() (settings.Settings, error)
	Save(settings.Settings) error
	Token() string
	SetToken(string) error
}

// Options are the optional parts of the view.
type Options struct {
	OnSaved func(settings.Settings) // after a successful save (UI goroutine)
	// Maintenance re-runs parts of setup; nil hides a button.
	Repair, UpdateComfyUI, RollBack func()
	// CanRollBack says whether an earlier install exists; Roll back is
	// off (with a note) while it says no. Nil: always on.
	CanRollBack func() bool
	Window      fyne.Window // parents the folder pickers; nil = no Browse buttons
	// GPUsFound is shown under "GPUs to use" (e.g. "0: NVIDIA H200 140 GiB");
	// empty says no GPU was found.
	GPUsFound []string
}

var backends = []struct {
	kind  settings.BackendKind
	label string
}{
	{settings.BackendManaged, "Managed by the app"},
	{settings.BackendFolder, "An existing ComfyUI folder"},
	{settings.BackendRemote, "Remote servers"},
}

var vramModes = []struct {
	mode  settings.VRAMMode
	label string
}{
	{settings.VRAMAuto, "Auto"},
	{settings.VRAMHigh, "High: keep models on the GPU"},
	{settings.VRAMLow, "Low: move parts to RAM when needed"},
	{settings.VRAMNo, "None: run from RAM (slowest)"},
	{settings.VRAMGPUOnly, "GPU only: everything on the GPU"},
}

const (
	precFP8  = "fp8 (smaller, the default)"
	precBF16 = "bf16 (best quality, 48 GB+ GPUs)"
	// The radio labels are the settings values (settings.Weights).
	weights10 = string(workflows.Weights10)
	weights11 = string(workflows.Weights11)
)

// hint is a small wrapped explanation under a choice.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// View is the settings screen.
type View struct {
	st    Store
	opt   Options
	base  settings.Settings // the loaded value; fields the form does not show pass through
	shown settings.Settings // what the widgets said right after the last fill

	backend                                    *widget.RadioGroup
	managedDir, folderPath, hfCache, outputDir *widget.Entry
	remoteURLs, reserve, gpus                  *widget.Entry
	token                                      *widget.Entry
	removeToken                                *widget.Button
	vram                                       *widget.Select
	precision, weights                         *widget.RadioGroup
	offline, notify                            *widget.Check
	save                                       *widget.Button
	errLabel, okLabel                          *widget.Label
	form                                       *widget.Form
	confirm                                    *dialog.ConfirmDialog // the open maintenance question, for tests
	rollBack                                   *widget.Button        // nil when the view has no Roll back
	rollBackNote                               *widget.Label         // why Roll back is off
	root                                       fyne.CanvasObject
}

// New builds the form and loads the saved settings into it.
func New(st Store, opt Options) *View {
	v := &View{st: st, opt: opt}
	labels := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	v.backend = widget.NewRadioGroup(labels(len(backends), func(i int) string { return backends[i].label }), v.onBackend)
	v.managedDir, v.folderPath = entry("default: the app's data folder"), entry("/path/to/ComfyUI")
	v.hfCache, v.outputDir = entry("default: huggingface_hub's own cache"), entry("default: Videos/LTX Studio")
	v.remoteURLs = widget.NewMultiLineEntry()
	v.remoteURLs.SetPlaceHolder("http://192.168.1.20:8188\none address per line")
	v.remoteURLs.SetMinRowsVisible(3)
	v.reserve, v.gpus = entry("0"), entry("all, or GPU numbers like 0,1")
	v.token = widget.NewPasswordEntry()
	v.removeToken = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), v.onRemoveToken)
	v.vram = widget.NewSelect(labels(len(vramModes), func(i int) string { return vramModes[i].label }), nil)
	v.precision = widget.NewRadioGroup([]string{precFP8, precBF16}, nil)
	// Stacked, not side by side: side by side they set the Settings tab's
	// width, and with it the window's (past a 1280-pixel screen).
	v.precision.Horizontal = false
	v.weights = widget.NewRadioGroup([]string{weights10, weights11}, nil)
	v.weights.Horizontal = false
	v.backend.Required, v.precision.Required, v.weights.Required = true, true, true // a second tap must not clear the choice
	v.offline = widget.NewCheck("Offline: never use the network", nil)
	v.notify = widget.NewCheck("Notify me when a video is done in the background", nil)
	v.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { _ = v.Save() })
	v.save.Importance = widget.HighImportance
	v.errLabel = widget.NewLabel("")
	v.errLabel.Importance = widget.DangerImportance
	v.errLabel.Wrapping = fyne.TextWrapWord
	v.okLabel = widget.NewLabel("")
	v.okLabel.Importance = widget.SuccessImportance

	v.form = widget.NewForm(
		widget.NewFormItem("ComfyUI", v.backend),
		widget.NewFormItem("Managed location", v.browse(v.managedDir)),
		widget.NewFormItem("ComfyUI folder", v.browse(v.folderPath)),
		widget.NewFormItem("Server addresses", v.remoteURLs),
		widget.NewFormItem("VRAM mode", v.vram),
		widget.NewFormItem("Keep free (GiB)", v.reserve),
		gpusItem(v.gpus, opt.GPUsFound),
		widget.NewFormItem("Model precision", v.precision),
		widget.NewFormItem("LTX-2.3 weights", container.NewVBox(v.weights, hint(workflows.WeightsChange))),
		widget.NewFormItem("Model cache", v.browse(v.hfCache)),
		widget.NewFormItem("Hugging Face token", container.NewBorder(nil, nil, nil, v.removeToken, v.token)),
		widget.NewFormItem("Output folder", v.browse(v.outputDir)),
		widget.NewFormItem("", v.offline),
		widget.NewFormItem("", v.notify),
	)
	actions := container.NewHBox(v.save, v.okLabel)
	body := container.NewVBox(v.form, actions, v.errLabel)
	if m := v.maintenance(); m != nil {
		body.Add(widget.NewSeparator())
		body.Add(m)
	}
	v.root = container.NewVScroll(container.NewPadded(body))
	v.Reload()
	return v
}

// Content is the view's root object.
func (v *View) Content() fyne.CanvasObject { return v.root }

// Reload reads the store into the form, dropping unsaved edits. Safe from
// any goroutine.
func (v *View) Reload() {
	s, err := v.st.Load()
	hasToken := v.st.Token() != ""
	fyne.Do(func() {
		v.fill(s, hasToken)
		v.okLabel.SetText("")
		if err != nil {
			v.errLabel.SetText(err.Error())
		} else {
			v.errLabel.SetText("")
		}
	})
}

// Edited reports whether the form holds changes not yet saved. UI goroutine.
func (v *View) Edited() bool {
	now, err := v.collect()
	return err != nil || v.token.Text != "" || !reflect.DeepEqual(now, v.shown)
}

// ReloadUnlessEdited is Reload for a tab coming back into view: a person's
// unsaved edits stay. UI goroutine.
func (v *View) ReloadUnlessEdited() {
	v.refreshRollBack()
	if !v.Edited() {
		v.Reload()
	}
}

// Save validates the form and writes it; the error (also shown next to the
// form) is returned for callers and tests. UI goroutine.
func (v *View) Save() error {
	v.okLabel.SetText("")
	s, err := v.collect()
	if err == nil {
		err = s.Validate()
	}
	if err == nil {
		err = v.st.Save(s)
	}
	if err == nil && v.token.Text != "" {
		if err = v.st.SetToken(v.token.Text); err != nil {
			err = fmt.Errorf("the settings were saved, but the token could not be: %w", err)
		}
	}
	if err != nil {
		v.errLabel.SetText(errorText(err))
		return err
	}
	v.base = s
	v.fill(s, v.st.Token() != "")
	v.errLabel.SetText("")
	v.okLabel.SetText("Saved.")
	if v.opt.OnSaved != nil {
		v.opt.OnSaved(s)
	}
	return nil
}

func (v *View) onBackend(label string) {
	set := func(e *widget.Entry, on bool) {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	set(v.managedDir, label == backends[0].label)
	set(v.folderPath, label == backends[1].label)
	set(v.remoteURLs, label == backends[2].label)
	if v.form != nil {
		v.form.Refresh() // grey the labels of the fields that do not apply
	}
}

func (v *View) onRemoveToken() {
	if err := v.st.SetToken(""); err != nil {
		v.errLabel.SetText("Could not remove the token: " + err.Error())
		return
	}
	v.fill(v.base, false)
	v.okLabel.SetText("Token removed.")
}

func (v *View) browse(e *widget.Entry) fyne.CanvasObject {
	if v.opt.Window == nil {
		return e
	}
	b := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				e.SetText(u.Path())
			}
		}, v.opt.Window)
	})
	return container.NewBorder(nil, nil, nil, b, e)
}

func entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	return e
}

// gpusItem is "GPUs to use" with the GPUs found at start under it: one
// managed ComfyUI runs per chosen GPU.
func gpusItem(e *widget.Entry, found []string) *widget.FormItem {
	it := widget.NewFormItem("GPUs to use", e)
	it.HintText = "No NVIDIA GPU found"
	if len(found) > 0 {
		it.HintText = "One ComfyUI per GPU. Found: " + strings.Join(found, " · ")
	}
	return it
}

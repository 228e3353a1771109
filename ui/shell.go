package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/meter"
	"github.com/ltxstudio/ltx-studio/ui/modeform"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// SampleInterval is how often the VRAM meter reads the GPU.
const SampleInterval = time.Second

// Shell is the main window's content and its view state.
type Shell struct {
	deps    Deps
	ctx     context.Context
	win     fyne.Window
	modes   []workflows.Mode
	forms   map[workflows.ModeID]*modeform.Form
	active  *modeform.Form
	prec    workflows.Precision // the settings' model precision; "" = the registry default
	weights workflows.Weights   // the settings' LTX-2.3 release; "" = 1.0

	header   *header
	sidebar  *widget.List
	formArea *container.Scroll
	generate *widget.Button
	reason   *widget.Label
	output   *fyne.Container
	content  fyne.CanvasObject
}

// New builds the window content, sets it on w, and registers the keyboard
// shortcuts and file drops. ctx bounds all background work (meter, probes).
func New(ctx context.Context, w fyne.Window, d Deps) *Shell {
	d.defaults()
	s := &Shell{deps: d, ctx: ctx, win: w, modes: workflows.Modes(), forms: map[workflows.ModeID]*modeform.Form{}}
	s.build()
	w.SetContent(s.content)
	s.registerShortcuts(w.Canvas())
	w.SetOnDropped(s.onDropped)
	s.SelectMode(s.modes[0].ID)
	if d.Sampler != nil {
		m := s.header.meter
		d.Go(func() { meter.Run(ctx, d.Sampler, m, SampleInterval) })
	}
	return s
}

func (s *Shell) build() {
	s.header = newHeader()
	s.sidebar = newSidebar(s.modes, func(id workflows.ModeID) { s.SelectMode(id) })
	s.formArea = container.NewVScroll(container.NewStack())
	s.generate = widget.NewButtonWithIcon("Generate", theme.MediaPlayIcon(), s.Generate)
	s.generate.Importance = widget.HighImportance
	s.reason = widget.NewLabel("")
	s.reason.Wrapping = fyne.TextWrapWord
	s.reason.SizeName = theme.SizeNameCaptionText
	hint := widget.NewLabelWithStyle("Ctrl+Enter", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	hint.SizeName = theme.SizeNameCaptionText
	actions := container.NewPadded(container.NewVBox(
		container.NewBorder(nil, nil, nil, hint, s.generate), s.reason))
	formColumn := container.NewBorder(nil, actions, nil, nil, s.formArea)
	s.output = container.NewStack(newPlaceholder())
	split := container.NewHSplit(formColumn, panel(s.output))
	split.Offset = 0.52
	side := panel(container.NewPadded(container.NewGridWrap(fyne.NewSize(210, 6*44), s.sidebar)))
	s.content = container.NewBorder(s.header.box, nil, side, nil, split)
}

// Content is the window's root object.
func (s *Shell) Content() fyne.CanvasObject { return s.content }

// Mode is the active mode.
func (s *Shell) Mode() workflows.ModeID { return s.active.Mode().ID }

// Form returns a mode's form, building it on first use: forms are built
// lazily because laying out text is most of the start-up time. Nil for an
// unknown mode.
func (s *Shell) Form(id workflows.ModeID) *modeform.Form {
	if f, ok := s.forms[id]; ok {
		return f
	}
	m, ok := workflows.Lookup(id)
	if !ok {
		return nil
	}
	f := modeform.New(s.ctx, m, modeform.Config{
		Probe: s.deps.Probe, PickFile: s.pickFile, Go: s.deps.Go,
		Shortcut: s.onShortcut, OnChange: s.onFormChange,
	})
	s.forms[id] = f
	if s.prec != "" {
		f.SetPrecision(s.prec)
	}
	f.SetWeights(s.weights)
	return f
}

// SetWeights makes w the LTX-2.3 release every form runs, now and for forms
// built later (the settings choose it; see workflows.Weights).
func (s *Shell) SetWeights(w workflows.Weights) {
	s.weights = w
	for _, f := range s.forms {
		f.SetWeights(w)
	}
}

// SetPrecision makes p every form's model precision, now and for forms
// built later (Settings → Save and the end of setup call it).
func (s *Shell) SetPrecision(p workflows.Precision) {
	s.prec = p
	for _, f := range s.forms {
		f.SetPrecision(p)
	}
}

// Meter is the header's VRAM meter (the job layer marks job start/end on it).
func (s *Shell) Meter() *meter.Meter { return s.header.meter }

// SetUnload shows an "Unload" button beside the meter that frees the GPU
// memory ComfyUI holds; nil hides it.
func (s *Shell) SetUnload(f func()) {
	s.header.unload.OnTapped = f
	if f == nil {
		s.header.unload.Hide()
	} else {
		s.header.unload.Show()
	}
}

// SetSetup shows a "Finish setup" button in the header that reopens the
// first-run setup (after "Not now"); nil hides it.
func (s *Shell) SetSetup(f func()) {
	s.header.setup.OnTapped = f
	if f == nil {
		s.header.setup.Hide()
	} else {
		s.header.setup.Show()
	}
}

// SetBackendStatus shows the ComfyUI backend's state in the header.
func (s *Shell) SetBackendStatus(text string, ok bool) { s.header.setStatus(text, ok) }

// SetOutput replaces the output area (the player and job list plug in here).
func (s *Shell) SetOutput(o fyne.CanvasObject) {
	s.output.Objects = []fyne.CanvasObject{o}
	s.output.Refresh()
}

// SelectMode shows a mode's form; each form keeps its input while hidden.
func (s *Shell) SelectMode(id workflows.ModeID) {
	f := s.Form(id)
	if f == nil || f == s.active {
		return
	}
	s.active = f
	s.formArea.Content = f.Content()
	s.formArea.ScrollToTop()
	s.formArea.Refresh()
	s.header.setMode(f.Mode())
	for i, m := range s.modes {
		if m.ID == id {
			s.sidebar.Select(i)
		}
	}
	f.FocusPrompt(s.win.Canvas())
	s.onFormChange()
}

// Generate hands the active form to OnGenerate when it is valid.
func (s *Shell) Generate() {
	r := s.active.Result()
	if !r.Ready() {
		return
	}
	if s.deps.OnGenerate != nil {
		s.deps.OnGenerate(r.Form)
	}
}

func (s *Shell) onFormChange() {
	if s.active == nil || s.generate == nil {
		return
	}
	r := s.active.Result()
	if r.Ready() {
		s.generate.Enable()
		s.reason.SetText(r.SizeText(s.active.Mode()) + " · " + r.FramesText())
		return
	}
	s.generate.Disable()
	s.reason.SetText(firstReason(s.active.Mode(), r.Errors))
}

func (s *Shell) pickFile(kind workflows.MediaKind, done func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("")
			return
		}
		_ = r.Close()
		done(r.URI().Path())
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter(extensions(kind)))
	// Show before Resize: Fyne's FileDialog builds its pop-up in Show, and
	// Resize on a dialog not yet shown reads that pop-up's size (nil → panic).
	d.Show()
	d.Resize(fyne.NewSize(820, 560)) // fits the 1280×800 window with room for the grid of files
}

// extensions only narrows the dialog's listing; the slot still checks content.
func extensions(k workflows.MediaKind) []string {
	switch k {
	case workflows.MediaAudio:
		return []string{".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus"}
	case workflows.MediaVideo:
		return []string{".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}
	}
	return []string{".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}
}

func (s *Shell) onDropped(pos fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if m := s.active.Mode(); len(m.Slots) == 0 { // say so rather than drop it silently
		s.reason.SetText(m.Label + " takes no files: pick a mode that does (Ctrl+2 to Ctrl+6), then drop it again.")
		return
	}
	s.active.Drop(pos, paths)
}

// Shortcuts: Ctrl+Enter generates, Ctrl+1…6 switch mode, Ctrl+Q quits.
func (s *Shell) registerShortcuts(c fyne.Canvas) {
	for _, sc := range s.shortcuts() {
		c.AddShortcut(sc, func(sc fyne.Shortcut) { s.onShortcut(sc) })
	}
}

func (s *Shell) shortcuts() []*desktop.CustomShortcut {
	mod := fyne.KeyModifierShortcutDefault
	list := []*desktop.CustomShortcut{
		{KeyName: fyne.KeyReturn, Modifier: mod},
		{KeyName: fyne.KeyEnter, Modifier: mod},
		{KeyName: fyne.KeyQ, Modifier: mod},
	}
	for i := range s.modes {
		list = append(list, &desktop.CustomShortcut{KeyName: modeKey(i), Modifier: mod})
	}
	return list
}

func modeKey(i int) fyne.KeyName { return fyne.KeyName(itoa(i + 1)) }

// onShortcut runs a window shortcut and reports whether it was one.
func (s *Shell) onShortcut(sc fyne.Shortcut) bool {
	cs, ok := sc.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch cs.KeyName {
	case fyne.KeyReturn, fyne.KeyEnter:
		s.Generate()
		return true
	case fyne.KeyQ:
		if s.deps.OnQuit != nil {
			s.deps.OnQuit()
		}
		return true
	}
	for i, m := range s.modes {
		if cs.KeyName == modeKey(i) {
			s.SelectMode(m.ID)
			return true
		}
	}
	return false
}

// firstReason says why Generate is off: the first field's problem (in the
// order a person meets the fields: media, then workflows.FieldOrder), and
// which other fields have one ("(also Duration, Seed)"), so a person knows
// where to look without hunting for red notes.
func firstReason(m workflows.Mode, errs map[workflows.Field]string) string {
	order := workflows.FieldOrder()
	keys := make([]workflows.Field, 0, len(m.Slots)+len(order))
	slotNames := map[workflows.Field]string{}
	for _, sl := range m.Slots {
		k := workflows.MediaField(sl.ID)
		keys = append(keys, k)
		slotNames[k] = sl.Label
	}
	keys = append(keys, order...)
	name := func(k workflows.Field) string {
		if n := slotNames[k]; n != "" {
			return n
		}
		return k.Label()
	}
	var unknown []workflows.Field // a field the order above does not know (none today)
	for k := range errs {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	var found []workflows.Field
	for _, k := range append(keys, unknown...) {
		if _, ok := errs[k]; ok {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		return "Check the form."
	}
	others := make([]string, 0, len(found)-1)
	for _, k := range found[1:] {
		others = append(others, name(k))
	}
	return name(found[0]) + ": " + errs[found[0]] + also(others)
}

func also(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (also " + strings.Join(names, ", ") + ")"
}

// LoadForm switches to the form's mode and fills it in (re-run, history).
func (s *Shell) LoadForm(f workflows.Form) {
	s.SelectMode(f.Mode)
	if form := s.Form(f.Mode); form != nil {
		form.Load(f)
	}
	s.onFormChange()
}

package modeform

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Config is what a form needs from its surroundings.
type Config struct {
	Probe    Prober                                            // checks dropped and chosen files
	PickFile func(kind workflows.MediaKind, done func(string)) // opens a file dialog; done gets "" on cancel
	Go       func(func())                                      // runs background work (probes)
	Shortcut ShortcutFunc                                      // window shortcuts typed inside an entry
	OnChange func()                                            // the Result changed
}

// Rows whose note gathers two fields' problems (width and height, seconds
// and fps); every other row's note is keyed by its one field.
const (
	rowSize     workflows.Field = "size"
	rowDuration workflows.Field = "duration"
)

// Form is one mode's form.
type Form struct {
	mode workflows.Mode
	cfg  Config
	ctx  context.Context
	res  Result

	prompt, negative, width, height, seconds, fps, seed *entry
	random, enhance                                     *widget.Check
	preset, precision                                   *widget.RadioGroup
	camera                                              *widget.Select
	strength                                            *widget.Slider
	sizeText, framesText, weightsText                   *widget.RichText
	presetText                                          *presetBlock
	strengthText                                        *canvas.Text
	usedSeed                                            *widget.Label
	enhanced                                            *widget.RichText // the last run's enhanced prompt
	useEnhanced                                         *widget.Button
	slots                                               []*slot
	notes                                               map[workflows.Field]*note
	media                                               map[string]Media

	weights workflows.Weights // the settings' release (SetWeights)

	content fyne.CanvasObject
	built   bool
}

// New builds the form for mode m, filled with workflows.DefaultForm. ctx
// bounds the file probes it starts.
func New(ctx context.Context, m workflows.Mode, cfg Config) *Form {
	f := &Form{mode: m, cfg: cfg, ctx: ctx, notes: map[workflows.Field]*note{}, media: map[string]Media{}}
	if f.cfg.Go == nil {
		f.cfg.Go = func(fn func()) { go fn() }
	}
	f.build(InputFrom(workflows.DefaultForm(m.ID)))
	f.built = true
	f.update()
	return f
}

// Content is the form's canvas object (put it in a scroll container).
func (f *Form) Content() fyne.CanvasObject { return f.content }

// Mode is the form's mode.
func (f *Form) Mode() workflows.Mode { return f.mode }

// Result is the current form value and its problems.
func (f *Form) Result() Result { return f.res }

// SetUsedSeed shows the seed a finished run really used.
func (f *Form) SetUsedSeed(seed int64) {
	f.usedSeed.SetText(fmt.Sprintf("Last run used seed %d", seed))
	f.usedSeed.Importance = widget.MediumImportance
	f.usedSeed.Show()
	f.relayout()
}

// SetEnhancedPrompt shows what Gemma made of the prompt in the last run
// (hidden when the run was not enhanced), with a button that takes it as the
// prompt to edit further.
func (f *Form) SetEnhancedPrompt(text string) {
	if text == "" {
		f.enhanced.Hide()
		f.useEnhanced.Hide()
	} else {
		setDim(f.enhanced, "Enhanced prompt of the last run: "+text)
		f.enhanced.Show()
		f.useEnhanced.Show()
	}
	f.relayout()
}

// EnhancedText is the enhanced prompt on show ("" when none).
func (f *Form) EnhancedText() string {
	if !f.enhanced.Visible() {
		return ""
	}
	return strings.TrimPrefix(f.enhanced.String(), "Enhanced prompt of the last run: ")
}

// relayout lays the form out again after a line appeared or went. The GL
// driver would also catch it on the next frame; this keeps the software
// canvas (tests, captures) right too. Not called per keystroke.
func (f *Form) relayout() {
	if f.built {
		f.content.Refresh()
	}
}

// FocusPrompt puts the cursor in the prompt.
func (f *Form) FocusPrompt(c fyne.Canvas) { c.Focus(f.prompt) }

// field stacks a field's widgets with its note under them.
func (f *Form) field(key workflows.Field, objs ...fyne.CanvasObject) *fyne.Container {
	n := newNote()
	f.notes[key] = n
	n.relayout = f.relayout
	return container.NewVBox(append(objs, n.box)...)
}

func (f *Form) newEntry(multi bool, text, placeholder string) *entry {
	e := newEntry(multi, f.cfg.Shortcut)
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.update() }
	return e
}

func (f *Form) build(in Input) {
	f.prompt = f.newEntry(true, in.Prompt, "Describe the shot: subject, action, setting, light, sound…")
	f.prompt.SetMinRowsVisible(4)
	f.negative = f.newEntry(true, in.Negative, "What to avoid")
	f.negative.SetMinRowsVisible(3) // two rows cut the third line of a typical negative prompt
	f.width = f.newEntry(false, in.Width, "width")
	f.height = f.newEntry(false, in.Height, "height")
	f.seconds = f.newEntry(false, in.Seconds, "seconds")
	f.fps = f.newEntry(false, in.FPS, "fps")
	f.seed = f.newEntry(false, in.Seed, "a new random seed each run")
	f.random = widget.NewCheck("Random", func(on bool) {
		if on {
			f.seed.Disable()
		} else {
			f.seed.Enable()
		}
		f.update()
	})
	f.random.SetChecked(in.RandomSeed)
	// Gemma rewrites the prompt first, as the official templates do; the
	// rewrite is shown with the result and kept in the sidecar.
	f.enhance = widget.NewCheck("Enhance prompt (Gemma rewrites it before generating)", func(bool) { f.update() })
	f.enhance.SetChecked(in.Enhance)
	f.weights = in.Weights
	f.enhanced = dim("")
	f.enhanced.Hide()
	f.useEnhanced = widget.NewButton("Use it as the prompt", func() {
		f.prompt.SetText(f.EnhancedText())
		f.enhance.SetChecked(false) // it is enhanced already
	})
	f.useEnhanced.Importance = widget.LowImportance
	f.useEnhanced.Hide()
	// The line is there from the start (a hint until the first run) so that
	// "Last run used seed …" appearing does not push the form down.
	f.usedSeed = widget.NewLabel("History keeps each video's seed")
	f.usedSeed.Importance = widget.LowImportance
	f.usedSeed.Wrapping = fyne.TextWrapWord // never widens the form column (nor the window)
	f.buildChoices(in)
	f.sizeText, f.framesText, f.weightsText = dim(""), dim(""), dim("")

	rows := []fyne.CanvasObject{
		label("Prompt"), f.field(workflows.FieldPrompt, f.prompt, f.enhance, f.enhanced, container.NewHBox(f.useEnhanced)),
		label("Size"), f.field(rowSize, container.NewGridWithColumns(2, suffixed(f.width, "W"), suffixed(f.height, "H")), f.sizeText),
		label("Duration"), f.field(rowDuration, container.NewGridWithColumns(2, suffixed(f.seconds, "s"), suffixed(f.fps, "fps")), f.framesText),
		label("Seed"), f.field(workflows.FieldSeed, container.NewBorder(nil, nil, nil, f.random, f.seed), f.usedSeed),
		label("Preset"), f.field(workflows.FieldPreset, f.preset, f.presetText.box, f.weightsText),
	}
	// Style transfer keeps the source video's motion: a camera move would
	// only be a prompt the source contradicts, so the form does not ask.
	camera := f.field(workflows.FieldCamera, f.camera, container.NewBorder(nil, nil, container.NewCenter(unit("Strength")), container.NewCenter(f.strengthText), f.strength))
	if f.mode.ID != workflows.Style {
		rows = append(rows, label("Camera"), camera)
	}
	advanced := container.New(layout.NewFormLayout(),
		label("Negative"), f.field(workflows.FieldNegative, f.negative),
		label("Precision"), f.field(workflows.FieldPrecision, f.precision, dim("fp8 fits 24–32 GB cards; bf16 needs 48 GB or more")),
	)
	acc := widget.NewAccordion(widget.NewAccordionItem("Advanced", advanced))

	title := widget.NewLabelWithStyle(f.mode.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	top := []fyne.CanvasObject{title, dim(f.mode.Description)}
	if len(f.mode.Slots) > 0 {
		// Cards in one grid row and their notes in the next: grid cells are
		// one height, so cards side by side match even when one has a
		// longer hint or a note the other lacks.
		cards := make([]fyne.CanvasObject, 0, len(f.mode.Slots))
		notes := make([]fyne.CanvasObject, 0, len(f.mode.Slots))
		for _, def := range f.mode.Slots {
			s := f.newSlot(def)
			f.slots = append(f.slots, s)
			cards = append(cards, s.card)
			notes = append(notes, container.NewStack(s.note.box)) // keeps its column while the note hides
		}
		top = append(top, container.NewGridWithColumns(len(cards), cards...),
			container.NewGridWithColumns(len(notes), notes...))
	}
	body := append(top, container.New(layout.NewFormLayout(), rows...), acc)
	// Extra room on the right keeps the scroll bar off the fields.
	f.content = container.New(layout.NewCustomPaddedLayout(8, 8, 8, 18), container.NewVBox(body...))
}

func (f *Form) buildChoices(in Input) {
	presets := workflows.Presets()
	labels := make([]string, len(presets))
	for i, p := range presets {
		labels[i] = p.Label
	}
	f.presetText = newPresetBlock(f.relayout)
	f.preset = widget.NewRadioGroup(labels, func(string) { f.update() })
	f.preset.Horizontal = true
	f.preset.Required = true
	for _, p := range presets {
		if p.ID == in.Preset {
			f.preset.SetSelected(p.Label)
		}
	}

	cams := workflows.Cameras()
	camLabels := make([]string, len(cams))
	for i, c := range cams {
		camLabels[i] = c.Label
	}
	f.camera = widget.NewSelect(camLabels, func(string) { f.update() })
	for _, c := range cams {
		if c.ID == in.Camera {
			f.camera.SetSelected(c.Label)
		}
	}
	f.strengthText = unit("1.00")
	f.strength = widget.NewSlider(0, workflows.MaxCamStrength)
	f.strength.Step = 0.05
	f.strength.SetValue(in.CameraStrength)
	f.strength.OnChanged = func(float64) { f.update() }
	if f.mode.SourceCamera { // the source video sets the camera (see update's note)
		f.camera.Disable()
		f.strength.Disable()
	}

	f.precision = widget.NewRadioGroup([]string{string(workflows.FP8), string(workflows.BF16)}, func(string) { f.update() })
	f.precision.Horizontal = true
	f.precision.Required = true
	f.precision.SetSelected(string(in.Precision))
}

// input reads the widgets.
func (f *Form) input() Input {
	in := Input{
		Prompt: f.prompt.Text, Negative: f.negative.Text,
		Width: f.width.Text, Height: f.height.Text,
		Seconds: f.seconds.Text, FPS: f.fps.Text, Seed: f.seed.Text,
		RandomSeed: f.random.Checked, CameraStrength: f.strength.Value,
		Precision: workflows.Precision(f.precision.Selected), Media: f.media,
		Enhance: f.enhance.Checked, Weights: f.weights,
	}
	for _, p := range workflows.Presets() {
		if p.Label == f.preset.Selected {
			in.Preset = p.ID
		}
	}
	for _, c := range workflows.Cameras() {
		if c.Label == f.camera.Selected {
			in.Camera = c.ID
		}
	}
	return in
}

// update recomputes the Result and every note; it runs after each edit.
func (f *Form) update() {
	if !f.built { // widgets fire OnChanged while they are being set up
		return
	}
	in := f.input()
	f.res = Evaluate(f.mode, in)
	e := f.res.Errors
	f.notes[workflows.FieldPrompt].set(e[workflows.FieldPrompt], kindFor(strings.TrimSpace(in.Prompt) == ""))
	f.notes[rowSize].set(join(e[workflows.FieldWidth], e[workflows.FieldHeight]), noteError)
	f.notes[rowDuration].set(join(e[workflows.FieldSeconds], e[workflows.FieldFPS]), noteError)
	for _, k := range []workflows.Field{workflows.FieldSeed, workflows.FieldPreset, workflows.FieldNegative, workflows.FieldPrecision} {
		f.notes[k].set(e[k], noteError)
	}
	if cam := join(e[workflows.FieldCamera], e[workflows.FieldCameraStrength]); cam == "" && f.mode.SourceCamera {
		f.notes[workflows.FieldCamera].set("The camera follows the source video.", noteHint)
	} else {
		f.notes[workflows.FieldCamera].set(cam, noteError)
	}
	for _, s := range f.slots {
		md := f.media[s.def.ID]
		s.note.set(e[workflows.MediaField(s.def.ID)], kindFor(md.Path == "" || md.Probing))
	}
	setDim(f.sizeText, f.res.SizeText(f.mode))
	setDim(f.weightsText, WeightsNote(f.weights))
	setDim(f.framesText, f.res.FramesText())
	if t := strconv.FormatFloat(f.strength.Value, 'f', 2, 64); t != f.strengthText.Text {
		f.strengthText.Text = t
		f.strengthText.Refresh()
	}
	for _, p := range workflows.Presets() {
		if p.ID == f.res.Form.Preset {
			f.presetText.set(p, f.mode.ID)
		}
	}
	if f.cfg.OnChange != nil {
		f.cfg.OnChange()
	}
}

// kindFor shows "fill this in" as a hint rather than an error.
func kindFor(empty bool) int {
	if empty {
		return noteHint
	}
	return noteError
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func label(s string) *widget.Label { return widget.NewLabel(s) }

func suffixed(e *entry, u string) fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, container.NewCenter(unit(u)), e)
}

// Package setup is the first-run flow: check the computer, choose modes and
// precision, then install ComfyUI and get the models at the same time (each
// with its own progress, pause and retry), done. The engine does
// the work; this package shows typed events the lead's adapter feeds it and
// forwards the person's choices through Actions. The same flow re-runs from
// Settings for "Repair" and "Update ComfyUI" (start it with GoTo).
package setup

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Step is a page of the flow.
type Step int

const (
	StepChecks Step = iota
	StepModels
	// StepWork shows the ComfyUI install and the model downloads side by
	// side: they run at the same time.
	StepWork
	StepReady
)

// StepInstall and StepDownload are the two halves of StepWork.
const (
	StepInstall  = StepWork
	StepDownload = StepWork
)

var stepNames = [...]string{"Checks", "Choose models", "Install & download", "Ready"}

func (s Step) String() string { return stepNames[s] }

// Verdict is a check's outcome.
type Verdict int

const (
	OK   Verdict = iota
	Warn         // works, but not well (old driver, little disk)
	Fail         // setup cannot go on until fixed
)

func (v Verdict) String() string { return [...]string{"ok", "warning", "problem"}[v] }

// State is an install step's state.
type State int

const (
	Pending State = iota
	Running
	Done
	Failed
	Skipped
)

func (s State) String() string {
	return [...]string{"pending", "running", "done", "failed", "skipped"}[s]
}

// Event is something the engine reports; feed it with Flow.Feed.
type Event interface{ isEvent() }

// CheckResult is one computer check. A later result with the same ID
// replaces the earlier one.
type CheckResult struct {
	ID      string // "gpu", "disk", "git", "python"
	Name    string // "NVIDIA GPU and driver"
	Verdict Verdict
	Detail  string // "RTX 4090, 24 GB, driver 580.159"
	Fix     string // what to do when not OK
}

// InstallStep is the state of one named install step; rows appear in the
// order names are first seen, so send every step as Pending up front.
type InstallStep struct {
	Name   string // "Clone ComfyUI 0.27.0"
	State  State
	Detail string // "12 of 40 packages"
}

// LogLine is one line of installer output.
type LogLine struct{ Text string }

// InstallDone ends the install; Err nil = success. A cancel is reported
// with an error wrapping context.Canceled.
type InstallDone struct{ Err error }

// FreeSpace is the free bytes where the models go.
type FreeSpace struct{ Bytes int64 }

// Selection preselects modes and precision on the models page (from saved
// settings, or to resume a download after a restart).
type Selection struct {
	Modes     []workflows.ModeID
	Precision workflows.Precision
}

// DownloadProgress is one file's progress; send it at most ~10×/s per file.
type DownloadProgress struct {
	File        string // display name, e.g. "ltx-2.3-22b-dev-fp8.safetensors"
	Done, Total int64  // bytes
	BytesPerSec float64
	ETA         time.Duration // this file's; 0 = unknown
	// Note says what happens to a file found on disk ("found on disk,
	// checking", "reused from disk (hardlink)", "not the expected file…").
	Note string
}

// FileLine is one file a selection needs, as the models page lists it.
type FileLine struct {
	Name    string
	Size    int64  // -1 = unknown
	State   string // "found on disk", "in the model cache", "to download", "cannot be fetched"
	Where   string // the path of a file found on disk, and where it came from
	Problem string
	Found   bool // reused instead of downloaded
}

// DownloadDone ends the download; Err nil = every file is present.
type DownloadDone struct{ Err error }

// GoTo shows a page without running anything, e.g. StepWork when resuming
// after a restart.
type GoTo struct{ Step Step }

func (CheckResult) isEvent()      {}
func (InstallStep) isEvent()      {}
func (LogLine) isEvent()          {}
func (InstallDone) isEvent()      {}
func (FreeSpace) isEvent()        {}
func (Selection) isEvent()        {}
func (DownloadProgress) isEvent() {}
func (DownloadDone) isEvent()     {}
func (GoTo) isEvent()             {}

// Actions are what the person's taps start; all run on the UI goroutine and
// must return quickly (start work on a goroutine, report back through Feed).
type Actions struct {
	RunChecks     func()
	Install       func()
	CancelInstall func()
	// FilesFor lists the files of a selection and the bytes that really
	// need downloading (found on disk and cached files count zero). Called
	// on every change of the models page: keep it quick.
	FilesFor func(modes []workflows.ModeID, p workflows.Precision) ([]FileLine, int64)
	// StartDownload starts (or retries) the models track; "Install and
	// download" calls Install and StartDownload together.
	StartDownload  func(c Choice)
	PauseDownload  func()
	ResumeDownload func()
	CancelDownload func()
	Finish         func() // "Start creating" on the last page
	// OnStep hears every page change (the window hides "Not now" on the
	// Ready page, where it would only undo a finished setup).
	OnStep func(Step)
}

// Choice is what the models page chose.
type Choice struct {
	Modes     []workflows.ModeID
	Precision workflows.Precision
	MoveFound bool // move found files on another drive into the cache
}

// Flow is the whole setup view. Build it with New.
type Flow struct {
	act   Actions
	step  Step
	steps []*widget.Label
	pages []fyne.CanvasObject
	root  *fyne.Container

	checks   *checksPage
	install  *installPage
	models   *modelsPage
	download *downloadPage

	installOK, modelsOK bool // each track's last outcome; both = Ready
}

// New builds the flow on the checks page.
func New(a Actions) *Flow {
	f := &Flow{act: a}
	f.checks = newChecksPage(f)
	f.install = newInstallPage(f)
	f.models = newModelsPage(f)
	f.download = newDownloadPage(f)
	work := container.NewHSplit(f.install.root, f.download.root)
	work.Offset = 0.5
	f.pages = []fyne.CanvasObject{f.checks.root, f.models.root, work, newReadyPage(f)}
	header := container.NewHBox()
	for i, n := range stepNames {
		if i > 0 {
			header.Add(widget.NewLabel("›"))
		}
		l := widget.NewLabel(n)
		f.steps = append(f.steps, l)
		header.Add(l)
	}
	f.root = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, container.NewStack(f.pages...))
	f.show(StepChecks)
	return f
}

// Content is the flow's root object.
func (f *Flow) Content() fyne.CanvasObject { return f.root }

// Feed applies an engine event. Safe from any goroutine.
func (f *Flow) Feed(ev Event) { fyne.Do(func() { f.apply(ev) }) }

// Step is the page shown (UI goroutine / tests).
func (f *Flow) Step() Step { return f.step }

func (f *Flow) apply(ev Event) {
	switch e := ev.(type) {
	case CheckResult:
		f.checks.set(e)
	case InstallStep:
		f.install.setStep(e)
	case LogLine:
		f.install.log(e.Text)
	case InstallDone:
		f.installOK = e.Err == nil
		f.install.done(e.Err)
		f.readyWhenBoth()
	case FreeSpace:
		f.models.setFree(e.Bytes)
	case Selection:
		f.models.setSelection(e.Modes, e.Precision)
	case DownloadProgress:
		f.download.progress(e)
	case DownloadDone:
		f.modelsOK = e.Err == nil
		f.download.done(e.Err)
		f.readyWhenBoth()
	case GoTo:
		f.show(e.Step)
	}
}

func (f *Flow) show(s Step) {
	f.step = s
	for i, p := range f.pages {
		if Step(i) == s {
			p.Show()
		} else {
			p.Hide()
		}
	}
	for i, l := range f.steps {
		l.TextStyle.Bold = Step(i) == s
		switch {
		case Step(i) == s:
			l.Importance = widget.HighImportance
		case Step(i) < s:
			l.Importance = widget.MediumImportance
		default:
			l.Importance = widget.LowImportance
		}
		l.Refresh()
	}
	f.root.Refresh()
	if f.act.OnStep != nil {
		f.act.OnStep(s)
	}
}

// begin starts both tracks for a choice (the models page's button).
func (f *Flow) begin(c Choice) {
	f.installOK, f.modelsOK = false, false
	f.install.reset()
	f.download.begin(c)
	f.show(StepWork)
	call(f.act.Install)
	if f.act.StartDownload != nil {
		f.act.StartDownload(c)
	}
}

// readyWhenBoth shows Ready once the install and the models both succeeded.
func (f *Flow) readyWhenBoth() {
	if f.installOK && f.modelsOK && f.step == StepWork {
		f.show(StepReady)
	}
}

// call runs an optional action.
func call(fn func()) {
	if fn != nil {
		fn()
	}
}

func newReadyPage(f *Flow) fyne.CanvasObject {
	start := widget.NewButton("Start creating", func() { call(f.act.Finish) })
	start.Importance = widget.HighImportance
	msg := widget.NewLabel("ComfyUI is installed and the models are on disk.\nEverything now runs on this computer, offline.")
	msg.Alignment = fyne.TextAlignCenter
	title := widget.NewLabelWithStyle("LTX 2.3 Studio is ready", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	return container.NewCenter(container.NewVBox(title, msg, container.NewCenter(start)))
}

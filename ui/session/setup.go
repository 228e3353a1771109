package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/setup"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func errMsg(what, do string) errorview.Message { return errorview.Message{What: what, Do: do} }

// setupRun is one showing of the first-run flow. The install and the
// models run as two tracks at once, each with its own cancel (pausing the
// downloads must not stop the install); when both succeeded the engine
// finishes setup and the flow shows Ready.
type setupRun struct {
	s    *Session
	flow *setup.Flow

	mu            sync.Mutex
	cancelInstall context.CancelFunc // the running install, nil when none
	cancelModels  context.CancelFunc // the running adopt + download, nil when none
	installOK     bool
	modelsOK      bool
	survey        studio.Survey
	choice        studio.SetupChoice
	planning      bool
	reused        map[string]string // file name → "reused from disk (hardlink)", kept on its row
	lastAdoptTick time.Time
	laterBtn      *widget.Button // "Not now"; UI goroutine only
}

// ShowSetup replaces the window's content with the first-run flow; "Start
// creating" puts the studio back and starts ComfyUI.
func (s *Session) ShowSetup() {
	r := &setupRun{s: s}
	r.flow = setup.New(setup.Actions{
		RunChecks:      func() { go r.checks() },
		Install:        r.startInstall,
		CancelInstall:  r.stopInstall,
		FilesFor:       r.filesFor,
		StartDownload:  r.startModels,
		PauseDownload:  r.stopModels,
		ResumeDownload: func() { r.startModels(r.flowChoice()) },
		CancelDownload: r.stopModels,
		Finish:         r.finish,
		OnStep: func(st setup.Step) {
			if r.laterBtn != nil { // UI goroutine, like every step change
				r.laterBtn.Hidden = st == setup.StepReady
				r.laterBtn.Refresh()
			}
		},
	})
	set := s.st.Settings()
	var modes []workflows.ModeID
	for _, m := range set.Modes {
		modes = append(modes, workflows.ModeID(m))
	}
	if len(modes) == 0 {
		modes = []workflows.ModeID{workflows.T2V, workflows.I2V}
	}
	r.choice = studio.SetupChoice{Modes: modes, Precision: workflows.Precision(set.Precision)}
	r.flow.Feed(setup.Selection{Modes: modes, Precision: workflows.Precision(set.Precision)})
	fyne.Do(func() {
		if s.win == nil {
			return
		}
		// "Not now" (or Esc) lets a person look around first; the header then
		// says how to come back, and Settings → Repair reopens this flow.
		later := widget.NewButton("Not now", r.later)
		later.Importance = widget.LowImportance
		later.Hidden = r.flow.Step() == setup.StepReady
		r.laterBtn = later
		top := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Set up LTX 2.3 Studio", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), later)
		s.win.SetContent(container.NewPadded(container.NewBorder(top, nil, nil, nil, r.flow.Content())))
		s.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
			if k.Name == fyne.KeyEscape {
				r.later()
			}
		})
	})
	resume := s.st.SetupStarted()
	go func() {
		_ = s.st.Stop(s.ctx) // a repair must not run under a live ComfyUI
		if resume {
			// Closed during the install or the downloads: carry on with the
			// same choice, both tracks where they stopped.
			r.flow.Feed(setup.GoTo{Step: setup.StepWork})
			r.startInstall()
			r.startModels(setup.Choice{Modes: r.choice.Modes, Precision: r.choice.Precision})
		}
		r.checks()
		go r.plan()
	}()
}

// flowChoice is the choice the models track last ran with.
func (r *setupRun) flowChoice() setup.Choice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return setup.Choice{Modes: r.choice.Modes, Precision: r.choice.Precision, MoveFound: r.choice.AllowMove}
}

func (r *setupRun) checks() {
	for _, c := range r.s.st.Checks(r.s.ctx) {
		r.flow.Feed(setup.CheckResult{ID: c.ID, Name: c.Name, Verdict: setup.Verdict(c.Verdict), Detail: c.Detail, Fix: c.Fix})
	}
}

// plan sizes every registry file once (one HEAD each) and looks for the
// files on disk, so the models page can list and add up any selection
// without waiting.
func (r *setupRun) plan() {
	r.mu.Lock()
	if r.planning {
		r.mu.Unlock()
		return
	}
	r.planning = true
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.s.ctx, time.Minute)
	defer cancel()
	sv, err := r.s.st.SurveyModels(ctx)
	r.mu.Lock()
	r.planning = false
	if err == nil {
		r.survey = sv
	}
	r.mu.Unlock()
	if err != nil {
		r.s.log.Warn("planning downloads", "err", err)
		return
	}
	r.flow.Feed(setup.FreeSpace{Bytes: int64(sv.FreeBytes)})
}

// filesFor must be quick: it reads what plan learnt.
func (r *setupRun) filesFor(modes []workflows.ModeID, p workflows.Precision) ([]setup.FileLine, int64) {
	r.mu.Lock()
	sv := r.survey
	r.mu.Unlock()
	if sv.Files == nil {
		return nil, 0
	}
	files, need := sv.For(modes, p)
	out := make([]setup.FileLine, len(files))
	for i, f := range files {
		out[i] = setup.FileLine{Name: f.Ref.Name, Size: f.Size, State: string(f.State), Problem: f.Problem, Found: f.State == studio.FoundOnDisk}
		if f.FoundAt != "" {
			out[i].Where = f.FoundAt + " (" + f.From + ")"
		}
	}
	return out, need
}

// startInstall runs the install track unless it is already running.
func (r *setupRun) startInstall() {
	r.mu.Lock()
	if r.cancelInstall != nil {
		r.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(r.s.ctx)
	r.cancelInstall, r.installOK = cancel, false
	r.mu.Unlock()
	go func() {
		err := r.s.st.InstallComfyUI(ctx, r.feedInstall)
		cancel()
		r.mu.Lock()
		r.cancelInstall, r.installOK = nil, err == nil
		r.mu.Unlock()
		if err == nil {
			go r.plan() // the models folder moved with the new build
			err = r.finishIfBoth()
		}
		r.flow.Feed(setup.InstallDone{Err: err})
	}()
}

// startModels (re)starts the models track with a choice, stopping a
// running one first (a retry or resume with the same choice goes on from
// the parts on disk).
func (r *setupRun) startModels(c setup.Choice) {
	choice := studio.SetupChoice{Modes: c.Modes, Precision: c.Precision, AllowMove: c.MoveFound}
	if err := r.s.st.SaveSetupChoice(choice); err != nil {
		r.flow.Feed(setup.DownloadDone{Err: err})
		return
	}
	r.stopModels()
	ctx, cancel := context.WithCancel(r.s.ctx)
	r.mu.Lock()
	r.cancelModels, r.modelsOK, r.choice = cancel, false, choice
	r.mu.Unlock()
	go func() {
		err := r.s.st.GetModels(ctx, choice, studio.SetupReport{Adopt: r.feedAdopt, Models: r.feedModels()})
		if errors.Is(err, context.Canceled) {
			return // paused or cancelled: the parts stay on disk for the next try
		}
		cancel()
		r.mu.Lock()
		r.cancelModels, r.modelsOK = nil, err == nil
		r.mu.Unlock()
		if err == nil {
			err = r.finishIfBoth()
		}
		r.flow.Feed(setup.DownloadDone{Err: err})
	}()
}

// finishIfBoth finishes setup in the engine (link, mark done) when both
// tracks succeeded; the flow shows Ready once both Done events are clean.
func (r *setupRun) finishIfBoth() error {
	r.mu.Lock()
	both, c := r.installOK && r.modelsOK, r.choice
	r.mu.Unlock()
	if !both {
		return nil
	}
	return r.s.st.FinishSetup(c)
}

func (r *setupRun) stopInstall() {
	r.mu.Lock()
	if r.cancelInstall != nil {
		r.cancelInstall()
	}
	r.mu.Unlock()
}

func (r *setupRun) stopModels() {
	r.mu.Lock()
	if r.cancelModels != nil {
		r.cancelModels()
		r.cancelModels = nil
	}
	r.mu.Unlock()
}

// stop cancels both tracks (leaving setup); what they did stays.
func (r *setupRun) stop() {
	r.stopInstall()
	r.stopModels()
}

func (r *setupRun) feedInstall(ev install.Event) {
	name := ev.Title
	if name == "" {
		name = ev.Step
	}
	if strings.HasPrefix(ev.Message, name) {
		ev.Message = "" // "Install PyTorch done" says nothing the tick does not
	}
	switch ev.Kind {
	case install.StepStarted:
		r.flow.Feed(setup.InstallStep{Name: name, State: setup.Running, Detail: ev.Message})
	case install.StepDone:
		r.flow.Feed(setup.InstallStep{Name: name, State: setup.Done, Detail: ev.Message})
	case install.StepSkipped:
		r.flow.Feed(setup.InstallStep{Name: name, State: setup.Skipped, Detail: ev.Message})
	case install.Failed:
		r.flow.Feed(setup.InstallStep{Name: name, State: setup.Failed, Detail: ev.Message})
	case install.Output:
		r.flow.Feed(setup.LogLine{Text: ev.Line})
	case install.Warning:
		r.flow.Feed(setup.LogLine{Text: "warning: " + ev.Message})
	}
}

// feedModels thins byte ticks to ~10/s; phase changes always show.
func (r *setupRun) feedModels() func(models.Progress) {
	var mu sync.Mutex
	var last time.Time
	return func(p models.Progress) {
		if p.File.Name == "" {
			return // the link report at the end
		}
		mu.Lock()
		if p.Phase == models.PhaseDownloading && time.Since(last) < 100*time.Millisecond {
			mu.Unlock()
			return
		}
		last = time.Now()
		mu.Unlock()
		r.mu.Lock()
		note := r.reused[p.File.Name]
		r.mu.Unlock()
		r.flow.Feed(setup.DownloadProgress{File: p.File.Name, Done: p.Done, Total: p.Total, BytesPerSec: p.Rate, ETA: p.ETA, Note: note})
	}
}

// feedAdopt shows a file found on disk being checked (hashing ticks thinned
// to ~10/s), reused or refused.
func (r *setupRun) feedAdopt(e studio.AdoptEvent) {
	if e.Err == nil && e.Method == "" {
		r.mu.Lock()
		due := time.Since(r.lastAdoptTick) >= 100*time.Millisecond
		if due {
			r.lastAdoptTick = time.Now()
		}
		r.mu.Unlock()
		if !due {
			return
		}
	}
	ev := setup.DownloadProgress{File: e.Ref.Name, Done: e.Done, Total: e.Total, Note: "found on disk, checking"}
	switch {
	case e.Err != nil:
		// The engine logs why (size, checksum); the row says what happens.
		ev.Note = "found on disk, but not the expected file: downloading it"
	case e.Method != "":
		ev.Note = "reused from disk (" + string(e.Method) + ")"
		r.mu.Lock()
		if r.reused == nil {
			r.reused = map[string]string{}
		}
		r.reused[e.Ref.Name] = ev.Note
		r.mu.Unlock()
	}
	r.flow.Feed(ev)
}

// finish goes back to the studio and starts ComfyUI.
func (r *setupRun) finish() {
	r.close()
	if r.s.shell != nil {
		r.s.shell.SetSetup(nil)
	}
	r.s.usePrecision(r.s.st.Settings())
	go r.s.startBackend()
}

// later leaves setup unfinished: whatever was installed or downloaded stays
// (and resumes next time).
func (r *setupRun) later() {
	r.close()
	s := r.s
	if s.st.Installed() && s.st.Settings().SetupDone {
		go s.startBackend()
		return
	}
	if s.shell != nil {
		s.shell.SetBackendStatus("ComfyUI is not set up yet", false)
		s.shell.SetSetup(s.ShowSetup) // the header's way back, besides Settings → Repair
	}
}

// close puts the studio back in the window. UI goroutine.
func (r *setupRun) close() {
	r.stop()
	s := r.s
	if s.win != nil && s.shell != nil {
		s.win.Canvas().SetOnTypedKey(nil)
		s.win.SetContent(s.shell.Content())
	}
}

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

// setupRun is one showing of the first-run flow.
type setupRun struct {
	s    *Session
	flow *setup.Flow

	mu       sync.Mutex
	cancel   context.CancelFunc // the running install or download
	sizes    map[models.Ref]int64
	modes    []workflows.ModeID
	prec     workflows.Precision
	planning bool
	laterBtn *widget.Button // "Not now"; UI goroutine only
}

// ShowSetup replaces the window's content with the first-run flow; "Start
// creating" puts the studio back and starts ComfyUI.
func (s *Session) ShowSetup() {
	r := &setupRun{s: s, sizes: map[models.Ref]int64{}}
	r.flow = setup.New(setup.Actions{
		RunChecks:      func() { go r.checks() },
		Install:        func() { r.start(r.install) },
		CancelInstall:  r.stop,
		SizeFor:        r.sizeFor,
		StartDownload:  func(m []workflows.ModeID, p workflows.Precision) { r.select_(m, p); r.start(r.download) },
		PauseDownload:  r.stop,
		ResumeDownload: func() { r.start(r.download) },
		CancelDownload: r.stop,
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
	r.select_(modes, workflows.Precision(set.Precision))
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
	go func() {
		_ = s.st.Stop(s.ctx) // a repair must not run under a live ComfyUI
		r.checks()
		go r.plan()
		// Installed but never finished (the app was closed during the
		// downloads): go straight back to the models, where Download resumes
		// the partial files.
		if s.st.Installed() && !s.st.Settings().SetupDone {
			r.flow.Feed(setup.GoTo{Step: setup.StepModels})
		}
	}()
}

func (r *setupRun) select_(m []workflows.ModeID, p workflows.Precision) {
	r.mu.Lock()
	r.modes, r.prec = m, p
	r.mu.Unlock()
}

func (r *setupRun) checks() {
	for _, c := range r.s.st.Checks(r.s.ctx) {
		r.flow.Feed(setup.CheckResult{ID: c.ID, Name: c.Name, Verdict: setup.Verdict(c.Verdict), Detail: c.Detail, Fix: c.Fix})
	}
}

// plan learns every registry file's missing bytes once (one HEAD each), so
// the models page can add sizes up without waiting.
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
	p, err := r.s.st.Plan(ctx, models.LTX23().Refs())
	r.mu.Lock()
	r.planning = false
	if err == nil {
		for _, f := range p.Files {
			r.sizes[f.Ref()] = f.Missing
		}
	}
	r.mu.Unlock()
	if err == nil {
		r.flow.Feed(setup.FreeSpace{Bytes: int64(p.FreeBytes)})
	} else {
		r.s.log.Warn("planning downloads", "err", err)
	}
}

// sizeFor must be quick: it adds up what plan learnt.
func (r *setupRun) sizeFor(modes []workflows.ModeID, p workflows.Precision) int64 {
	refs, err := studio.RefsFor(modes, p)
	if err != nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, ref := range refs {
		n += r.sizes[ref]
	}
	return n
}

// start runs one long step, remembering how to cancel it.
func (r *setupRun) start(step func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(r.s.ctx)
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.cancel = cancel
	r.mu.Unlock()
	go step(ctx)
}

func (r *setupRun) stop() {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	r.mu.Unlock()
}

var stepTitles = []string{"Check tools", "Get ComfyUI", "Custom nodes", "Python environment", "PyTorch", "ComfyUI requirements", "Node requirements", "Self-test", "Switch to the new install"}

func (r *setupRun) install(ctx context.Context) {
	evs := make(chan install.Event, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range evs {
			r.feedInstall(ev)
		}
	}()
	err := r.s.st.Install(ctx, evs)
	close(evs)
	<-done
	if err == nil {
		go r.plan() // the models folder moved with the new build
	}
	r.flow.Feed(setup.InstallDone{Err: err})
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

func (r *setupRun) download(ctx context.Context) {
	r.mu.Lock()
	modes, prec := r.modes, r.prec
	r.mu.Unlock()
	refs, err := studio.RefsFor(modes, prec)
	if err == nil {
		var last time.Time
		err = r.s.st.Download(ctx, refs, func(p models.Progress) {
			// Byte ticks are thinned to ~10/s; phase changes always show.
			if p.Phase == models.PhaseDownloading && time.Since(last) < 100*time.Millisecond {
				return
			}
			last = time.Now()
			r.flow.Feed(setup.DownloadProgress{File: p.File.Name, Done: p.Done, Total: p.Total, BytesPerSec: p.Rate, ETA: p.ETA})
		})
	}
	if errors.Is(err, context.Canceled) {
		return // paused or cancelled: the parts stay on disk for the next try
	}
	if err == nil {
		err = r.s.st.MarkSetupDone(modes, prec)
	}
	r.flow.Feed(setup.DownloadDone{Err: err})
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

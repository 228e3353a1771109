// Package session connects one window to the engine: it turns engine events
// (backend state, job progress, downloads) into view updates and view taps
// into engine calls. Views stay dumb; the engine stays UI-free; this is the
// one place where the two meet.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/historyview"
	"github.com/ltxstudio/ltx-studio/ui/meter"
	"github.com/ltxstudio/ltx-studio/ui/player"
	"github.com/ltxstudio/ltx-studio/ui/progress"
	"github.com/ltxstudio/ltx-studio/ui/queueview"
	"github.com/ltxstudio/ltx-studio/ui/settingsview"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Session is one window's connection to the engine.
type Session struct {
	ctx     context.Context
	st      *studio.Studio
	app     fyne.App
	win     fyne.Window
	shell   *ui.Shell
	log     *slog.Logger
	samples *SampleTap
	// followers are the goroutines New and Begin start; they end with ctx.
	followers sync.WaitGroup

	tabs     *container.AppTabs
	result   *fyne.Container // progress, result card or error
	prog     *progress.Panel
	errv     *errorview.View
	queue    *queueview.View
	hist     *historyview.View
	settings *settingsview.View
	logs     *widget.Entry

	ffmpeg, ffprobe, ffplay string

	mu      sync.Mutex
	current string // job ID the result tab follows
	curDone bool   // the current job has finished: the next job to run takes the result tab

	logsUnload  *widget.Button // the Logs tab's Unload, on only while ComfyUI is ready
	lastBackend string         // the backend state last shown in the header (under mu)
	player      *player.Player
	focused     bool
	started     map[string]time.Time
	percent     map[string]float64 // latest progress per job, for the queue's bars
	unsubJob    func()
}

// Options are what New needs besides the engine and the window.
type Options struct {
	App   fyne.App
	Win   fyne.Window
	Shell *ui.Shell
	Log   *slog.Logger
	// Samples is the meter's sampler tap; nil skips the fit check.
	Samples *SampleTap
}

// New builds the output area (Result · Queue · History · Settings · Logs),
// puts it into the shell, and follows the engine. Call Begin once the window
// is up to show setup or start ComfyUI.
func New(ctx context.Context, st *studio.Studio, o Options) *Session {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Session{ctx: ctx, st: st, app: o.App, win: o.Win, shell: o.Shell, log: o.Log, samples: o.Samples, focused: true, started: map[string]time.Time{}, percent: map[string]float64{}}
	s.ffmpeg, s.ffprobe, _ = media.FindFFmpeg(s.venvBinDirs()...)
	if s.ffmpeg != "" {
		s.ffplay = media.FindFFplay(s.ffmpeg)
	}
	s.build()
	s.usePrecision(st.Settings())
	if o.App != nil {
		o.App.Lifecycle().SetOnEnteredForeground(func() { s.setFocused(true) })
		o.App.Lifecycle().SetOnExitedForeground(func() { s.setFocused(false) })
	}
	s.followers.Go(s.followBackend)
	s.followers.Go(s.followComfyVRAM)
	return s
}

// followComfyVRAM feeds the meter ComfyUI's own share of the GPU (what torch
// holds, from /api/system_stats) every two seconds, so the sparkline can tell
// ComfyUI's memory from other programs'.
func (s *Session) followComfyVRAM() {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if s.st.Jobs() == nil || s.shell == nil {
			continue
		}
		// One share per ComfyUI (one per GPU with several), for the
		// meter's per-GPU bars.
		ctx, cancel := context.WithTimeout(s.ctx, time.Second)
		shares := s.st.ComfyVRAM(ctx)
		cancel()
		if len(shares) == 0 {
			continue
		}
		owners := make([]meter.Owner, len(shares))
		for i, sh := range shares {
			owners[i] = meter.Owner{GPU: sh.GPU, Name: sh.Backend, MiB: sh.Bytes >> 20}
		}
		fyne.Do(func() { s.shell.Meter().SetOwners(owners) })
	}
}

// venvBinDirs are where the managed install may hold an ffmpeg (imageio-ffmpeg).
func (s *Session) venvBinDirs() []string {
	root := filepath.Join(s.st.Dirs().Data, "comfyui", "builds")
	m, _ := filepath.Glob(filepath.Join(root, "*", "venv", "lib", "python3*", "site-packages", "imageio_ffmpeg", "binaries"))
	return m
}

func (s *Session) build() {
	s.prog = progress.New(s.cancelCurrent)
	s.errv = errorview.New(errorview.Message{})
	idle := widget.NewLabel("Your video appears here.\nPress Generate (Ctrl+Enter) to make one.")
	idle.Alignment = fyne.TextAlignCenter
	s.result = container.NewStack(container.NewCenter(idle))
	s.queue = queueview.New(queueview.Actions{
		MoveUp:   func(id string) { s.move(id, -1) },
		MoveDown: func(id string) { s.move(id, 1) },
		Cancel:   func(id string) { s.cancel(id) },
	})
	s.hist = historyview.New(s.loadHistory, historyview.Actions{
		Play:         func(it historyview.Item) { s.showVideo(it.Path, it.Seed, it.Took, it.Sidecar) },
		Open:         func(it historyview.Item) { s.openFolder(it.Path) },
		Rerun:        func(it historyview.Item) { s.rerun(it.Sidecar, 0) },
		LoadSettings: func(it historyview.Item) { s.loadSettings(it.Sidecar) },
		Delete:       s.deleteHistory,
	}, s.win)
	s.settings = settingsview.New(s.st.SettingsStore(), settingsview.Options{
		OnSaved:       s.settingsSaved,
		Repair:        func() { s.st.RequestRepair(); s.ShowSetup() },
		UpdateComfyUI: func() { s.ShowSetup() },
		RollBack:      s.rollBack,
		CanRollBack: func() bool {
			st, err := s.st.Backend().Installer().Status()
			return err == nil && st.Previous != nil
		},
		Window:    s.win,
		GPUsFound: gpusFound(s.st.GPUs()),
	})
	s.logs = widget.NewMultiLineEntry()
	s.logs.TextStyle = fyne.TextStyle{Monospace: true}
	s.logs.Wrapping = fyne.TextWrapOff
	refresh := widget.NewButton("Refresh", s.refreshLogs)
	unload := widget.NewButton("Unload models", s.unload)
	unload.Disable() // until ComfyUI is ready: before that it holds no models
	s.logsUnload = unload
	logsTab := container.NewBorder(container.NewHBox(widget.NewLabelWithStyle("ComfyUI log", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), refresh, unload), nil, nil, nil, s.logs)

	s.tabs = container.NewAppTabs(
		container.NewTabItem("Result", s.result),
		container.NewTabItem("Queue", s.queue.Content()),
		container.NewTabItem("History", s.hist.Content()),
		container.NewTabItem("Settings", s.settings.Content()), // the view scrolls itself
		container.NewTabItem("Logs", logsTab),
	)
	s.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Text {
		case "History":
			go s.hist.Reload()
		case "Logs":
			s.refreshLogs()
		case "Settings":
			s.settings.ReloadUnlessEdited()
		}
	}
	if s.shell != nil {
		s.shell.SetOutput(s.tabs)
	}
}

// Begin shows the first-run setup when needed, else starts ComfyUI.
func (s *Session) Begin() {
	if s.st.NeedsSetup() {
		s.ShowSetup()
		return
	}
	s.followers.Go(s.startBackend)
}

func (s *Session) setFocused(on bool) {
	s.mu.Lock()
	s.focused = on
	s.mu.Unlock()
}

// startBackend starts ComfyUI and follows the job engine it brings.
func (s *Session) startBackend() {
	// While a terminal `generate` owns the data folder the header says so and
	// the window starts as soon as it is done.
	if err := s.st.StartWhenFree(s.ctx); err != nil {
		if s.ctx.Err() != nil {
			return // the window is closing
		}
		s.log.Error("starting ComfyUI", "err", err)
		s.showError("ComfyUI did not start", err, "Open the Logs tab for its last lines; Settings → Repair reinstalls it.")
		return
	}
	s.followJobs()
}

// followBackend mirrors the backend's state into the header. The backend
// object changes when settings change, so it re-subscribes each time.
func (s *Session) followBackend() {
	for s.ctx.Err() == nil {
		b := s.st.Backend()
		ch, unsub := b.Subscribe()
		s.showBackend(b.State())
		changed := false
		for !changed {
			select {
			case <-s.ctx.Done():
				unsub()
				return
			case ev, ok := <-ch:
				if !ok {
					changed = true
					break
				}
				s.showBackend(ev)
			case <-time.After(time.Second):
				changed = s.st.Backend() != b
			}
		}
		unsub()
	}
}

func (s *Session) showBackend(ev status.Event) {
	text := "ComfyUI: " + ev.State.String()
	if ev.Message != "" {
		text = ev.Message
	}
	ok := ev.State == status.Ready
	key := fmt.Sprintf("%t %s", ok, text)
	s.mu.Lock()
	same := key == s.lastBackend
	s.mu.Unlock()
	if same { // the follower re-reads the state every second: repaint only on a change
		return
	}
	defer func() { // after the UI has it (tests wait on this)
		s.mu.Lock()
		s.lastBackend = key
		s.mu.Unlock()
	}()
	fyne.Do(func() {
		// Unload is offered only while a ComfyUI holds models.
		if ok {
			s.logsUnload.Enable()
		} else {
			s.logsUnload.Disable()
		}
		if s.shell == nil {
			return
		}
		s.shell.SetBackendStatus(text, ok)
		if ok {
			s.shell.SetUnload(s.unload)
		} else {
			s.shell.SetUnload(nil)
		}
	})
}

// followJobs subscribes to the (current) job engine.
func (s *Session) followJobs() {
	eng := s.st.Jobs()
	if eng == nil {
		return
	}
	ch, unsub := eng.Subscribe()
	s.mu.Lock()
	if s.unsubJob != nil {
		s.unsubJob()
	}
	s.unsubJob = unsub
	s.mu.Unlock()
	s.refreshQueue()
	go func() {
		for {
			select {
			case <-s.ctx.Done():
				return
			case ev, ok := <-ch:
				if !ok {
					return
				}
				s.onJobEvent(ev)
			}
		}
	}()
}

func (s *Session) onJobEvent(ev jobs.Event) {
	switch e := ev.(type) {
	case jobs.Changed:
		s.refreshQueue()
		s.onJobChanged(e.Job)
	case jobs.Removed:
		s.refreshQueue()
	case jobs.ProgressUpdate:
		pct := e.Progress.Percent / 100
		s.mu.Lock()
		s.percent[e.ID] = pct
		s.mu.Unlock()
		s.queue.SetProgress(e.ID, pct)
		if s.isCurrent(e.ID) {
			s.prog.Update(withBackend(s.st.Jobs(), e.ID, progressUpdate(e.Progress)))
		}
	case jobs.PreviewFrame:
		if s.isCurrent(e.ID) {
			if img, err := decodeImage(e.Image); err == nil {
				s.prog.SetPreview(img)
			}
		}
	}
}

func (s *Session) isCurrent(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current == id
}

func (s *Session) onJobChanged(j jobs.Job) {
	s.mu.Lock()
	_, seen := s.started[j.ID]
	if j.State == jobs.Running && !seen {
		s.started[j.ID] = time.Now()
	}
	if j.State == jobs.Running && (s.current == "" || s.curDone) {
		// The result tab follows the job that runs: a job queued behind
		// another takes it over when it starts, not when it is queued (and
		// a job resumed from the persisted queue is followed too).
		s.current, s.curDone = j.ID, false
	}
	cur := s.current == j.ID
	if cur && j.State.Finished() {
		s.curDone = true
	}
	focused := s.focused
	s.mu.Unlock()
	if j.State == jobs.Running && !seen {
		s.mark(meter.JobStart)
		if cur {
			s.showProgress()
		}
	}
	if !j.State.Finished() {
		return
	}
	s.mu.Lock()
	delete(s.percent, j.ID)
	s.mu.Unlock()
	if seen {
		s.mark(meter.JobEnd)
	}
	if !focused {
		s.notify(j)
	}
	if !cur {
		return
	}
	switch j.State {
	case jobs.Done:
		s.showVideo(j.Output, j.Form.Seed, j.Took(), j.Sidecar)
		if s.shell != nil {
			fyne.Do(func() {
				if f := s.shell.Form(j.Form.Mode); f != nil {
					f.SetUsedSeed(j.Form.Seed)
					f.SetEnhancedPrompt(j.EnhancedPrompt)
				}
			})
		}
		go s.hist.Reload()
	case jobs.Failed:
		s.showMessage(errorview.Message{What: j.Error, Do: whatToDo(j), Details: failureDetails(j, s.st.LogsFor(j.Backend))})
	case jobs.Cancelled:
		s.showMessage(errorview.Message{What: "The job was cancelled.", Do: "Change the form and press Generate to try again.", Notice: true})
	}
}

// failureDetails is the raw side of a failure for "Show details". The job
// record keeps only the human sentence, so this adds what a bug report
// needs: the prompt ID, the note, and ComfyUI's last log lines (its
// traceback, when it raised one; empty for a remote server).
func failureDetails(j jobs.Job, logs []string) string {
	var b strings.Builder
	b.WriteString(j.Error)
	if j.PromptID != "" {
		b.WriteString("\nprompt " + j.PromptID)
	}
	if j.Note != "" {
		b.WriteString("\n" + j.Note)
	}
	if len(logs) > 0 {
		b.WriteString("\n\nComfyUI's last log lines:\n" + strings.Join(logs[max(0, len(logs)-40):], "\n"))
	}
	return b.String()
}

func whatToDo(j jobs.Job) string {
	if len(j.Fields) > 0 {
		return "Fix the marked field and press Generate again."
	}
	return "Check the Logs tab for ComfyUI's side, then try again."
}

func (s *Session) mark(k meter.MarkKind) {
	if s.shell == nil {
		return
	}
	now := time.Now()
	fyne.Do(func() { s.shell.Meter().AddMark(now, k) })
}

func (s *Session) notify(j jobs.Job) {
	if s.app == nil || !s.st.Settings().NotifyWhenDone {
		return
	}
	title, body := "Video ready", j.Form.Prompt
	if j.State != jobs.Done {
		title, body = "Job "+j.State.String(), j.Error
	}
	s.app.SendNotification(fyne.NewNotification("LTX 2.3 Studio: "+title, body))
}

// Generate is the shell's OnGenerate: check what the job needs, then queue it.
func (s *Session) Generate(f workflows.Form) {
	eng := s.st.Jobs()
	if eng == nil {
		s.showMessage(s.notRunning())
		return
	}
	go func() {
		queue := func() { s.checkFit(f, func() { s.submit(eng, f) }) }
		if m, ok := s.missing(f); ok {
			s.setCurrent("")
			s.showProgress()
			s.prog.ShowMissing(m, queue)
			return
		}
		queue()
	}()
}

// notRunning says why Generate cannot queue, and what will fix it: only a
// ComfyUI that is starting is worth waiting for.
func (s *Session) notRunning() errorview.Message {
	switch {
	case s.st.NeedsSetup():
		return errorview.Message{What: "ComfyUI is not installed yet, so nothing can generate.",
			Do: "Press \"Finish setup\" in the header to install it and download the models."}
	case s.st.Backend().State().State == status.Starting || s.st.Backend().State().State == status.Installing:
		return errorview.Message{What: "ComfyUI is still starting.", Do: "Press Generate again when the header says it is ready.", Notice: true}
	}
	return errorview.Message{What: "ComfyUI is not running.",
		Do: "Open the Logs tab to see why it stopped; Settings → Repair checks this computer and reinstalls it."}
}

// missing asks the model store what this form's graph lacks (quietly false
// when that cannot be known: the job then downloads what it needs itself).
func (s *Session) missing(f workflows.Form) (progress.Missing, bool) {
	refs, err := studio.FormRefs(f)
	if err != nil {
		return progress.Missing{}, false
	}
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	p, err := s.st.Plan(ctx, refs)
	if err != nil || p.Complete() {
		return progress.Missing{}, false
	}
	n := 0
	for _, fs := range p.Files {
		if !fs.Present {
			n++
		}
	}
	return progress.Missing{Files: n, Bytes: p.MissingBytes}, true
}

func (s *Session) submit(eng *jobs.Engine, f workflows.Form) {
	j, err := eng.Submit(f)
	if err != nil {
		s.showError("The job could not be queued", err, "Fix the form and try again.")
		return
	}
	if !s.takeResultTab(j.ID) { // the result tab stays on the running job; the queue shows this one
		return
	}
	s.prog.Reset()
	s.prog.Update(progress.Update{Stage: "Queued"})
	s.showProgress()
}

// takeResultTab makes a newly queued job the one the Result tab follows,
// unless another job is still on it (running or waiting to): that one keeps
// the tab, and this one takes it when it starts running (onJobChanged).
func (s *Session) takeResultTab(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != "" && s.current != id && !s.curDone {
		return false
	}
	s.current, s.curDone = id, false
	return true
}

func (s *Session) setCurrent(id string) {
	s.mu.Lock()
	s.current, s.curDone = id, false
	s.mu.Unlock()
}

func (s *Session) cancelCurrent() {
	s.mu.Lock()
	id := s.current
	s.mu.Unlock()
	if id != "" {
		s.cancel(id)
	}
}

func (s *Session) cancel(id string) {
	eng := s.st.Jobs()
	if eng == nil {
		return
	}
	go func() {
		if err := eng.Cancel(s.ctx, id); err != nil && !errors.Is(err, jobs.ErrNotFound) {
			s.showError("Cancel failed", err, "The job may have finished already.")
		}
	}()
}

func (s *Session) move(id string, delta int) {
	if eng := s.st.Jobs(); eng != nil {
		if err := eng.Move(id, delta); err != nil {
			s.log.Warn("reorder", "err", err)
		}
	}
}

func (s *Session) refreshQueue() {
	eng := s.st.Jobs()
	if eng == nil {
		return
	}
	var rows []queueview.Job
	s.mu.Lock()
	percent := maps.Clone(s.percent)
	s.mu.Unlock()
	for _, j := range eng.Jobs() {
		var st queueview.State
		switch j.State {
		case jobs.Pending:
			st = queueview.Pending
		case jobs.Running:
			st = queueview.Running
		default:
			continue
		}
		rows = append(rows, queueview.Job{ID: j.ID, Mode: j.Form.Mode, Prompt: j.Form.Prompt, State: st, Note: j.Note, Progress: percent[j.ID], On: j.Backend})
	}
	fyne.Do(func() { s.queue.Set(rows) })
}

// showProgress puts the progress panel in the Result tab and shows the tab.
func (s *Session) showProgress() {
	fyne.Do(func() {
		s.closePlayer()
		s.result.Objects = []fyne.CanvasObject{s.prog.Content()}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
	})
}

func (s *Session) showMessage(m errorview.Message) {
	s.errv.Set(m)
	fyne.Do(func() {
		s.closePlayer()
		s.result.Objects = []fyne.CanvasObject{container.NewPadded(s.errv.Content())}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
	})
}

func (s *Session) showError(what string, err error, do string) {
	s.showMessage(errorview.Message{What: what + ": " + jobs.Human(err), Do: do, Details: err.Error()})
}

// closePlayer stops the shown video (kills its ffmpeg). UI goroutine.
func (s *Session) closePlayer() {
	s.mu.Lock()
	p := s.player
	s.player = nil
	s.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// showVideo plays a finished video in the Result tab with its actions.
func (s *Session) showVideo(path string, seed int64, took time.Duration, sidecar string) {
	var open player.Opener
	if s.ffmpeg != "" {
		open = func() (player.Frames, error) {
			d, err := media.Open(s.ctx, s.ffmpeg, path, media.Options{MaxW: 960, MaxH: 540, FFprobe: s.ffprobe})
			if err != nil {
				return nil, err
			}
			return d.Owned(), nil
		}
	}
	fyne.Do(func() {
		s.closePlayer()
		p := player.New(path, open)
		if s.ffplay != "" {
			p.Audio = &ffplayAudio{bin: s.ffplay, file: path}
		}
		p.OpenURL = func(u *url.URL) error { s.openWithDesktop(u.Path, "videos"); return nil }
		go func() { // the length for the player's clock and bar
			ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
			defer cancel()
			if info, err := media.Probe(ctx, path); err == nil && info.Duration > 0 {
				fyne.Do(func() { p.SetLength(info.Duration) })
			}
		}()
		card := player.NewResultCard(player.Result{Path: path, Seed: seed, Took: took}, p, player.Actions{
			OpenFolder:     func() { s.openFolder(path) },
			Rerun:          func() { s.rerun(sidecar, 0) },
			RerunNextSeed:  func() { s.rerun(sidecar, 1) },
			LoadSettings:   func() { s.loadSettings(sidecar) },
			ExportWorkflow: func() { s.exportWorkflow(sidecar) },
			PlaySystem:     func() { s.openWithDesktop(path, "videos") },
		})
		s.mu.Lock()
		s.player = p
		s.mu.Unlock()
		s.result.Objects = []fyne.CanvasObject{card.Content()}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
		if open != nil {
			p.Play()
		}
	})
}

func (s *Session) openFolder(path string) { s.openWithDesktop(filepath.Dir(path), "folders") }

func (s *Session) refreshLogs() {
	lines := s.st.Backend().Logs()
	if len(lines) > 500 {
		lines = lines[len(lines)-500:]
	}
	text := strings.Join(lines, "\n")
	if text == "" {
		text = "ComfyUI has not written anything yet."
	}
	fyne.Do(func() { s.logs.SetText(text); s.logs.CursorRow = len(lines) })
}

func (s *Session) unload() {
	eng := s.st.Jobs()
	if eng == nil {
		s.showMessage(errorview.Message{What: "ComfyUI is not running, so it holds no models.", Notice: true})
		return
	}
	go func() {
		if err := eng.Unload(s.ctx); err != nil {
			s.showError("Unloading models failed", err, "ComfyUI may be busy; try again after the job.")
		}
	}()
}

// usePrecision gives the forms the model precision setup downloaded and
// Settings names. UI goroutine.
func (s *Session) usePrecision(set settings.Settings) {
	if s.shell != nil && set.Precision != "" {
		s.shell.SetPrecision(workflows.Precision(set.Precision))
	}
	if s.shell != nil {
		s.shell.SetWeights(workflows.Weights(set.ModelWeights()))
	}
}

func (s *Session) settingsSaved(set settings.Settings) {
	s.usePrecision(set)
	go func() {
		if err := s.st.ApplySettings(s.ctx, set); err != nil {
			s.showError("The new settings could not be applied", err, "Check them in the Settings tab.")
			return
		}
		if set.Offline {
			s.checkOffline(set)
		}
		fyne.Do(s.Begin) // Begin may build the setup flow: UI goroutine
	}()
}

// checkOffline says, as offline mode is saved, which model files the chosen
// modes still lack: offline, nothing can fetch them later.
func (s *Session) checkOffline(set settings.Settings) {
	var modes []workflows.ModeID
	for _, m := range set.Modes {
		modes = append(modes, workflows.ModeID(m))
	}
	refs, err := studio.RefsFor(modes, workflows.Precision(set.Precision), workflows.Weights(set.ModelWeights()))
	if err != nil || len(refs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	p, err := s.st.Plan(ctx, refs)
	if err != nil || p.Complete() {
		return
	}
	n := 0
	for _, f := range p.Files {
		if !f.Present {
			n++
		}
	}
	s.showMessage(errorview.Message{What: fmt.Sprintf("Offline mode is on, but %d model files your modes need are not on this computer.", n),
		Do: "Turn offline mode off in Settings to download them (or copy them into the model cache); generating needs them."})
}

func (s *Session) rollBack() {
	go func() {
		if _, err := s.st.Backend().Installer().Rollback(); err != nil {
			s.showMessage(errorview.Message{What: "Roll back failed: " + jobs.Human(err), Do: "Nothing was changed; the current install stays."})
			return
		}
		_ = s.st.Stop(s.ctx)
		s.startBackend()
	}()
}

// Shutdown stops what the window owns (the player's ffmpeg and ffplay) and
// unsubscribes; the caller then closes the engine. UI goroutine.
func (s *Session) Shutdown() {
	s.closePlayer()
	s.mu.Lock()
	if s.unsubJob != nil {
		s.unsubJob()
		s.unsubJob = nil
	}
	s.mu.Unlock()
}

// Close is Shutdown plus stopping the engine, for callers off the UI loop.
func (s *Session) Close() {
	fyne.DoAndWait(s.Shutdown)
	if err := s.st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping ComfyUI:", err)
	}
}

// waitFollowers waits for the goroutines New and Begin started, after ctx is
// done: a test's window is then touched by nothing once it returns.
func (s *Session) waitFollowers() { s.followers.Wait() }

// Package session connects one window to the engine: it turns engine events
// (backend state, job progress, downloads) into view updates and view taps
// into engine calls. Views stay dumb; the engine stays UI-free; this is the
// one place where the two meet.
package session

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/historyview"
	"github.com/ltxstudio/ltx-studio/ui/player"
	"github.com/ltxstudio/ltx-studio/ui/progress"
	"github.com/ltxstudio/ltx-studio/ui/queueview"
	"github.com/ltxstudio/ltx-studio/ui/settingsview"
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
	if o.Shell != nil {
		o.Shell.OnGenerate(s.Generate)
	}
	s.usePrecision(st.Settings())
	if o.App != nil {
		o.App.Lifecycle().SetOnEnteredForeground(func() { s.setFocused(true) })
		o.App.Lifecycle().SetOnExitedForeground(func() { s.setFocused(false) })
	}
	s.follow()
	s.followers.Go(s.followComfyVRAM)
	return s
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
	s.settings = settingsview.New(settingsStore{s.st}, settingsview.Options{
		OnSaved:       s.settingsSaved,
		Repair:        func() { s.st.RequestRepair(); s.ShowSetup() },
		UpdateComfyUI: func() { s.ShowSetup() },
		RollBack:      s.rollBack,
		CanRollBack:   s.st.CanRollBack,
		Window:        s.win,
		GPUsFound:     gpusFound(s.st.GPUs()),
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

// Leave is the window's first step of quitting: the header says ComfyUI is
// stopping, and the window's own processes end. UI goroutine.
func (s *Session) Leave() {
	if s.shell != nil {
		s.shell.SetBackendStatus("Stopping ComfyUI…", false)
	}
	s.Shutdown()
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

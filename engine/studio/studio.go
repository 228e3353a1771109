// Package studio is the engine's front door: it composes the settings, the
// managed (or user-given) ComfyUI, the model store, the job queue, the GPU
// sampler and the history into the one object the window and the CLI talk
// to. It holds no UI code; ui/ presents what it reports.
package studio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/history"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/internal/filelock"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Version is the app version written into every sidecar.
const Version = "0.1.0"

// Options configure Open. Zero values mean the real user's machine.
type Options struct {
	Dirs   appdirs.Dirs        // zero: appdirs.Default()
	Getenv func(string) string // zero: os.Getenv
	Log    *slog.Logger
	// Install adjusts the installer's configuration (tests pin the stand-in
	// repo's commit here; the app leaves it nil).
	Install func(*install.Config)
	// Claim, when set, limits which pending jobs this process runs (the CLI
	// runs only what it submitted and leaves the rest for the window).
	Claim func(jobs.Job) bool
	// Offline keeps the model store off the network for this run (the CLI
	// sets it when the hub cannot be reached, to report the cache alone).
	Offline bool
	// Face words the fixes in messages for the window (default) or the
	// terminal.
	Face face.Face
	// CheckWait bounds each setup check (zero: 10 s; tests shorten it).
	CheckWait time.Duration
	// ListGPUs finds the GPUs at start (zero: gpu.List, NVML else
	// nvidia-smi; tests inject fake GPUs).
	ListGPUs func(context.Context) ([]gpu.Device, error)
	// RAM reads system memory for the fit check of a face without a meter
	// (zero: gpu.SystemRAM; tests inject a size).
	RAM gpu.RAMFunc
	// Server runs the jobs on a ComfyUI already running instead of the
	// settings' own (server.go).
	Server *Server
	// DeadAfter is how long a job's server may stay silent before the job
	// is re-queued (zero: the job engine's default).
	DeadAfter time.Duration
}

// Studio is one running app's engine. Create with Open, end with Close.
type Studio struct {
	dirs    appdirs.Dirs
	getenv  func(string) string
	log     *slog.Logger
	store   settings.Store
	install func(*install.Config)
	claim   func(jobs.Job) bool
	offline bool
	face    face.Face
	// checkWait bounds each setup check.
	checkWait time.Duration
	server    *Server
	deadAfter time.Duration
	ram       gpu.RAMFunc

	mu       sync.Mutex
	set      settings.Settings
	backend  *comfyui.Backend
	port     int // the managed ComfyUI's port for this run, so job URLs stay valid across restarts
	models   *models.Store
	modelsAt string // the ComfyUI base the store links into
	jobs     *jobs.Engine
	stopJobs context.CancelFunc
	jobsDone chan struct{}
	hub      eventHub       // the faces' events, across rebuilds (queue.go)
	owner    *filelock.Lock // held while this process owns the data folder (owner.go)

	stopPortWatch context.CancelFunc // ends followPort's watcher (port.go)
	repairNext    atomic.Bool        // setup's next install track is a repair (repair.go)

	gpus          []gpu.Device // found at Open
	listGPUs      func(context.Context) ([]gpu.Device, error)
	pool          []*poolMember      // one extra managed ComfyUI per further chosen GPU (pool.go)
	stopPoolWatch context.CancelFunc // ends followPoolPorts' watchers
}

// Open loads the settings and builds the pieces; it starts nothing.
// A damaged settings file is reported in the log and replaced by defaults
// rather than keeping the app from opening.
func Open(opt Options) (*Studio, error) {
	if opt.Dirs == (appdirs.Dirs{}) {
		opt.Dirs = appdirs.Default()
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if err := opt.Dirs.Ensure(); err != nil {
		return nil, fmt.Errorf("creating the app's folders: %w", err)
	}
	s := &Studio{dirs: opt.Dirs, getenv: opt.Getenv, log: opt.Log, store: settings.Store{Dir: opt.Dirs.Config}, install: opt.Install,
		claim: opt.Claim, offline: opt.Offline, face: opt.Face, checkWait: opt.CheckWait,
		server: opt.Server, deadAfter: opt.DeadAfter, ram: opt.RAM}
	if s.ram == nil {
		s.ram = gpu.SystemRAM
	}
	if s.checkWait <= 0 {
		s.checkWait = checkWait
	}
	set, err := s.store.Load()
	if err != nil {
		s.log.Warn("settings", "err", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("no free local port for ComfyUI: %w", err)
	}
	s.port = port
	s.findGPUs(opt.ListGPUs)
	s.apply(set)
	return s, nil
}

// Dirs are the app's folders.
func (s *Studio) Dirs() appdirs.Dirs { return s.dirs }

// SettingsStore is where the settings view loads and saves.
func (s *Studio) SettingsStore() settings.Store { return s.store }

// Settings returns the settings in force.
func (s *Studio) Settings() settings.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set
}

// Backend is the ComfyUI this app uses (managed, folder or remote).
func (s *Studio) Backend() *comfyui.Backend {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backend
}

// apply (re)builds what depends on the settings. The caller stops the old
// backend first when it was running.
func (s *Studio) apply(set settings.Settings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set = set
	packs := make([]install.Pack, len(workflows.CustomNodePacks))
	for i, p := range workflows.CustomNodePacks {
		packs[i] = install.Pack{Name: p.Name, URL: p.URL, Commit: p.Commit}
	}
	port := s.port
	chosen := ChooseGPUs(set, s.gpus)
	s.backend = comfyui.New(comfyui.Options{Dirs: s.dirs, Settings: set, Packs: packs, Getenv: s.getenv, Logger: s.log,
		Face: s.face, Install: s.install, Supervise: func(c *supervise.Config) { c.Port = port; pinPrimary(c, chosen) }})
	s.buildPoolLocked(set, chosen, func(port int, d gpu.Device) comfyui.Options {
		return comfyui.Options{Dirs: s.dirs, Settings: set, Packs: packs, Getenv: s.getenv, Logger: s.log,
			Face: s.face, Install: s.install, Supervise: s.memberSupervise(set, port, d)}
	})
	s.models, s.modelsAt = nil, ""
	s.hub.followBackend(s.backend)
}

// ApplySettings saves new settings and puts them in force (UseSettings).
func (s *Studio) ApplySettings(ctx context.Context, set settings.Settings) error {
	if err := s.SaveSettings(set); err != nil {
		return err
	}
	s.UseSettings(ctx, set)
	return nil
}

// SaveSettings writes the settings file. The studio is its one writer: the
// Settings tab and the CLI save through here. UseSettings then puts them in
// force.
func (s *Studio) SaveSettings(set settings.Settings) error { return s.store.Save(set) }

// SetToken saves the Hugging Face token (kept apart from the settings,
// never logged); the model store picks it up on its next use.
func (s *Studio) SetToken(tok string) error {
	if err := s.store.SetToken(tok); err != nil {
		return err
	}
	s.mu.Lock()
	s.models, s.modelsAt = nil, ""
	s.mu.Unlock()
	return nil
}

// UseSettings rebuilds the backend with saved settings, stopping the old
// ComfyUI (jobs re-queue themselves); the caller starts the new one when
// setup is done.
func (s *Studio) UseSettings(ctx context.Context, set settings.Settings) {
	s.stopFollowingPort()
	s.stopFollowingPool()
	s.stopJobEngine()
	if err := s.Backend().Stop(ctx); err != nil {
		s.log.Warn("stopping ComfyUI for new settings", "err", err)
	}
	if err := s.stopPool(ctx); err != nil {
		s.log.Warn("stopping ComfyUI for new settings", "err", err)
	}
	s.apply(set)
}

// Installed reports whether the ComfyUI the settings name is ready to start.
func (s *Studio) Installed() bool {
	if s.server != nil {
		return true
	}
	set := s.Settings()
	switch set.Backend {
	case settings.BackendManaged:
		_, err := s.Backend().Installer().Current()
		return err == nil
	case settings.BackendFolder:
		_, err := supervise.FolderConfig(set.FolderPath)
		return err == nil
	}
	return len(set.RemoteURLs) > 0
}

// NeedsSetup is true until the first-run flow finished (or when ComfyUI is gone).
func (s *Studio) NeedsSetup() bool { return !s.Settings().SetupDone || !s.Installed() }

// MarkSetupDone records that the first-run flow finished with these choices.
func (s *Studio) MarkSetupDone(modes []workflows.ModeID, p workflows.Precision) error {
	set := s.Settings()
	set.Weights = SetupWeights(set) // a new install starts on the latest release
	set.SetupDone, set.Precision, set.Modes = true, p, append([]workflows.ModeID(nil), modes...)
	if err := s.store.Save(set); err != nil {
		return err
	}
	s.mu.Lock()
	s.set = set
	s.mu.Unlock()
	return nil
}

// Install runs (or resumes) the managed ComfyUI install.
func (s *Studio) Install(ctx context.Context, events chan<- install.Event) error {
	s.stopJobEngine()
	return s.Backend().Install(ctx, events)
}

// Start starts (or connects to) ComfyUI, links the model files already in
// the cache into it (so its combos list them), and starts the job engine.
// Safe to call again after a stop.
//
// Only one process may run the data folder's ComfyUI and queue: when
// another one does, Start returns a *BusyError at once (see owner.go).
func (s *Studio) Start(ctx context.Context) error {
	if s.server != nil {
		return s.startOnServer(ctx)
	}
	if err := s.claimOwner(ctx); err != nil {
		return err
	}
	if s.comfyBase() != "" {
		if st, err := s.Models(); err == nil {
			// Files not downloaded yet are reported by Link and fetched by the
			// first job that needs them; that is not a start failure.
			if rep, err := st.Link(models.LTX23().Refs()); err != nil && len(rep.Results) == 0 {
				s.log.Debug("linking models", "err", err)
			}
		}
	}
	// The ComfyUIs of further GPUs start alongside the first one.
	poolUp := make(chan struct{})
	go func() { defer close(poolUp); s.startPool(ctx) }()
	if err := s.Backend().Start(ctx); err != nil {
		<-poolUp
		return err
	}
	<-poolUp
	s.followPort()
	return s.startJobEngine(ctx)
}

// Stop stops the job engine and ComfyUI (the whole process tree).
func (s *Studio) Stop(ctx context.Context) error {
	s.stopFollowingPort()
	s.stopFollowingPool()
	s.stopJobEngine()
	return errors.Join(s.Backend().Stop(ctx), s.stopPool(ctx))
}

// Close is Stop with a bounded wait: quitting the app must never leave a
// Python process behind, nor hang.
func (s *Studio) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	defer s.releaseOwner()
	defer s.hub.close()
	return s.Stop(ctx)
}

// History lists finished generations in the output folder.
func (s *Studio) History() ([]history.Entry, error) { return history.List(s.OutputDir()) }

// OutputDir is where videos and sidecars go.
func (s *Studio) OutputDir() string {
	if d := s.Settings().OutputDir; d != "" {
		return d
	}
	return s.dirs.Videos
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

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
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
	"github.com/ltxstudio/ltx-studio/models/hfcache"
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

	mu       sync.Mutex
	set      settings.Settings
	backend  *comfyui.Backend
	port     int // the managed ComfyUI's port for this run, so job URLs stay valid across restarts
	models   *models.Store
	modelsAt string // the ComfyUI base the store links into
	jobs     *jobs.Engine
	stopJobs context.CancelFunc
	jobsDone chan struct{}
	owner    *filelock.Lock // held while this process owns the data folder (owner.go)

	stopPortWatch context.CancelFunc // ends followPort's watcher (port.go)
	repairNext    atomic.Bool        // setup's next install track is a repair (repair.go)

	gpus          []gpu.Device       // found at Open
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
		claim: opt.Claim, offline: opt.Offline, face: opt.Face, checkWait: opt.CheckWait}
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
}

// ApplySettings saves new settings and rebuilds the backend with them,
// stopping the old ComfyUI (jobs re-queue themselves) and starting the new one
// when setup is done.
func (s *Studio) ApplySettings(ctx context.Context, set settings.Settings) error {
	if err := s.store.Save(set); err != nil {
		return err
	}
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
	return nil
}

// Installed reports whether the ComfyUI the settings name is ready to start.
func (s *Studio) Installed() bool {
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
	return s.Stop(ctx)
}

// comfyBase is where model files are linked for the ComfyUI in use ("" for a
// remote server: it has its own models).
func (s *Studio) comfyBase() string {
	set := s.Settings()
	switch set.Backend {
	case settings.BackendManaged:
		b, err := s.Backend().Installer().Current()
		if err != nil {
			return ""
		}
		return b.BaseDir()
	case settings.BackendFolder:
		c, err := supervise.FolderConfig(set.FolderPath)
		if err != nil {
			return ""
		}
		return c.BaseDir
	}
	return ""
}

// Models is the model store for the ComfyUI in use (rebuilt when an install
// or a settings change moves its models folder).
func (s *Studio) Models() (*models.Store, error) {
	base := s.comfyBase()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.models != nil && s.modelsAt == base {
		return s.models, nil
	}
	env := hfcache.FromEnv(s.getenv)
	if s.set.HFCache != "" {
		env.CacheDir = s.set.HFCache
	}
	if tok := s.store.Token(); tok != "" {
		env.Token = tok
	}
	env.Offline = env.Offline || s.set.Offline || s.offline
	s.models = models.New(models.Options{Env: env, LockPath: filepath.Join(s.dirs.Data, "models.lock.json"), ComfyUI: base, Logger: s.log})
	s.modelsAt = base
	return s.models, nil
}

// RefsFor lists the model files the given modes need at the Balanced preset
// (what setup downloads); other presets' extra files are fetched by the job
// that needs them.
// w optionally names the LTX-2.3 release (default: "" = 1.0).
func RefsFor(modes []workflows.ModeID, p workflows.Precision, w ...workflows.Weights) ([]models.Ref, error) {
	seen := map[models.Ref]bool{}
	var out []models.Ref
	for _, m := range modes {
		f := workflows.DefaultForm(m)
		f.Precision = p
		if len(w) > 0 {
			f.Weights = w[0]
		}
		refs, err := FormRefs(f)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// SetupWeights is the LTX-2.3 release a setup run downloads: the settings'
// choice, the latest for a new install, 1.0 for one that set up before the
// choice existed (it holds those files).
func SetupWeights(set settings.Settings) workflows.Weights {
	switch {
	case set.Weights != "":
		return workflows.Weights(set.Weights)
	case !set.SetupDone:
		return workflows.LatestWeights
	}
	return workflows.Weights10
}

// FormRefs lists the model files one form's graph loads. Media are not
// needed to know that, so missing media slots are filled with placeholders.
func FormRefs(f workflows.Form) ([]models.Ref, error) {
	mode, ok := workflows.Lookup(f.Mode)
	if !ok {
		return nil, fmt.Errorf("unknown mode %q", f.Mode)
	}
	names := map[string]string{}
	media := map[string]string{}
	for k, v := range f.Media {
		media[k] = v
	}
	for _, sl := range mode.Slots {
		if media[sl.ID] == "" {
			media[sl.ID] = "placeholder-" + sl.ID
		}
		names[sl.ID] = "placeholder-" + sl.ID + ".bin"
	}
	f.Media = media
	if f.Prompt == "" {
		f.Prompt = "placeholder"
	}
	p, err := workflows.Build(f, workflows.BuildOptions{MediaNames: names})
	if err != nil {
		return nil, err
	}
	out := make([]models.Ref, len(p.Models))
	for i, m := range p.Models {
		out[i] = models.Ref{Folder: m.Folder, Name: m.Name}
	}
	return out, nil
}

// Plan says what the given files need: present, missing bytes, free disk.
func (s *Studio) Plan(ctx context.Context, refs []models.Ref) (models.Plan, error) {
	st, err := s.Models()
	if err != nil {
		return models.Plan{}, err
	}
	return st.Plan(ctx, refs)
}

// Download fetches and links the files; cancel ctx to pause (it resumes).
func (s *Studio) Download(ctx context.Context, refs []models.Ref, progress func(models.Progress)) error {
	st, err := s.Models()
	if err != nil {
		return err
	}
	return st.Ensure(ctx, refs, progress)
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

// Jobs is the job engine, or nil while ComfyUI has not been started.
func (s *Studio) Jobs() *jobs.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs
}

// QueueDir holds the persisted queue (readable while the engine is down).
func (s *Studio) QueueDir() string { return filepath.Join(s.dirs.Data, "jobs") }

func (s *Studio) backends() []jobs.Backend {
	set := s.Settings()
	s.mu.Lock()
	port := s.port // followPort moves it when ComfyUI restarts elsewhere
	s.mu.Unlock()
	var out []jobs.Backend
	switch set.Backend {
	case settings.BackendManaged, settings.BackendFolder:
		b := jobs.Backend{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
		b.Name, b.GPU = primaryName(ChooseGPUs(set, s.gpus))
		if set.Backend == settings.BackendManaged {
			b.InputDir = filepath.Join(comfyui.Root(s.dirs, set), "input")
			if cur, err := s.Backend().Installer().Current(); err == nil {
				b.Commit = cur.ComfyCommit
			}
		} else if c, err := supervise.FolderConfig(set.FolderPath); err == nil {
			b.InputDir = c.InputDir
			if b.InputDir == "" {
				b.InputDir = filepath.Join(c.BaseDir, "input")
			}
		}
		out = append(out, b)
		if set.Backend == settings.BackendManaged {
			out = append(out, s.poolBackends(b)...)
		}
	}
	// Remote servers are extra workers for a local backend, or the only ones.
	for i, u := range set.RemoteURLs {
		out = append(out, jobs.Backend{Name: fmt.Sprintf("remote-%d %s", i+1, hostOf(u)), URL: strings.TrimRight(u, "/")})
	}
	return out
}

// hostOf names a remote server by host:port only: a password in the address
// must never reach a job record, a sidecar or the screen.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return "server"
}

type storeEnsurer struct{ s *Studio }

func (e storeEnsurer) Ensure(ctx context.Context, refs []jobs.ModelRef, progress func(jobs.ModelProgress)) error {
	if len(e.s.backends()) > 0 && e.s.Settings().Backend == settings.BackendRemote {
		return nil // a remote server has its own models; its validation names what is missing
	}
	mr := make([]models.Ref, len(refs))
	for i, r := range refs {
		mr[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	st, err := e.s.Models()
	if err != nil {
		return err
	}
	return st.Ensure(ctx, mr, func(p models.Progress) {
		if progress != nil {
			progress(jobs.ModelProgress{File: p.File.String(), Done: p.AllDone, Total: p.AllTotal})
		}
	})
}

// storeHasher gives the sidecar each model file's verified sha256 (the LFS
// etag pinned in the lock file), so provenance names exact weights.
type storeHasher struct{ s *Studio }

func (h storeHasher) SHA256(ctx context.Context, m jobs.ModelRef) (string, error) {
	st, err := h.s.Models()
	if err != nil {
		return "", err
	}
	return st.SHA256(ctx, models.Ref{Folder: m.Folder, Name: m.Name})
}

// queueOpenTries bounds how long the owner waits for the queue's lock: only
// short-lived helpers (`queue cancel`, a CLI probing the queue) hold it
// besides the owner, so a second or so is plenty; then it says why.
const (
	queueOpenTries = 20
	queueOpenPause = 100 * time.Millisecond
)

func (s *Studio) startJobEngine(ctx context.Context) error {
	s.mu.Lock()
	if s.jobs != nil {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	bs := s.backends()
	if len(bs) == 0 {
		if s.face == face.Terminal {
			return errors.New("no ComfyUI to run jobs on; pass --backend URL (or set LTX_STUDIO_COMFYUI_URL)")
		}
		return errors.New("no ComfyUI to run jobs on; set one in Settings → ComfyUI")
	}
	var eng *jobs.Engine
	var err error
	for try := 0; ; try++ {
		eng, err = jobs.New(jobs.Config{QueueDir: s.QueueDir(), OutputDir: s.OutputDir(), Builder: jobs.WorkflowsBuilder{},
			Models: storeEnsurer{s}, Hashes: storeHasher{s}, Backends: bs, AppVersion: Version, Logger: s.log, Claim: s.claim, Face: s.face, Need: EstimatePeak})
		if !errors.Is(err, jobs.ErrQueueBusy) || try >= queueOpenTries {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(queueOpenPause):
		}
	}
	if err != nil {
		return fmt.Errorf("opening the job queue: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("job engine", "err", err)
		}
	}()
	s.mu.Lock()
	s.jobs, s.stopJobs, s.jobsDone = eng, cancel, done
	s.mu.Unlock()
	return nil
}

func (s *Studio) stopJobEngine() {
	s.mu.Lock()
	eng, cancel, done := s.jobs, s.stopJobs, s.jobsDone
	s.jobs, s.stopJobs, s.jobsDone = nil, nil, nil
	s.mu.Unlock()
	if eng == nil {
		return
	}
	cancel()
	<-done
	eng.Close()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

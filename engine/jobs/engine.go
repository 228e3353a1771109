package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Config is everything the engine needs; Builder, Backends, QueueDir and
// OutputDir are required.
type Config struct {
	QueueDir   string // holds queue.json
	OutputDir  string // finished videos and sidecars (appdirs.Dirs.Videos)
	Builder    Builder
	Models     ModelEnsurer // optional
	Hashes     ModelHasher  // optional: sidecars then carry model sha256
	Backends   []Backend
	AppVersion string
	Logger     *slog.Logger
	HTTPClient *http.Client
	// DeadAfter is how long a backend may stay unreachable during a job
	// before the job is given up on that backend (default 20 s).
	DeadAfter time.Duration
	// MaxAttempts is how many times a job may be started (default 2: one
	// re-queue after a crash or a dead backend).
	MaxAttempts int
	// VRAMPoll is how often system_stats is sampled for peak VRAM while a job
	// runs (default 1 s; < 0 disables).
	VRAMPoll time.Duration
	// Claim, when set, limits which pending jobs this engine starts (the CLI
	// runs only the job it submitted and leaves the rest to the window).
	Claim func(Job) bool
	// Face words the fixes in job errors for the window (default) or the
	// terminal.
	Face face.Face
	// Need, when set, is a form's estimated peak GPU memory: jobs then go
	// only to a backend whose GPU has room for them (dispatch.go).
	Need func(workflows.Form) uint64
}

func (cfg *Config) defaults() {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.DeadAfter <= 0 {
		cfg.DeadAfter = 20 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 2
	}
	if cfg.VRAMPoll == 0 {
		cfg.VRAMPoll = time.Second
	}
}

// ErrNotFound is returned for an unknown job id.
var ErrNotFound = errors.New("no such job")

// Engine owns the queue. Create it with New, start the workers with Run.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex
	st    *store
	wake  chan struct{} // closed and replaced on every queue change
	live  map[string]*active
	subs  map[chan Event]struct{}
	clnts map[string]*comfyapi.Client
	rooms map[string]*room // per backend, for dispatch (dispatch.go)
	// release drops the queue lock file.
	release func()
}

// active is the in-memory side of a running job.
type active struct {
	cancel    context.CancelFunc
	cancelled bool
	client    *comfyapi.Client
	promptID  string
}

// New opens the persisted queue. Jobs that were running when the app last
// stopped are re-queued once, or failed with the reason.
func New(cfg Config) (*Engine, error) {
	if cfg.Builder == nil || len(cfg.Backends) == 0 || cfg.QueueDir == "" || cfg.OutputDir == "" {
		return nil, errors.New("jobs: Builder, Backends, QueueDir and OutputDir are required")
	}
	cfg.defaults()
	// Lock before reading: a queue read before another process's last save
	// would bring back (and re-run) jobs it had already finished.
	release, err := lockQueue(cfg.QueueDir)
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg.QueueDir)
	if err != nil {
		release()
		return nil, err
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, st: st, release: release, wake: make(chan struct{}), live: map[string]*active{},
		subs: map[chan Event]struct{}{}, clnts: map[string]*comfyapi.Client{}, rooms: map[string]*room{}}
	for _, b := range cfg.Backends {
		if e.clnts[b.Name] != nil {
			release()
			return nil, fmt.Errorf("jobs: two backends are named %q", b.Name)
		}
		e.clnts[b.Name] = comfyapi.New(b.URL, cfg.HTTPClient)
		e.rooms[b.Name] = &room{}
	}
	changed := false
	for _, j := range st.jobs {
		if j.State == Running {
			e.retryOrFail(j, "the app stopped while this video was being made")
			changed = true
		}
	}
	if changed {
		if err := st.save(); err != nil {
			release()
			return nil, err
		}
	}
	return e, nil
}

// Close releases the queue for other processes. Call it after Run returned.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.release != nil {
		e.release()
		e.release = nil
	}
}

// retryOrFail re-queues a job that was cut short, once; then fails it.
// Called with mu held (or before the engine is shared).
func (e *Engine) retryOrFail(j *Job, why string) {
	j.PromptID, j.Backend, j.BackendURL = "", "", ""
	if j.Attempts < e.cfg.MaxAttempts {
		j.State, j.Note = Pending, "re-queued: "+why
		return
	}
	j.State, j.Error, j.Finished = Failed, why+"; it was already retried, so it is marked failed", time.Now()
}

// Submit queues a form. A random seed is resolved now, so the record and the
// sidecar carry the seed really used.
func (e *Engine) Submit(form workflows.Form) (Job, error) {
	if _, ok := workflows.Lookup(form.Mode); !ok {
		return Job{}, workflows.FieldError{Field: workflows.FieldMode, Msg: fmt.Sprintf("unknown mode %q", form.Mode)}
	}
	if err := checkImages(form); err != nil {
		return Job{}, err
	}
	form = workflows.ResolveSeed(form, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	j := &Job{ID: uuid.NewString(), Form: form, State: Pending, Created: time.Now()}
	e.mu.Lock()
	e.st.jobs = append(e.st.jobs, j)
	err := e.st.save()
	if err != nil {
		e.st.remove(j.ID)
	}
	cp := *j
	e.changedLocked()
	e.mu.Unlock()
	if err != nil {
		return Job{}, fmt.Errorf("queue the job: %w", err)
	}
	e.emit(Changed{Job: cp})
	return cp, nil
}

// Jobs lists every stored job, oldest first (copies).
func (e *Engine) Jobs() []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Job, len(e.st.jobs))
	for i, j := range e.st.jobs {
		out[i] = *j
	}
	return out
}

// Job returns one job.
func (e *Engine) Job(id string) (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j := e.st.find(id); j != nil {
		return *j, true
	}
	return Job{}, false
}

// Cancel removes a pending job, or interrupts the running one (which then
// ends as Cancelled). Cancelling a finished job is a no-op.
func (e *Engine) Cancel(ctx context.Context, id string) error {
	e.mu.Lock()
	j := e.st.find(id)
	if j == nil {
		e.mu.Unlock()
		return fmt.Errorf("cancel %s: %w", id, ErrNotFound)
	}
	switch j.State {
	case Pending:
		e.st.remove(id)
		err := e.st.save()
		e.changedLocked()
		e.mu.Unlock()
		e.emit(Removed{ID: id})
		return err
	case Running:
		a := e.live[id]
		if a == nil {
			e.mu.Unlock()
			return nil
		}
		a.cancelled = true
		client, pid, stop := a.client, a.promptID, a.cancel
		e.mu.Unlock()
		// The attempt stops following at once and ends as Cancelled; the
		// server is told to interrupt the prompt if it runs and to drop it
		// if it still waits (no event would come for a dropped prompt).
		defer stop()
		if pid != "" {
			if err := client.Interrupt(ctx, pid); err != nil {
				return fmt.Errorf("cancel: %w", err)
			}
			_ = client.DeletePending(ctx, pid)
		}
		return nil
	}
	e.mu.Unlock()
	return nil
}

// Unload asks every reachable backend to unload its models (a user action;
// the engine never unloads between jobs).
func (e *Engine) Unload(ctx context.Context) error {
	var errs []error
	for _, b := range e.cfg.Backends {
		if err := e.clnts[b.Name].Free(ctx, true, true); err != nil {
			errs = append(errs, fmt.Errorf("unload models on %s: %w", b.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Stats reads a backend's system_stats (versions and VRAM for the meter).
func (e *Engine) Stats(ctx context.Context, backend string) (comfyapi.SystemStats, error) {
	c, ok := e.clnts[backend]
	if !ok {
		return comfyapi.SystemStats{}, fmt.Errorf("no backend named %q", backend)
	}
	return c.SystemStats(ctx)
}

// Subscribe returns a channel of events and a func to stop. A subscriber
// that falls 256 events behind loses progress events, never state: Jobs()
// is the source of truth.
func (e *Engine) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 256)
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		if _, ok := e.subs[ch]; ok {
			delete(e.subs, ch)
			close(ch)
		}
		e.mu.Unlock()
	}
}

func (e *Engine) emit(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ch := range e.subs {
		select {
		case ch <- ev:
		default:
			if _, ok := ev.(ProgressUpdate); !ok {
				e.log.Warn("jobs subscriber too slow, event dropped", "job", ev.JobID())
			}
		}
	}
}

func (e *Engine) changedLocked() {
	close(e.wake)
	e.wake = make(chan struct{})
}

// Run starts one worker per backend and returns when ctx ends and every
// worker has stopped. Jobs running at that moment stay Running on disk and
// are re-queued by the next New.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, b := range e.cfg.Backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.worker(ctx, b)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

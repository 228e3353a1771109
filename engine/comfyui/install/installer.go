package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// EventKind says what an Event reports.
type EventKind int

const (
	StepStarted EventKind = iota
	StepDone
	StepSkipped // finished in an earlier, interrupted run (resume)
	Output      // one line of a step's output (ANSI stripped)
	Warning     // something the user should know (CPU-only torch, old driver)
	Failed      // the step failed; Message says why and what to do
	Finished    // the install is current (Message says whether anything was done)
)

func (k EventKind) String() string {
	return [...]string{"started", "done", "skipped", "output", "warning", "failed", "finished"}[k]
}

// Event is typed install progress. Index/Total count steps (1-based).
type Event struct {
	Kind    EventKind
	Step    string
	Title   string
	Index   int
	Total   int
	Message string
	Line    string
	BuildID string
}

// Installer installs into Config.Root. One Run at a time per Root (a lock
// file keeps the window and the CLI from building at once).
type Installer struct {
	cfg Config
	mu  sync.Mutex
}

// New returns an installer; nothing happens until Run.
func New(cfg Config) *Installer { return &Installer{cfg: cfg.withDefaults()} }

// Status lists the current, previous (rollback) and pending (half-built) builds.
type Status struct {
	Current, Previous, Pending *Build
}

// Status reads the install records.
func (in *Installer) Status() (Status, error) {
	p, err := readPointer(in.cfg.Root)
	if err != nil {
		return Status{}, err
	}
	var st Status
	get := func(id string) *Build {
		if id == "" {
			return nil
		}
		b, err := loadBuild(in.cfg.Root, id)
		if err != nil {
			return nil
		}
		return &b
	}
	st.Current, st.Previous, st.Pending = get(p.Current), get(p.Previous), get(p.Pending)
	return st, nil
}

// ErrNotInstalled is Current with no finished install; the caller says
// how to install in the words of its face.
var ErrNotInstalled = errors.New("ComfyUI is not installed yet")

// Current is the build the supervisor should run.
func (in *Installer) Current() (Build, error) {
	st, err := in.Status()
	if err != nil {
		return Build{}, err
	}
	if st.Current == nil {
		return Build{}, ErrNotInstalled
	}
	return *st.Current, nil
}

// Rollback makes the previous build current again (and the current one the
// previous, so a second Rollback undoes the first). Stop ComfyUI first.
func (in *Installer) Rollback() (Build, error) {
	unlock, err := in.lock()
	if err != nil {
		return Build{}, err
	}
	defer unlock()
	p, err := readPointer(in.cfg.Root)
	if err != nil {
		return Build{}, err
	}
	if p.Previous == "" {
		return Build{}, errors.New("there is no earlier ComfyUI install to go back to")
	}
	prev, err := loadBuild(in.cfg.Root, p.Previous)
	if err != nil || !prev.Completed {
		return Build{}, fmt.Errorf("the earlier ComfyUI install (%s) is missing or incomplete; reinstall instead", p.Previous)
	}
	p.Current, p.Previous = p.Previous, p.Current
	if err := writePointer(in.cfg.Root, p); err != nil {
		return Build{}, fmt.Errorf("switching back to the earlier install: %w", err)
	}
	return prev, nil
}

type step struct {
	id, title string
	run       func(ctx context.Context, r *runner) error
}

// runner carries one Run's state.
type runner struct {
	in     *Installer
	cfg    Config
	py     Python
	torch  Torch
	build  *Build
	events chan<- Event
	log    *logs.RotatingFile
	step   string
	idx    int
	total  int
}

func (r *runner) emit(ctx context.Context, e Event) {
	e.Step, e.Index, e.Total = r.step, r.idx, r.total
	if r.build != nil {
		e.BuildID = r.build.ID
	}
	if r.log != nil {
		switch e.Kind {
		case Output:
			r.log.WriteLine(e.Line)
		default:
			r.log.WriteLine(fmt.Sprintf("== %s %s: %s", e.Kind, e.Step, e.Message))
		}
	}
	if r.events == nil {
		return
	}
	if ctx.Err() != nil { // the caller may have stopped reading; never block then
		select {
		case r.events <- e:
		default:
		}
		return
	}
	select {
	case r.events <- e:
	case <-ctx.Done():
	}
}

// Run brings the install to the wanted state. Events (optional) receive
// typed progress; the caller must keep reading until Run returns.
func (in *Installer) Run(ctx context.Context, events chan<- Event) error {
	return in.run(ctx, events, false)
}

// Repair is Run that does not trust a finished install: when the current
// build is the wanted one it is verified and exactly the failing steps are
// done again (see repair.go); otherwise it installs as Run does.
func (in *Installer) Repair(ctx context.Context, events chan<- Event) error {
	return in.run(ctx, events, true)
}

func (in *Installer) run(ctx context.Context, events chan<- Event, repair bool) error {
	unlock, err := in.lock()
	if err != nil {
		return err
	}
	defer unlock()
	cfg := in.cfg
	r := &runner{in: in, cfg: cfg, events: events, step: "preflight", total: 0}
	fp, err := r.preflight(ctx)
	if err != nil {
		return err
	}
	py, torch := r.py, r.torch

	p, err := readPointer(cfg.Root)
	if err != nil {
		return err
	}
	if cur, ok := r.currentMatches(p, fp); ok {
		if repair {
			r.build = &cur
			return r.repair(ctx)
		}
		if _, err := os.Stat(cur.PythonPath()); err == nil {
			r.build = &cur
			r.emit(ctx, Event{Kind: Finished, Message: "ComfyUI is already installed and up to date"})
			return nil
		}
	}
	if torch.Warning != "" {
		r.emit(ctx, Event{Kind: Warning, Message: torch.Warning})
	}

	// Resume the pending build when it is the same build; else start over.
	var b Build
	resumed := false
	if p.Pending != "" {
		old, err := loadBuild(cfg.Root, p.Pending)
		if err == nil && old.Fingerprint == fp && old.Torch == torch.Variant && old.PythonMode == string(py.Mode()) && !old.Completed {
			b, resumed = old, true
		} else if p.Pending != p.Current && p.Pending != p.Previous {
			os.RemoveAll(filepath.Join(cfg.Root, "builds", p.Pending))
		}
	}
	if !resumed {
		b = Build{ID: newID(cfg.Root, cfg.ComfyCommit), Fingerprint: fp, ComfyURL: cfg.ComfyURL, ComfyCommit: cfg.ComfyCommit,
			Packs: cfg.Packs, Torch: torch.Variant, Driver: torch.Driver, PythonMode: string(py.Mode()), Created: time.Now().UTC()}
		b.Dir = filepath.Join(cfg.Root, "builds", b.ID)
		if err := os.MkdirAll(b.Dir, 0o755); err != nil {
			return fmt.Errorf("creating the install folder %s: %w", b.Dir, err)
		}
		if err := b.save(); err != nil {
			return fmt.Errorf("writing the install record: %w", err)
		}
		p.Pending = b.ID
		if err := writePointer(cfg.Root, p); err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Join(cfg.Root, "current.json"), err)
		}
	}
	r.build = &b
	r.log = &logs.RotatingFile{Path: b.LogPath(), MaxBytes: 50 << 20}
	if err := r.log.Open(); err != nil {
		return err
	}
	defer r.log.Close()
	if resumed {
		r.emit(ctx, Event{Kind: Output, Line: fmt.Sprintf("resuming install %s (%d steps already done)", b.ID, len(b.Done))})
	}
	r.emit(ctx, Event{Kind: Output, Line: fmt.Sprintf("python: %s %s (%s), torch: %s, driver: %q", py.Exe, py.Version, py.Mode(), torch.Variant, torch.Driver)})

	steps := in.plan()
	r.total = len(steps)
	for i, s := range steps {
		r.step, r.idx = s.id, i+1
		if b.done(s.id) {
			r.emit(ctx, Event{Kind: StepSkipped, Title: s.title, Message: "already done"})
			continue
		}
		r.emit(ctx, Event{Kind: StepStarted, Title: s.title, Message: s.title})
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("install stopped before %q; run it again to continue: %w", s.title, err)
		}
		if err := s.run(ctx, r); err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("install stopped during %q; run it again to continue where it stopped: %w", s.title, ctx.Err())
			}
			r.emit(ctx, Event{Kind: Failed, Title: s.title, Message: err.Error()})
			return err
		}
		if s.id != "switch" {
			b.Done = append(b.Done, s.id)
			if err := b.save(); err != nil {
				return fmt.Errorf("recording progress: %w", err)
			}
		}
		r.emit(ctx, Event{Kind: StepDone, Title: s.title, Message: s.title + " done"})
	}
	r.step = "finished"
	r.emit(ctx, Event{Kind: Finished, Message: "ComfyUI " + shortCommit(b.ComfyCommit) + " is installed (build " + b.ID + ")"})
	return nil
}

// preflight finds git, Python and the driver's PyTorch build; it returns
// the fingerprint the wanted build has.
func (r *runner) preflight(ctx context.Context) (string, error) {
	cfg := r.cfg
	if _, err := cfg.LookPath("git"); err != nil {
		//lint:ignore ST1005 a sentence shown to the user as it is; Git is a name
		err := errors.New("Git is needed to install ComfyUI but was not found. Install it (Windows/macOS: https://git-scm.com/downloads; Linux: sudo apt install git), then try again")
		r.emit(ctx, Event{Kind: Failed, Message: err.Error()})
		return "", err
	}
	py, err := findPython(ctx, cfg)
	if err != nil {
		r.emit(ctx, Event{Kind: Failed, Message: err.Error()})
		return "", err
	}
	driver, err := cfg.DriverVersion(ctx)
	if err != nil {
		cfg.Logger.Warn("NVIDIA driver probe", "err", err)
	}
	r.py, r.torch = py, ChooseTorch(driver)
	return fingerprint(cfg), nil
}

// currentMatches returns the current build when it is complete and is the
// wanted one (same pins; not a CPU-only torch where a GPU can now be used).
func (r *runner) currentMatches(p pointer, fp string) (Build, bool) {
	if p.Current == "" {
		return Build{}, false
	}
	cur, err := loadBuild(r.cfg.Root, p.Current)
	if err != nil || !cur.Completed || cur.Fingerprint != fp || (cur.Torch == "cpu" && r.torch.GPU()) {
		return Build{}, false
	}
	return cur, true
}

func shortCommit(c string) string {
	if len(c) > 10 {
		return c[:10]
	}
	return c
}

func newID(root, commit string) string {
	base := time.Now().UTC().Format("20060102-150405") + "-" + shortCommit(commit)[:7]
	id := base
	for i := 2; ; i++ {
		if _, err := os.Stat(filepath.Join(root, "builds", id)); errors.Is(err, fs.ErrNotExist) {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

// lock makes Run and Rollback exclusive per Root, across processes. A lock
// left by a dead process is taken over.
func (in *Installer) lock() (func(), error) {
	in.mu.Lock()
	if err := os.MkdirAll(in.cfg.Root, 0o755); err != nil {
		in.mu.Unlock()
		return nil, fmt.Errorf("creating %s: %w", in.cfg.Root, err)
	}
	path := filepath.Join(in.cfg.Root, "install.lock")
	ct, _ := proc.CreateTime(context.Background(), os.Getpid())
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			proc.WritePidfile(path, proc.Pidfile{PID: os.Getpid(), CreateTime: ct})
			return func() { os.Remove(path); in.mu.Unlock() }, nil
		}
		if pf, ok := proc.ReadPidfile(path); ok && proc.Running(context.Background(), pf.PID, pf.CreateTime) {
			in.mu.Unlock()
			return nil, fmt.Errorf("another ComfyUI install is running (process %d); wait for it to finish", pf.PID)
		}
		os.Remove(path)
	}
	in.mu.Unlock()
	return nil, fmt.Errorf("could not lock %s", path)
}

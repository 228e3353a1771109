package studio

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/adopt"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// SetupChoice is what the person picked on "Choose models".
type SetupChoice struct {
	Modes     []workflows.ModeID
	Precision workflows.Precision
	// AllowMove lets setup move a found file into the model cache when a
	// hard link is impossible (another drive); else the cache links to it.
	AllowMove bool
}

// AdoptEvent says what became of one file found on disk.
type AdoptEvent struct {
	Ref    models.Ref
	Path   string
	Method adopt.Method // set when it was taken
	Err    error        // a mismatch (*adopt.MismatchError) or why it could not be taken
	// Done and Total are hashing progress while it is checked (Method and
	// Err still empty).
	Done, Total int64
}

// SetupReport receives both tracks' progress; each func is optional and is
// called from that track's goroutine.
type SetupReport struct {
	Install     func(install.Event)
	InstallDone func(error)
	Adopt       func(AdoptEvent)
	Models      func(models.Progress)
	ModelsDone  func(error)
}

// SetupResult is how each track ended.
type SetupResult struct {
	Install, Models error
}

// Err joins both tracks' errors, each named.
func (r SetupResult) Err() error {
	var errs []error
	if r.Install != nil {
		errs = append(errs, fmt.Errorf("installing ComfyUI: %w", r.Install))
	}
	if r.Models != nil {
		errs = append(errs, fmt.Errorf("getting the models: %w", r.Models))
	}
	return errors.Join(errs...)
}

// FirstRun is the first-run setup after "Choose models": the ComfyUI +
// venv + PyTorch install and the model files run at the same time, so a
// fresh machine is ready after the longer of the two, not their sum. Files
// found on disk are checked and adopted first (no byte fetched for them),
// the rest downloaded. Either track may finish first; one failing does not
// stop or undo the other; both resume where they stopped when FirstRun is
// called again (also after a restart: the choice is saved at once). When
// both succeed the files are linked into ComfyUI and setup is marked done.
func (s *Studio) FirstRun(ctx context.Context, c SetupChoice, rep SetupReport) SetupResult {
	var res SetupResult
	if err := s.SaveSetupChoice(c); err != nil {
		res.Models = err
		return res
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		res.Install = s.InstallComfyUI(ctx, rep.Install)
		if rep.InstallDone != nil {
			rep.InstallDone(res.Install)
		}
	}()
	go func() {
		defer wg.Done()
		res.Models = s.GetModels(ctx, c, rep)
		if rep.ModelsDone != nil {
			rep.ModelsDone(res.Models)
		}
	}()
	wg.Wait()
	if res.Install == nil && res.Models == nil {
		res.Models = s.FinishSetup(c)
	}
	return res
}

// FinishSetup ends a setup whose two tracks (InstallComfyUI, GetModels)
// both succeeded: the files are linked into the ComfyUI that is now
// current (the install may have ended after the downloads) and setup is
// marked done. The window runs the tracks itself (each has its own
// cancel) and calls this when both are through.
func (s *Studio) FinishSetup(c SetupChoice) error {
	refs, err := RefsFor(c.Modes, c.Precision, SetupWeights(s.Settings()))
	if err != nil {
		return err
	}
	if s.comfyBase() != "" {
		st, err := s.Models()
		if err != nil {
			return err
		}
		if _, err := st.Link(refs); err != nil {
			return fmt.Errorf("linking the models into ComfyUI: %w", err)
		}
	}
	return s.MarkSetupDone(c.Modes, c.Precision)
}

// SaveSetupChoice records the modes and precision before anything starts,
// so a restart resumes the same setup (SetupDone stays false until both
// tracks end; SetupStarted then says setup should resume by itself).
func (s *Studio) SaveSetupChoice(c SetupChoice) error {
	if len(c.Modes) == 0 {
		return errors.New("choose at least one mode")
	}
	set := s.Settings()
	set.Precision, set.Modes = c.Precision, append([]workflows.ModeID(nil), c.Modes...)
	if err := s.store.Save(set); err != nil {
		return err
	}
	s.mu.Lock()
	s.set = set
	s.mu.Unlock()
	return nil
}

// InstallComfyUI is setup's install track: it installs (or resumes, or
// confirms) the managed ComfyUI, or repairs it after RequestRepair; a
// folder or remote ComfyUI needs none.
func (s *Studio) InstallComfyUI(ctx context.Context, report func(install.Event)) error {
	if s.Settings().Backend != settings.BackendManaged {
		return nil
	}
	evs := make(chan install.Event, 64)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ev := range evs {
			if report != nil {
				report(ev)
			}
		}
	}()
	run := s.Install
	repair := s.repairNext.Load()
	if repair {
		run = s.Repair
	}
	err := run(ctx, evs)
	close(evs)
	<-drained
	if repair && err == nil {
		s.repairNext.Store(false)
	}
	return err
}

// GetModels is setup's models track: it adopts the chosen files found on
// disk, then downloads the rest into the Hugging Face cache (and links
// them, when ComfyUI is already installed). Cancel ctx to pause; calling
// it again resumes.
func (s *Studio) GetModels(ctx context.Context, c SetupChoice, rep SetupReport) error {
	refs, err := RefsFor(c.Modes, c.Precision, SetupWeights(s.Settings()))
	if err != nil {
		return err
	}
	st, err := s.Models()
	if err != nil {
		return err
	}
	s.adoptFound(ctx, st, refs, c.AllowMove, rep.Adopt)
	if err := ctx.Err(); err != nil {
		return err
	}
	return st.Ensure(ctx, refs, rep.Models)
}

// SetupStarted reports a setup that was started (a choice saved) but not
// finished: the window resumes it by itself after a restart.
func (s *Studio) SetupStarted() bool {
	set := s.Settings()
	return !set.SetupDone && len(set.Modes) > 0
}

// adoptFound takes every needed file found on disk into the cache after
// checking it. Its failures are reported and leave the file to the
// download; they are not setup errors.
func (s *Studio) adoptFound(ctx context.Context, st *models.Store, refs []models.Ref, allowMove bool, report func(AdoptEvent)) {
	if report == nil {
		report = func(AdoptEvent) {}
	}
	found, err := s.FindExisting(ctx)
	if err != nil {
		s.log.Warn("looking for model files on disk", "err", err)
		return
	}
	need := map[models.Ref]bool{}
	for _, r := range refs {
		need[r] = true
	}
	plan, err := st.Plan(ctx, refs)
	if err != nil {
		s.log.Warn("planning before adopting files found on disk", "err", err)
		return
	}
	for _, f := range plan.Files {
		if f.Present || (f.Size >= 0 && f.Missing == 0) {
			delete(need, f.Ref()) // cached already (or its blob is)
		}
	}
	for _, f := range found {
		if !need[f.Ref] || ctx.Err() != nil {
			continue
		}
		want, err := st.Expected(ctx, f.Ref)
		if err != nil {
			report(AdoptEvent{Ref: f.Ref, Path: f.Path, Err: err})
			continue
		}
		a, err := adopt.Adopt(ctx, st.Cache(), f, want, adopt.Options{AllowMove: allowMove, Progress: func(done, total int64) {
			report(AdoptEvent{Ref: f.Ref, Path: f.Path, Done: done, Total: total})
		}, Waiting: func() {
			s.log.Info("another process is writing this model file into the cache; waiting for it", "ref", f.Ref.String())
		}})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("a model file found on disk was not taken", "file", f.Path, "err", err)
			report(AdoptEvent{Ref: f.Ref, Path: f.Path, Err: err})
			continue
		}
		s.log.Info("adopted a model file found on disk", "file", f.Path, "method", a.Method, "ref", f.Ref.String())
		delete(need, f.Ref) // a second copy elsewhere is not needed
		report(AdoptEvent{Ref: f.Ref, Path: f.Path, Method: a.Method, Done: want.Size, Total: want.Size})
	}
}

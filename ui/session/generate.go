package session

// Generate and the queue's actions: every one is a studio call; the window
// only answers the studio's questions (Download, Generate anyway).

import (
	"errors"
	"maps"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/progress"
	"github.com/ltxstudio/ltx-studio/ui/queueview"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Generate is the shell's OnGenerate: the studio checks the form, its
// media, the model files and the fit, then queues it; the window answers
// its refusals (Download, Generate anyway) and asks again.
func (s *Session) Generate(f workflows.Form) {
	go s.generate(f, studio.GenerateOptions{})
}

func (s *Session) generate(f workflows.Form, o studio.GenerateOptions) {
	if s.samples == nil || s.win == nil {
		o.AnyFit = true // no meter reading, or no window to ask in
	} else {
		last := s.samples.Last()
		o.GPU = &last
	}
	j, err := s.st.Generate(s.ctx, f, o)
	var missing *studio.MissingModelsError
	var fit *studio.FitError
	switch {
	case errors.Is(err, studio.ErrNotRunning):
		s.showMessage(s.notRunning())
	case errors.As(err, &missing):
		s.setCurrent("")
		s.showProgress()
		s.prog.ShowMissing(progress.Missing{Files: len(missing.Files), Bytes: missing.Bytes}, func() {
			o.FetchModels = true
			go s.generate(f, o)
		})
	case errors.As(err, &fit):
		s.askFit(fit.Fit, func() {
			o.AnyFit = true
			s.generate(f, o)
		})
	case err != nil:
		s.showError("The job could not be queued", err, "Fix the form and try again.")
	default:
		s.queued(j)
	}
}

// notRunning says why Generate cannot queue, and what will fix it: only a
// ComfyUI that is starting is worth waiting for.
func (s *Session) notRunning() errorview.Message {
	switch {
	case s.st.NeedsSetup():
		return errorview.Message{What: "ComfyUI is not installed yet, so nothing can generate.",
			Do: "Press \"Finish setup\" in the header to install it and download the models."}
	case s.st.BackendStatus().State == status.Starting || s.st.BackendStatus().State == status.Installing:
		return errorview.Message{What: "ComfyUI is still starting.", Do: "Press Generate again when the header says it is ready.", Notice: true}
	}
	return errorview.Message{What: "ComfyUI is not running.",
		Do: "Open the Logs tab to see why it stopped; Settings → Repair checks this computer and reinstalls it."}
}

// queued shows a job the studio accepted.
func (s *Session) queued(j jobs.Job) {
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
	go func() {
		if err := s.st.Cancel(s.ctx, id); err != nil && !errors.Is(err, jobs.ErrNotFound) {
			s.showError("Cancel failed", err, "The job may have finished already.")
		}
	}()
}

func (s *Session) move(id string, delta int) {
	if err := s.st.Move(id, delta); err != nil && !errors.Is(err, jobs.ErrNotFound) {
		s.log.Warn("reorder", "err", err)
	}
}

func (s *Session) refreshQueue() {
	var rows []queueview.Job
	s.mu.Lock()
	percent := maps.Clone(s.percent)
	s.mu.Unlock()
	for _, j := range s.st.QueuedJobs() {
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

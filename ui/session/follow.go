package session

// Following the studio's job stream: the queue's rows, the Result tab's
// job, the meter's marks and the desktop notification.

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/meter"
)

// follow follows the studio's events for the window's life: the
// ComfyUI's state for the header, the jobs for the queue and the Result tab.
// The studio keeps the stream across restarts and settings changes.
func (s *Session) follow() {
	ch, unsub := s.st.Subscribe()
	s.mu.Lock()
	s.unsubJob = unsub
	s.mu.Unlock()
	s.followers.Go(func() {
		for {
			select {
			case <-s.ctx.Done():
				return
			case ev, ok := <-ch:
				if !ok || s.ctx.Err() != nil { // a closing window paints nothing more
					return
				}
				switch e := ev.(type) {
				case studio.BackendState:
					s.showBackend(e.Event)
				case studio.JobUpdate:
					s.onJobEvent(e.Event)
				}
			}
		}
	})
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
			s.prog.Update(withBackend(s.st, e.ID, progressUpdate(e.Progress)))
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

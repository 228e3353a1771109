package studio

import (
	"context"
	"sync"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
)

// Event is one thing the studio tells its faces: a BackendState or a
// JobUpdate. A face subscribes once (Subscribe) and keeps receiving across
// settings changes, ComfyUI restarts and job-engine rebuilds, instead of
// reaching into the parts that come and go.
type Event interface{ studioEvent() }

// BackendState is the ComfyUI in use changing state (sent at once on
// Subscribe, and again whenever settings swap the ComfyUI).
type BackendState struct{ status.Event }

// JobUpdate is the queue changing: jobs.Changed, jobs.Removed,
// jobs.ProgressUpdate or jobs.PreviewFrame.
type JobUpdate struct{ jobs.Event }

func (BackendState) studioEvent() {}
func (JobUpdate) studioEvent()    {}

// eventHub fans the parts' events out to the faces.
type eventHub struct {
	mu       sync.Mutex
	subs     map[chan Event]struct{}
	unfollow func() // ends the relay from the current backend
}

// Subscribe is the stream of studio events for as long as the studio lives.
// A subscriber that falls 256 events behind loses those events; the
// current state stays readable (QueuedJobs, BackendStatus).
func (s *Studio) Subscribe() (<-chan Event, func()) {
	h := &s.hub
	ch := make(chan Event, 256)
	now := BackendState{s.BackendStatus()} // before h.mu: apply takes s.mu, then h.mu
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
	ch <- now
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
		h.mu.Unlock()
	}
}

func (h *eventHub) emit(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ev:
		default: // a slow face loses this event; the state stays readable
		}
	}
}

// relayJobs forwards one job engine's events until it unsubscribes.
func (h *eventHub) relayJobs(from <-chan jobs.Event) {
	for ev := range from {
		h.emit(JobUpdate{ev})
	}
}

// followBackend relays a (new) backend's states, ending the relay from the
// one it replaces.
func (h *eventHub) followBackend(b *comfyui.Backend) {
	ch, unsub := b.Subscribe()
	h.mu.Lock()
	old := h.unfollow
	h.unfollow = unsub
	h.mu.Unlock()
	if old != nil {
		old()
	}
	go func() {
		for ev := range ch {
			h.emit(BackendState{ev})
		}
	}()
}

// close ends the backend relay (Close).
func (h *eventHub) close() {
	h.mu.Lock()
	u := h.unfollow
	h.unfollow = nil
	h.mu.Unlock()
	if u != nil {
		u()
	}
}

// BackendStatus is the ComfyUI's state now.
func (s *Studio) BackendStatus() status.Event { return s.Backend().State() }

// BackendLogs are the ComfyUI's newest log lines (managed and folder).
func (s *Studio) BackendLogs() []string { return s.Backend().Logs() }

// QueuedJobs lists the queue's jobs, oldest first (nil while no queue is
// open).
func (s *Studio) QueuedJobs() []jobs.Job {
	if e := s.jobEngine(); e != nil {
		return e.Jobs()
	}
	return nil
}

// QueueRunning reports whether jobs can be queued now.
func (s *Studio) QueueRunning() bool { return s.jobEngine() != nil }

// Cancel cancels a job, in ComfyUI too when it runs there.
func (s *Studio) Cancel(ctx context.Context, id string) error {
	e := s.jobEngine()
	if e == nil {
		return jobs.ErrNotFound
	}
	return e.Cancel(ctx, id)
}

// Move moves a pending job up (delta < 0) or down the queue.
func (s *Studio) Move(id string, delta int) error {
	e := s.jobEngine()
	if e == nil {
		return jobs.ErrNotFound
	}
	return e.Move(id, delta)
}

// Unload asks every ComfyUI to free the models it holds.
func (s *Studio) Unload(ctx context.Context) error {
	e := s.jobEngine()
	if e == nil {
		return ErrNotRunning
	}
	return e.Unload(ctx)
}

// RunsOn names the ComfyUI a running job is on when jobs can go to more
// than one ("" otherwise, or when the job is not running).
func (s *Studio) RunsOn(id string) string {
	e := s.jobEngine()
	if e == nil || len(e.Rooms()) < 2 {
		return ""
	}
	if j, ok := e.Job(id); ok && j.State == jobs.Running {
		return j.Backend
	}
	return ""
}

// ComfyUIOnly is the data folder's ComfyUI without the job queue, for a face
// that only runs it (`ltx-studio comfyui start`).
type ComfyUIOnly interface {
	Subscribe() (<-chan status.Event, func())
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	URL() string
}

// ComfyUI gives the data folder's ComfyUI alone (the first GPU's when there
// are several); Studio.Start and Studio.Stop run it together with the queue.
func (s *Studio) ComfyUI() ComfyUIOnly { return s.Backend() }

package studio

import (
	"context"
	"sync"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
)

// jobHub fans the job engine's events out to the faces. The engine is
// rebuilt when settings change or ComfyUI restarts; a face subscribes once
// to the studio and keeps receiving across those rebuilds.
type jobHub struct {
	mu   sync.Mutex
	subs map[chan jobs.Event]struct{}
}

// JobEvents is the stream of job events (queued, started, progress,
// previews, finished, removed) for as long as the studio lives. A
// subscriber that falls 256 events behind loses progress, never state:
// QueuedJobs is the source of truth.
func (s *Studio) JobEvents() (<-chan jobs.Event, func()) {
	h := &s.hub
	ch := make(chan jobs.Event, 256)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan jobs.Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
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

// relay forwards one engine's events until that engine unsubscribes.
func (h *jobHub) relay(from <-chan jobs.Event) {
	for ev := range from {
		h.mu.Lock()
		for ch := range h.subs {
			select {
			case ch <- ev:
			default: // a slow face loses this event; Jobs() still has the state
			}
		}
		h.mu.Unlock()
	}
}

// QueuedJobs lists the queue's jobs, oldest first (nil while no queue is
// open).
func (s *Studio) QueuedJobs() []jobs.Job {
	if e := s.Jobs(); e != nil {
		return e.Jobs()
	}
	return nil
}

// QueueRunning reports whether jobs can be queued now.
func (s *Studio) QueueRunning() bool { return s.Jobs() != nil }

// Cancel cancels a job, in ComfyUI too when it runs there.
func (s *Studio) Cancel(ctx context.Context, id string) error {
	e := s.Jobs()
	if e == nil {
		return jobs.ErrNotFound
	}
	return e.Cancel(ctx, id)
}

// Move moves a pending job up (delta < 0) or down the queue.
func (s *Studio) Move(id string, delta int) error {
	e := s.Jobs()
	if e == nil {
		return jobs.ErrNotFound
	}
	return e.Move(id, delta)
}

// Unload asks every ComfyUI to free the models it holds.
func (s *Studio) Unload(ctx context.Context) error {
	e := s.Jobs()
	if e == nil {
		return ErrNotRunning
	}
	return e.Unload(ctx)
}

// RunsOn names the ComfyUI a running job is on when jobs can go to more
// than one ("" otherwise, or when the job is not running).
func (s *Studio) RunsOn(id string) string {
	e := s.Jobs()
	if e == nil || len(e.Rooms()) < 2 {
		return ""
	}
	if j, ok := e.Job(id); ok && j.State == jobs.Running {
		return j.Backend
	}
	return ""
}

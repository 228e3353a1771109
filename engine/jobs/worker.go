package jobs

import (
	"context"

	"github.com/google/uuid"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
)

// worker feeds one backend: it keeps the backend's event socket open, takes
// the oldest pending job whenever the backend is online and idle, and runs it.
func (e *Engine) worker(ctx context.Context, b Backend) {
	c := e.clnts[b.Name]
	var w *comfyapi.Watcher
	defer func() {
		if w != nil {
			w.Close()
		}
		e.setOnline(b, false)
	}()
	online := false
	for ctx.Err() == nil {
		if w == nil {
			var err error
			w, err = c.Watch(ctx, comfyapi.WatchOptions{Logger: e.log, MaxBackoff: time.Second})
			if err != nil {
				e.log.Debug("backend offline", "backend", b.Name, "err", err)
				if !sleep(ctx, 250*time.Millisecond) {
					return
				}
				continue
			}
			// Online once the server's first status frame arrives: that is
			// when it has registered our socket, so no job event is lost.
			online = false
		}
		e.setOnline(b, online)
		if online {
			e.measureRoom(ctx, b, c)
		}
		j, ok, wake := e.next(b, online)
		if ok {
			e.execute(ctx, b, c, w, j)
			continue
		}
		// Idle: drain the socket (so ComfyUI never blocks on us) and track
		// whether the backend is reachable.
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case ev, ok := <-w.Events():
			if !ok {
				return
			}
			switch x := ev.(type) {
			case comfyapi.Status:
				online = online || x.SID != ""
			case comfyapi.Disconnected:
				online = false
			}
		}
	}
}

// next claims a job for b when it is online, after dropping jobs another
// process asked to cancel. wake is closed on the next queue change.
func (e *Engine) next(b Backend, online bool) (j Job, ok bool, wake chan struct{}) {
	e.mu.Lock()
	wake = e.wake
	removed := e.takeCancelRequestsLocked()
	if online {
		j, ok = e.claimLocked(b)
	}
	e.mu.Unlock()
	for _, id := range removed {
		e.emit(Removed{ID: id})
	}
	if ok {
		e.emit(Changed{Job: j})
	}
	return j, ok, wake
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// claimLocked marks the oldest pending job as running on b.
func (e *Engine) claimLocked(b Backend) (Job, bool) {
	for _, j := range e.st.jobs {
		if j.State != Pending || (e.cfg.Claim != nil && !e.cfg.Claim(*j)) || !e.fitsLocked(b, j) {
			continue
		}
		j.State, j.Backend, j.BackendURL, j.Started = Running, b.Name, b.URL, time.Now()
		j.Attempts++
		// The prompt id is chosen now so that it is on disk before ComfyUI
		// ever sees it (one queue write instead of two).
		j.Error, j.Fields, j.PromptID = "", nil, uuid.NewString()
		if err := e.st.save(); err != nil {
			e.log.Error("save queue", "err", err)
		}
		return *j, true
	}
	return Job{}, false
}

// update changes a stored job under the lock, saves and announces it.
func (e *Engine) update(id string, f func(j *Job)) Job {
	e.mu.Lock()
	j := e.st.find(id)
	if j == nil {
		e.mu.Unlock()
		return Job{}
	}
	f(j)
	if j.State.Finished() && j.Finished.IsZero() {
		j.Finished = time.Now()
	}
	if j.State != Running {
		delete(e.live, id)
	}
	if err := e.st.save(); err != nil {
		e.log.Error("save queue", "err", err)
	}
	cp := *j
	e.changedLocked()
	e.mu.Unlock()
	e.emit(Changed{Job: cp})
	return cp
}

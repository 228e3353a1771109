package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
)

// With several backends (one managed ComfyUI per GPU, plus remote servers)
// every backend's worker claims the oldest pending job when it is idle. When
// Config.Need is set, a job only goes to a backend whose GPU has room for it:
// each worker measures its GPU (system_stats) just before it claims, and a
// job that does not fit there is left for a backend that has the room, or
// has more of it. A job that fits nowhere still runs, on the backend with
// the most room (the form's fit check has already warned the person).

// room is what a worker last saw of its backend's GPU.
type room struct {
	online bool
	known  bool   // false: no reading (no GPU device, or system_stats failed)
	avail  uint64 // bytes a job can use there
}

// roomMeasureWait bounds the system_stats call made before a claim.
const roomMeasureWait = 2 * time.Second

// BackendRoom is a backend's dispatch state for the window and the CLI.
type BackendRoom struct {
	Backend Backend
	Online  bool
	Known   bool
	Avail   uint64 // bytes of GPU memory a job can use there, when Known
	Running string // id of the job it runs ("" when idle)
}

// Rooms lists every backend with what dispatch knows of it.
func (e *Engine) Rooms() []BackendRoom {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]BackendRoom, len(e.cfg.Backends))
	for i, b := range e.cfg.Backends {
		out[i].Backend = b
		if r := e.rooms[b.Name]; r != nil {
			out[i].Online, out[i].Known, out[i].Avail = r.online, r.known, r.avail
		}
		for _, j := range e.st.jobs {
			if j.State == Running && j.Backend == b.Name {
				out[i].Running = j.ID
			}
		}
	}
	return out
}

// availOf is the memory a job can use on a device: what is free plus what
// this ComfyUI's own torch already holds (cached models it frees for the
// next job), never more than the card has.
func availOf(d comfyapi.Device) uint64 {
	a := max(d.VRAMFree, 0) + max(d.TorchVRAMTotal, 0)
	return uint64(min(a, max(d.VRAMTotal, 0)))
}

// BackendState: a backend came online (its event socket is registered) or
// went away. Dispatch and the window's per-GPU rows follow it.
type BackendState struct {
	Backend string
	Online  bool
}

func (BackendState) JobID() string { return "" }
func (BackendState) isEvent()      {}

// setOnline records a worker's link state; a change wakes the other workers,
// which may now take (or leave) a job they passed over.
func (e *Engine) setOnline(b Backend, online bool) {
	e.mu.Lock()
	r := e.rooms[b.Name]
	changed := r.online != online
	if changed {
		r.online = online
		e.changedLocked()
	}
	e.mu.Unlock()
	if changed {
		e.emit(BackendState{Backend: b.Name, Online: online})
	}
}

// measureRoom reads b's GPU before a claim, when dispatch needs it and a
// job waits.
func (e *Engine) measureRoom(ctx context.Context, b Backend, c *comfyapi.Client) {
	if e.cfg.Need == nil || !e.hasPending() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, roomMeasureWait)
	defer cancel()
	s, err := c.SystemStats(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.rooms[b.Name]
	was := *r
	r.known = err == nil && len(s.Devices) > 0 && s.Devices[0].VRAMTotal > 0
	if r.known {
		r.avail = availOf(s.Devices[0])
	}
	// Another idle worker may have passed a job over because of what it
	// knew of this one: a real change wakes it to decide again. Small
	// drifts of a busy desktop's memory do not.
	drift := max(r.avail, was.avail) - min(r.avail, was.avail)
	if r.known != was.known || (r.known && drift >= roomDrift) {
		e.changedLocked()
	}
}

// roomDrift is the change of a GPU's room that makes the other workers
// decide again.
const roomDrift = 512 << 20

// hasPending reports whether a job this engine may start is waiting.
func (e *Engine) hasPending() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.st.jobs {
		if j.State == Pending && (e.cfg.Claim == nil || e.cfg.Claim(*j)) {
			return true
		}
	}
	return false
}

// fitsLocked decides whether b should take j now.
func (e *Engine) fitsLocked(b Backend, j *Job) bool {
	if e.cfg.Need == nil {
		return true
	}
	mine := e.rooms[b.Name]
	if !mine.known {
		return true
	}
	need := e.cfg.Need(j.Form)
	if need <= mine.avail {
		return true
	}
	for _, other := range e.cfg.Backends {
		r := e.rooms[other.Name]
		if other.Name == b.Name || !r.online {
			continue
		}
		// An online backend not measured yet measures before it claims; one
		// with room, or with more room than this one, is the better place.
		if !r.known || r.avail >= need || r.avail > mine.avail {
			return false
		}
	}
	return true
}

// Unload asks one backend to unload its models (Settings → Unload per GPU).
func (e *Engine) UnloadBackend(ctx context.Context, name string) error {
	c, ok := e.clnts[name]
	if !ok {
		return fmt.Errorf("unload models: no backend named %q", name)
	}
	if err := c.Free(ctx, true, true); err != nil {
		return fmt.Errorf("unload models on %s: %w", name, err)
	}
	return nil
}

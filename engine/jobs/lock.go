package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// ErrQueueBusy means another process (the window, or another CLI run) owns
// the queue. Read it with ReadQueue; cancel with RequestCancel.
var ErrQueueBusy = errors.New("the job queue is in use by another ltx-studio process")

// lockQueue takes the queue's lock file. A lock left by a dead process is
// taken over.
func lockQueue(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create queue folder: %w", err)
	}
	p := filepath.Join(dir, "queue.lock")
	for range 3 {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			// The start time tells a live owner from a stranger that reused
			// the pid after a crash and a reboot.
			fmt.Fprintf(f, "%d %d\n", os.Getpid(), ownStart())
			f.Close()
			return func() { os.Remove(p) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock the job queue: %w", err)
		}
		if pid, alive := lockOwner(p); alive {
			return nil, fmt.Errorf("%w (pid %d)", ErrQueueBusy, pid)
		}
		os.Remove(p) // stale
	}
	return nil, fmt.Errorf("lock the job queue: %s keeps reappearing", p)
}

func lockOwner(p string) (int32, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return 0, false
	}
	if pid == os.Getpid() {
		return int32(pid), true
	}
	h, err := process.NewProcess(int32(pid))
	if err != nil {
		return int32(pid), false
	}
	if len(fields) > 1 {
		want, err := strconv.ParseInt(fields[1], 10, 64)
		if got, cerr := h.CreateTime(); err == nil && want > 0 && cerr == nil && got != want {
			return int32(pid), false // the pid now belongs to another process
		}
	}
	return int32(pid), true
}

// ownStart is this process's start time (ms since the epoch), 0 if unknown.
func ownStart() int64 {
	if h, err := process.NewProcess(int32(os.Getpid())); err == nil {
		if ct, err := h.CreateTime(); err == nil {
			return ct
		}
	}
	return 0
}

// ReadQueue lists the jobs of a queue folder without taking it over.
func ReadQueue(dir string) ([]Job, error) {
	st, err := openStore(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(st.jobs))
	for i, j := range st.jobs {
		out[i] = *j
	}
	return out, nil
}

// RequestCancel asks the process that owns the queue to drop a pending job
// (it checks before starting each job). A running job is interrupted on its
// backend directly: see Job.BackendURL.
func RequestCancel(dir, id string) error {
	if strings.ContainsAny(id, `/\`) || id == "" || id == "." || id == ".." {
		return fmt.Errorf("cancel: bad job id %q", id)
	}
	d := filepath.Join(dir, "cancel")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	return os.WriteFile(filepath.Join(d, id), nil, 0o644)
}

// takeCancelRequests removes requested pending jobs. Called with mu held.
func (e *Engine) takeCancelRequestsLocked() []string {
	d := filepath.Join(e.cfg.QueueDir, "cancel")
	ents, err := os.ReadDir(d)
	if err != nil || len(ents) == 0 {
		return nil
	}
	var removed []string
	for _, en := range ents {
		id := en.Name()
		os.Remove(filepath.Join(d, id))
		if j := e.st.find(id); j != nil && j.State == Pending {
			e.st.remove(id)
			removed = append(removed, id)
		}
	}
	if len(removed) > 0 {
		if err := e.st.save(); err != nil {
			e.log.Error("save queue", "err", err)
		}
	}
	return removed
}

// CancelQueued removes a pending job from a queue folder: directly when no
// process owns the queue (direct is true), else through a cancel request.
func CancelQueued(dir, id string) (direct bool, err error) {
	release, err := lockQueue(dir)
	if errors.Is(err, ErrQueueBusy) {
		return false, RequestCancel(dir, id)
	}
	if err != nil {
		return false, err
	}
	defer release()
	st, err := openStore(dir)
	if err != nil {
		return false, err
	}
	j := st.find(id)
	if j == nil {
		return false, fmt.Errorf("cancel %s: %w", id, ErrNotFound)
	}
	if j.State != Pending {
		return false, fmt.Errorf("cancel %s: it is %s, not pending", id, j.State)
	}
	st.remove(id)
	return true, st.save()
}

// Package proc starts child processes so that their whole tree can be
// stopped: a polite interrupt first, then a kill of every descendant. It also
// keeps pidfiles (pid + create time) so a ComfyUI left behind by a crash of
// the app is found and stopped on the next start, and never a stranger that
// reused the pid.
package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// Prepare sets the platform attributes that let Interrupt and KillTree reach
// the child and everything it starts (own process group / new console group).
func Prepare(cmd *exec.Cmd) { prepare(cmd) }

// Interrupt asks the process (and its group) to stop like Ctrl-C would.
func Interrupt(pid int) error { return interrupt(pid) }

// Descendants lists every process below pid, children before grandchildren.
func Descendants(ctx context.Context, pid int) []int32 {
	var out []int32
	queue := []int32{int32(pid)}
	seen := map[int32]bool{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		h, err := process.NewProcessWithContext(ctx, p)
		if err != nil {
			continue
		}
		kids, _ := h.ChildrenWithContext(ctx)
		for _, k := range kids {
			if !seen[k.Pid] {
				seen[k.Pid] = true
				out = append(out, k.Pid)
				queue = append(queue, k.Pid)
			}
		}
	}
	return out
}

// KillTree kills pid and every descendant. The tree is listed before the
// first kill, since killed parents orphan their children to init.
func KillTree(ctx context.Context, pid int) error {
	tree := append([]int32{int32(pid)}, Descendants(ctx, pid)...)
	killGroup(pid)
	var errs []error
	for _, p := range tree {
		h, err := process.NewProcessWithContext(ctx, p)
		if err != nil {
			continue // already gone
		}
		if err := h.KillWithContext(ctx); err != nil && !gone(ctx, p) {
			errs = append(errs, fmt.Errorf("killing process %d: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

func gone(ctx context.Context, pid int32) bool {
	ok, err := process.PidExistsWithContext(ctx, pid)
	return err == nil && !ok
}

// Running reports whether pid is alive and still the process that had
// createTime (ms since epoch), so a reused pid never counts.
func Running(ctx context.Context, pid int, createTime int64) bool {
	h, err := process.NewProcessWithContext(ctx, int32(pid))
	if err != nil {
		return false
	}
	ct, err := h.CreateTimeWithContext(ctx)
	if err != nil || ct != createTime {
		return false
	}
	st, err := h.StatusWithContext(ctx)
	if err == nil && len(st) > 0 && st[0] == process.Zombie {
		return false
	}
	return true
}

// CreateTime returns the process's start time in ms since the epoch.
func CreateTime(ctx context.Context, pid int) (int64, error) {
	h, err := process.NewProcessWithContext(ctx, int32(pid))
	if err != nil {
		return 0, err
	}
	return h.CreateTimeWithContext(ctx)
}

// Pidfile records a supervised child.
type Pidfile struct {
	PID        int    `json:"pid"`
	CreateTime int64  `json:"create_time_ms"`
	Port       int    `json:"port,omitempty"`
	Command    string `json:"command,omitempty"`
	// Owner is the ltx-studio process that supervises it (pid + start
	// time), so a second app or terminal does not stop a ComfyUI in use.
	Owner       int   `json:"owner,omitempty"`
	OwnerCreate int64 `json:"owner_create_time_ms,omitempty"`
}

// OwnedElsewhere reports whether pf's ComfyUI is alive and supervised by
// another live process (not a leftover of a crashed app).
func (pf Pidfile) OwnedElsewhere(ctx context.Context) bool {
	return pf.Owner > 0 && pf.Owner != os.Getpid() && Running(ctx, pf.Owner, pf.OwnerCreate) && Running(ctx, pf.PID, pf.CreateTime)
}

// WritePidfile stores pf at path (temp file + rename).
func WritePidfile(path string, pf Pidfile) error {
	b, _ := json.Marshal(pf)
	// fileio gives each writer a temp name of its own: two processes writing
	// at once never rename each other's half-written file into place.
	return fileio.WriteAtomic(path, b, 0o644)
}

// OwnerAlive reports whether the ltx-studio process that wrote pf still runs
// (false for a pidfile without an owner).
func (pf Pidfile) OwnerAlive(ctx context.Context) bool {
	return pf.Owner > 0 && Running(ctx, pf.Owner, pf.OwnerCreate)
}

// ReadPidfile returns the pidfile, or ok=false when there is none (or it is unreadable).
func ReadPidfile(path string) (pf Pidfile, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &pf) != nil || pf.PID <= 0 {
		return Pidfile{}, false
	}
	return pf, true
}

// StopStale stops the process named by the pidfile at path if it is still
// the same process, then removes the pidfile. It reports whether a process
// was stopped.
func StopStale(ctx context.Context, path string, grace time.Duration) (bool, error) {
	pf, ok := ReadPidfile(path)
	if !ok {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		return false, nil
	}
	stopped := false
	if Running(ctx, pf.PID, pf.CreateTime) {
		if err := Stop(ctx, pf.PID, pf.CreateTime, grace); err != nil {
			return false, fmt.Errorf("stopping the ComfyUI left running (pid %d): %w", pf.PID, err)
		}
		stopped = true
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return stopped, err
	}
	return stopped, nil
}

// Stop interrupts a process that is not our child (so we cannot Wait on
// it), polls until it is gone, and kills its tree after grace.
func Stop(ctx context.Context, pid int, createTime int64, grace time.Duration) error {
	tree := Descendants(ctx, pid)
	_ = Interrupt(pid)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && Running(ctx, pid, createTime) {
		select {
		case <-ctx.Done():
			deadline = time.Now()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if Running(ctx, pid, createTime) {
		if err := KillTree(ctx, pid); err != nil {
			return err
		}
	}
	// Children that outlived their parent (reparented) still die.
	for _, p := range tree {
		if h, err := process.NewProcessWithContext(ctx, p); err == nil {
			_ = h.KillWithContext(ctx)
		}
	}
	return nil
}

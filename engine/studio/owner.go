package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/internal/filelock"
)

// One process owns a data folder at a time: the one that runs its ComfyUI
// and its job queue. The owner holds an OS file lock (released by the OS
// however the process ends, so it can never go stale); owner.json beside it
// says who that is, for the message others show. A second window or
// `generate` does not start a second ComfyUI on the same folder: it is
// refused with BusyError at once (the CLI), or waits until the owner is gone
// (the window, StartWhenFree).
const (
	ownerLockName = "owner.lock"
	ownerInfoName = "owner.json"
)

// OwnerInfo names the process that owns a data folder.
type OwnerInfo struct {
	PID     int    `json:"pid"`
	Created int64  `json:"create_time_ms"`
	What    string `json:"what"` // "the LTX Studio window", "ltx-studio generate"
}

// BusyError says another process owns the data folder.
type BusyError struct {
	Owner OwnerInfo // zero when unknown
	Dir   string
}

func (e *BusyError) Error() string {
	who := "another ltx-studio process"
	if e.Owner.PID > 0 {
		who = fmt.Sprintf("%s (pid %d)", e.Owner.What, e.Owner.PID)
	}
	return fmt.Sprintf("%s is already using this data folder (%s) and its ComfyUI; queue the video there, or wait until it is closed and try again", who, e.Dir)
}

// ErrBusy matches every BusyError with errors.Is.
var ErrBusy = errors.New("the data folder is in use by another ltx-studio process")

func (e *BusyError) Is(target error) bool { return target == ErrBusy }

func describeSelf() string {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		return "ltx-studio " + os.Args[1]
	}
	return "the LTX Studio window"
}

// claimOwner makes this process the owner of the data folder, or returns a
// *BusyError naming the owner. Claiming again while owning is a no-op.
func (s *Studio) claimOwner(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner != nil {
		return nil
	}
	l, err := filelock.TryLock(filepath.Join(s.dirs.Data, ownerLockName))
	if errors.Is(err, filelock.ErrLocked) {
		return &BusyError{Owner: ReadOwner(s.dirs.Data), Dir: s.dirs.Data}
	}
	if err != nil {
		return fmt.Errorf("claiming the data folder: %w", err)
	}
	me, _ := proc.CreateTime(ctx, os.Getpid())
	b, _ := json.Marshal(OwnerInfo{PID: os.Getpid(), Created: me, What: describeSelf()})
	if err := os.WriteFile(filepath.Join(s.dirs.Data, ownerInfoName), b, 0o644); err != nil {
		s.log.Warn("writing the data folder's owner", "err", err)
	}
	s.owner = l
	return nil
}

// Own makes this process the data folder's owner without starting anything
// (the CLI before it uses a ComfyUI that `comfyui start` runs), or returns a
// *BusyError naming the owner. Close gives it up.
func (s *Studio) Own(ctx context.Context) error { return s.claimOwner(ctx) }

// releaseOwner lets another process take the data folder.
func (s *Studio) releaseOwner() {
	s.mu.Lock()
	l := s.owner
	s.owner = nil
	s.mu.Unlock()
	if l == nil {
		return
	}
	os.Remove(filepath.Join(s.dirs.Data, ownerInfoName))
	_ = l.Unlock()
}

// ReadOwner says who owns the data folder dir (zero when nobody or unknown).
func ReadOwner(dir string) OwnerInfo {
	var o OwnerInfo
	b, err := os.ReadFile(filepath.Join(dir, ownerInfoName))
	if err != nil || json.Unmarshal(b, &o) != nil {
		return OwnerInfo{}
	}
	return o
}

// ownerRetry is how often a waiting window tries to become the owner again.
const ownerRetry = 2 * time.Second

// StartWhenFree is Start for the window: while another process owns the
// data folder it says so in the header (the backend's state) and tries again
// every two seconds until it can start or ctx ends. Any other failure
// returns at once.
func (s *Studio) StartWhenFree(ctx context.Context) error {
	for {
		err := s.Start(ctx)
		var be *BusyError
		if !errors.As(err, &be) {
			return err
		}
		s.Backend().Announce(status.Event{State: status.Stopped, Message: "Waiting: " + be.Error()})
		t := time.NewTimer(ownerRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Package filelock takes the same advisory file locks as Python's filelock
// package, which huggingface_hub uses for its cache: flock(LOCK_EX) on Unix,
// a one-byte LockFileEx at offset 0 on Windows (what msvcrt.locking does).
// So a blob download by the app and one by a Python tool never overlap, and
// two app processes agree on who owns a data folder.
//
// The lock belongs to the open file, not to the process: a second Lock of the
// same path in the same process waits too. The OS drops it when the process
// dies, however it dies, so a lock can never be left stale.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked is returned by TryLock while another holder has the lock.
var ErrLocked = errors.New("the file is locked by another process")

// Lock is a held lock; Unlock releases it.
type Lock struct {
	f    *os.File
	path string
}

// Path is the lock file's path.
func (l *Lock) Path() string { return l.path }

// TryLock takes the lock at path without waiting (creating the file and its
// folder as needed), or returns ErrLocked.
func TryLock(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// No O_TRUNC: Python's filelock truncates on open, which is harmless for
	// an empty file, but we must not wipe what a holder wrote beside it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Acquire waits until the lock at path is free and takes it, polling every
// poll (like Python's filelock); cancel ctx to stop waiting. waiting, when
// set, is called once if the lock was busy at the first try.
func Acquire(ctx context.Context, path string, poll time.Duration, waiting func()) (*Lock, error) {
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	told := false
	for {
		l, err := TryLock(path)
		if !errors.Is(err, ErrLocked) {
			return l, err
		}
		if !told && waiting != nil {
			told = true
			waiting()
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Unlock releases the lock. The file stays, as huggingface_hub leaves its
// .lock files (removing it could let a third process lock a new inode while
// a second one still waits on the old).
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// RotatingFile writes lines to Path, moving it to Path.1 (… Path.Keep) when
// it grows past MaxBytes and whenever it is opened, so each launch starts a
// fresh file and the previous launches stay readable.
type RotatingFile struct {
	Path     string
	MaxBytes int64 // 0 = 10 MiB
	Keep     int   // rotated files kept; 0 = 5

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Open rotates an existing non-empty file away and opens a new one.
func (r *RotatingFile) Open() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(r.Path), 0o755); err != nil {
		return fmt.Errorf("creating log folder: %w", err)
	}
	if fi, err := os.Stat(r.Path); err == nil && fi.Size() > 0 {
		r.rotateLocked()
	}
	return r.openLocked()
}

func (r *RotatingFile) openLocked() error {
	f, err := os.OpenFile(r.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening log file: %w", err)
	}
	r.f, r.size = f, 0
	return nil
}

func (r *RotatingFile) keep() int {
	if r.Keep <= 0 {
		return 5
	}
	return r.Keep
}

func (r *RotatingFile) rotateLocked() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	k := r.keep()
	os.Remove(fmt.Sprintf("%s.%d", r.Path, k))
	for i := k - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.Path, i), fmt.Sprintf("%s.%d", r.Path, i+1))
	}
	os.Rename(r.Path, r.Path+".1")
}

// WriteLine appends one line (a newline is added). Errors are dropped on
// purpose: a full disk must not stop ComfyUI, and the ring still has the lines.
func (r *RotatingFile) WriteLine(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return
	}
	max := r.MaxBytes
	if max <= 0 {
		max = 10 << 20
	}
	if r.size > max {
		r.rotateLocked()
		if r.openLocked() != nil {
			return
		}
	}
	n, _ := r.f.WriteString(strings.TrimRight(line, "\n") + "\n")
	r.size += int64(n)
}

// Close closes the current file.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

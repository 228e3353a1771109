package models

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// verification records that a blob's bytes were hashed and matched its etag,
// and what the file looked like then: a later change of size or modification
// time makes the record void, so a hash in a sidecar is always one that was
// checked against the bytes on disk.
type verification struct {
	Etag    string `json:"etag"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
}

// verifiedBook is the file of verification records, beside the lock file.
type verifiedBook struct {
	path string // "" keeps records in memory only
	mu   sync.Mutex
	mem  map[string]verification
}

func newVerifiedBook(lockPath string) *verifiedBook {
	b := &verifiedBook{mem: map[string]verification{}}
	if lockPath != "" {
		b.path = strings.TrimSuffix(lockPath, filepath.Ext(lockPath)) + ".verified.json"
	}
	return b
}

func (b *verifiedBook) loadLocked() map[string]verification {
	if b.path == "" {
		return b.mem
	}
	m := map[string]verification{}
	if raw, err := os.ReadFile(b.path); err == nil {
		_ = json.Unmarshal(raw, &m) // a damaged book only means "verify again"
	}
	return m
}

// record notes that blob (a path) was verified as etag just now.
func (b *verifiedBook) record(blob, etag string) {
	fi, err := os.Stat(blob)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.loadLocked()
	m[blob] = verification{Etag: etag, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if b.path == "" {
		return
	}
	if raw, err := json.MarshalIndent(m, "", "  "); err == nil {
		_ = fileio.WriteAtomic(b.path, append(raw, '\n'), 0o644)
	}
}

// forget drops a blob's record (it was found damaged or deleted).
func (b *verifiedBook) forget(blob string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.loadLocked()
	if _, ok := m[blob]; !ok {
		return
	}
	delete(m, blob)
	if b.path != "" {
		if raw, err := json.MarshalIndent(m, "", "  "); err == nil {
			_ = fileio.WriteAtomic(b.path, append(raw, '\n'), 0o644)
		}
	}
}

// verified reports whether blob is unchanged since it was verified as etag.
func (b *verifiedBook) verified(blob, etag string) bool {
	fi, err := os.Stat(blob)
	if err != nil {
		return false
	}
	b.mu.Lock()
	v, ok := b.loadLocked()[blob]
	b.mu.Unlock()
	return ok && v.Etag == etag && v.Size == fi.Size() && v.ModTime == fi.ModTime().UnixNano()
}

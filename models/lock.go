package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// LockEntry pins one registry file to what the hub served the first time.
type LockEntry struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	Path     string `json:"path"`
	Commit   string `json:"commit"`
	Size     int64  `json:"size"`
	Etag     string `json:"etag"`             // blob name: sha256 (LFS) or git sha1
	SHA256   string `json:"sha256,omitempty"` // = Etag for LFS files
}

// Lock is the lock file: registry key → pin.
type Lock struct {
	Version int                  `json:"version"`
	Files   map[string]LockEntry `json:"files"`
}

const lockVersion = 1

// LoadLock reads the lock file; a missing file is an empty lock.
func LoadLock(name string) (Lock, error) {
	l := Lock{Version: lockVersion, Files: map[string]LockEntry{}}
	if name == "" {
		return l, nil
	}
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("models: read lock file: %w", err)
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("models: lock file %s is damaged (%v); delete it to re-pin from the hub", name, err)
	}
	if l.Files == nil {
		l.Files = map[string]LockEntry{}
	}
	for k, e := range l.Files {
		if !hfcache.IsCommit(e.Commit) || !hfcache.ValidEtag(e.Etag) {
			delete(l.Files, k) // never trust a malformed pin
		}
	}
	return l, nil
}

// Save writes the lock atomically (encoding/json sorts map keys: stable diffs).
func (l Lock) Save(name string) error {
	if name == "" {
		return nil
	}
	l.Version = lockVersion
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	if err := fileio.WriteAtomic(name, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("models: write lock file: %w", err)
	}
	return nil
}

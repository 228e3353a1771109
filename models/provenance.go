package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// UpdateLocks is the explicit "update models" action: it re-resolves each
// file's revision on the hub and moves its pin to the current commit. It
// downloads nothing; the next Ensure fetches what changed.
func (s *Store) UpdateLocks(ctx context.Context, refs []Ref) (changed []Ref, err error) {
	if s.opt.Env.Offline {
		return nil, errors.New("cannot check for model updates while offline (HF_HUB_OFFLINE=1)")
	}
	files, ferr := s.files(refs)
	s.mu.Lock()
	defer s.mu.Unlock()
	lk, err := s.loadLock()
	if err != nil {
		return nil, err
	}
	var errs []error
	if ferr != nil {
		errs = append(errs, ferr)
	}
	for _, f := range files {
		m, err := s.dl.Resolve(ctx, s.opt.Env.Endpoint, f.Repo, f.Revision, f.PathInRepo)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.metaMu.Lock()
		s.metas[f.Key()] = resolved{m: m, at: time.Now()}
		s.metaMu.Unlock()
		old, ok := lk.Files[f.Key()]
		if !ok || old.Commit != m.Commit || old.Etag != m.Etag {
			lk.Files[f.Key()] = entry(f, m.Commit, m.Size, m.Etag)
			changed = append(changed, f.Ref())
		}
	}
	if err := lk.Save(s.opt.LockPath); err != nil {
		errs = append(errs, err)
	}
	return changed, errors.Join(errs...)
}

// SHA256 is the content hash of a registry file for provenance (sidecars).
// It is only ever a hash that was checked against the bytes on disk: the
// pinned sha256 when the blob was verified (at download or by Verify) and is
// unchanged since, else the file is hashed now (once; the result is recorded).
// A file whose bytes do not match its pin gives an error, never the pin.
func (s *Store) SHA256(ctx context.Context, r Ref) (string, error) {
	fs, err := s.files([]Ref{r})
	if err != nil {
		return "", err
	}
	lk, err := s.loadLock()
	if err != nil {
		return "", err
	}
	l := s.locate(fs[0], lk)
	if l.blob == "" {
		return "", fmt.Errorf("%s is not in the model cache", r)
	}
	if l.etag != "" && l.size >= 0 && l.have != l.size {
		return "", fmt.Errorf("%s is damaged (%d of %d bytes); run `ltx-studio models verify --repair`", r, l.have, l.size)
	}
	if l.etag == "" || len(l.etag) != 64 {
		// No published sha256 to check against (a small git file, or one
		// put there by hand): the hash of the bytes is the provenance.
		return fileio.SHA256(ctx, l.blob)
	}
	if s.book.verified(l.blob, l.etag) {
		return l.etag, nil
	}
	got, err := hashFile(ctx, l.blob, l.etag, l.have, func(int64) {})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", r, err)
	}
	if got != l.etag {
		s.book.forget(l.blob)
		return "", fmt.Errorf("%s is damaged: its sha256 is %s, not %s as published; run `ltx-studio models verify --repair`", r, got, l.etag)
	}
	s.book.record(l.blob, l.etag)
	return got, nil
}

// blobComplete reports whether the blob for etag is in the cache with the
// expected size (a size of -1 is not checked). A truncated or padded blob
// is not "present": it is fetched again.
func (s *Store) blobComplete(repo, etag string, size int64) bool {
	fi, err := os.Stat(s.cache.BlobPath(repo, etag))
	return err == nil && fi.Mode().IsRegular() && (size < 0 || fi.Size() == size)
}

// dropDamagedBlob deletes a finished blob whose size is wrong, so it is
// downloaded again. Writers never leave a blob half-written under its final
// name (they write .incomplete and rename), so a wrong size is damage.
func (s *Store) dropDamagedBlob(blob string, size int64) {
	fi, err := os.Stat(blob)
	if err != nil || size < 0 || fi.Size() == size {
		return
	}
	s.log.Warn("models: a cached file has the wrong size; fetching it again", "path", blob, "bytes", fi.Size(), "expected", size)
	s.book.forget(blob)
	_ = os.Remove(blob)
}

package models

import (
	"context"
	"fmt"
)

// Expected is what a registry file must be, as the lock file pins it or,
// before the first pin, as the hub answers for it now: the commit it comes
// from, its blob name (the LFS sha256, or the git blob sha1 of a small file)
// and its size. Adopting a file found on disk checks it against this.
type Expected struct {
	File
	Commit string
	Etag   string
	Size   int64
}

// Expected answers, without downloading, what ref's bytes must be: the
// lock file's pin when there is one, else one HEAD to the hub (whose answer
// is then pinned, as a download would pin it).
func (s *Store) Expected(ctx context.Context, ref Ref) (Expected, error) {
	files, err := s.files([]Ref{ref})
	if err != nil {
		return Expected{}, err
	}
	f := files[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	lk, err := s.loadLock()
	if err != nil {
		return Expected{}, err
	}
	if e, ok := lk.Files[f.Key()]; ok {
		return Expected{File: f, Commit: e.Commit, Etag: e.Etag, Size: e.Size}, nil
	}
	if s.opt.Env.Offline {
		return Expected{}, fmt.Errorf("%s: its checksum is not known yet and downloads are off (HF_HUB_OFFLINE=1)", ref)
	}
	m, err := s.resolve(ctx, f, &lk)
	if err != nil {
		return Expected{}, err
	}
	s.saveLock(lk)
	return Expected{File: f, Commit: m.Commit, Etag: m.Etag, Size: m.Size}, nil
}

// Registry is the file list this store serves.
func (s *Store) Registry() Registry { return s.opt.Registry }

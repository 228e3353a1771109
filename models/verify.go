package models

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// VerifyState is what Verify found for one file.
type VerifyState string

const (
	VerifyOK           VerifyState = "ok"
	VerifyDamaged      VerifyState = "damaged"      // size or hash differs from the pin
	VerifyMissing      VerifyState = "missing"      // not in the cache
	VerifyUnverifiable VerifyState = "unverifiable" // no recorded hash to compare with
)

// VerifyResult is one file's verdict.
type VerifyResult struct {
	File   Ref
	State  VerifyState
	Path   string // the bytes that were read (the blob, or a plain file)
	Want   string // expected etag (sha256 for LFS files)
	Got    string // computed etag ("" when not hashed)
	Size   int64  // bytes on disk
	Detail string // for people
}

// VerifyProgress is one event of Verify, per file and in total.
type VerifyProgress struct {
	File              Ref
	Done, Total       int64
	AllDone, AllTotal int64
}

// located is where a registry file's bytes are and what they should be.
type located struct {
	f        File
	snapshot string // snapshot path ("" when the revision is unknown)
	blob     string // path holding the bytes ("" when missing)
	etag     string // expected etag ("" when unknown)
	size     int64  // expected size (-1 when unknown)
	have     int64  // size on disk
}

func (s *Store) locate(f File, lk Lock) located {
	l := located{f: f, size: -1}
	if f.Size > 0 {
		l.size = f.Size
	}
	commit := s.cache.ReadRef(f.Repo, f.Revision)
	if e, ok := lk.Files[f.Key()]; ok {
		commit, l.etag, l.size = e.Commit, e.Etag, e.Size
	}
	if commit == "" {
		return l
	}
	l.snapshot = s.cache.SnapshotPath(f.Repo, commit, f.PathInRepo)
	if target, err := os.Readlink(l.snapshot); err == nil {
		if e := filepath.Base(target); hfcache.ValidEtag(e) {
			if l.etag == "" {
				l.etag = e
			}
			l.blob = s.cache.BlobPath(f.Repo, e)
		}
	} else if fi, err := os.Stat(l.snapshot); err == nil && fi.Mode().IsRegular() {
		l.blob = l.snapshot // a plain file (no symlinks on this filesystem)
	}
	if l.blob == "" && l.etag != "" {
		l.blob = s.cache.BlobPath(f.Repo, l.etag)
	}
	if fi, err := os.Stat(l.blob); l.blob != "" && err == nil && fi.Mode().IsRegular() {
		l.have = fi.Size()
	} else {
		l.blob = ""
	}
	return l
}

// Verify reads every present file of refs in full and compares its hash with
// the pinned etag (the sha256 the hub published for LFS files). Sizes are
// checked before reading a byte. Matching files are recorded as verified.
// It never changes the cache; see Repair.
func (s *Store) Verify(ctx context.Context, refs []Ref, progress func(VerifyProgress)) ([]VerifyResult, error) {
	if progress == nil {
		progress = func(VerifyProgress) {}
	}
	files, ferr := s.files(refs)
	s.mu.Lock()
	lk, err := s.loadLock()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	locs := make([]located, len(files))
	var allTotal int64
	for i, f := range files {
		locs[i] = s.locate(f, lk)
		if locs[i].blob != "" && locs[i].etag != "" && (locs[i].size < 0 || locs[i].have == locs[i].size) {
			allTotal += locs[i].have
		}
	}
	out := make([]VerifyResult, 0, len(files))
	var allDone int64
	for _, l := range locs {
		r := VerifyResult{File: l.f.Ref(), Path: l.blob, Want: l.etag, Size: l.have}
		switch {
		case l.blob == "":
			r.State, r.Detail = VerifyMissing, "not downloaded"
		case l.etag == "":
			r.State, r.Detail = VerifyUnverifiable, "no recorded hash for this file (it was not downloaded from the hub)"
		case l.size >= 0 && l.have != l.size:
			r.State = VerifyDamaged
			r.Detail = fmt.Sprintf("%s on disk, %s expected (truncated or overwritten)", download.HumanBytes(l.have), download.HumanBytes(l.size))
		default:
			got, err := hashFile(ctx, l.blob, l.etag, l.have, func(done int64) {
				progress(VerifyProgress{File: r.File, Done: done, Total: l.have, AllDone: allDone + done, AllTotal: allTotal})
			})
			allDone += l.have
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				r.State, r.Detail = VerifyDamaged, "could not be read: "+err.Error()
				break
			}
			r.Got = got
			if got == l.etag {
				r.State = VerifyOK
				s.book.record(l.blob, l.etag)
			} else {
				r.State, r.Detail = VerifyDamaged, "its bytes do not match the published hash (damaged on disk)"
				s.book.forget(l.blob)
			}
		}
		out = append(out, r)
	}
	return out, ferr
}

// hashFile computes the etag-kind hash of p, reporting progress every 64 MiB.
func hashFile(ctx context.Context, p, etag string, size int64, tick func(int64)) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := download.HashFor(etag, size)
	buf := make([]byte, 4<<20)
	var done, told int64
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, rerr := f.Read(buf)
		h.Write(buf[:n])
		done += int64(n)
		if done-told >= 64<<20 {
			tick(done)
			told = done
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return "", rerr
		}
	}
	tick(done)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Repair verifies refs, deletes the damaged files and downloads them again,
// verified. Missing files are left to Ensure (pull): a repair never starts
// downloads the user did not choose. It returns the verdicts from before the
// repair; the error says what could not be fetched.
func (s *Store) Repair(ctx context.Context, refs []Ref, verifying func(VerifyProgress), fetching func(Progress)) ([]VerifyResult, error) {
	res, err := s.Verify(ctx, refs, verifying)
	if err != nil && ctx.Err() != nil {
		return res, err
	}
	var again []Ref
	for _, r := range res {
		switch r.State {
		case VerifyDamaged:
			s.log.Warn("models: deleting a damaged file to fetch it again", "file", r.File.String(), "path", r.Path, "detail", r.Detail)
			s.book.forget(r.Path)
			if rerr := os.Remove(r.Path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				err = errors.Join(err, fmt.Errorf("could not delete the damaged %s: %w", r.Path, rerr))
				continue
			}
			again = append(again, r.File)
		}
	}
	if len(again) > 0 {
		err = errors.Join(err, s.Ensure(ctx, again, fetching))
	}
	return res, err
}

package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/models/link"
)

// Options configure a Store.
type Options struct {
	Registry Registry        // zero: LTX23()
	Env      hfcache.Env     // cache dir, endpoint, token, offline; see hfcache.FromEnv
	LockPath string          // JSON lock file ("" keeps pins in memory only)
	ComfyUI  string          // ComfyUI base folder to link into ("" = do not link)
	Download download.Config // Token and Redact are filled from Env
	// SampleEvery is how often Ensure reports progress while bytes flow (100 ms).
	SampleEvery time.Duration
	Logger      *slog.Logger
}

// Store answers "what is missing" and makes files present and linked.
type Store struct {
	opt    Options
	cache  hfcache.Cache
	dl     *download.Downloader
	linker *link.Linker
	log    *slog.Logger
	mu     sync.Mutex // guards the lock file

	metaMu sync.Mutex
	metas  map[string]resolved // recent HEAD answers, so Plan then Ensure asks once

	book *verifiedBook // which blobs were hashed and matched, and when
}

type resolved struct {
	m  download.Meta
	at time.Time
}

// metaTTL bounds how long a HEAD answer is reused: storage URLs are signed
// and expire.
const metaTTL = 10 * time.Minute

// New makes a Store.
func New(opt Options) *Store {
	if opt.Registry.Files == nil {
		opt.Registry = LTX23()
	}
	if opt.SampleEvery <= 0 {
		opt.SampleEvery = 100 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	opt.Download.Token = opt.Env.Token
	env := opt.Env
	opt.Download.Redact = env.Redact
	s := &Store{opt: opt, cache: hfcache.Cache{Dir: opt.Env.CacheDir}, dl: download.New(opt.Download), log: opt.Logger,
		metas: map[string]resolved{}, book: newVerifiedBook(opt.LockPath)}
	if opt.ComfyUI != "" {
		s.linker = link.New(opt.ComfyUI)
	}
	return s
}

// Linker exposes the linker (tests swap its hooks; nil without ComfyUI).
func (s *Store) Linker() *link.Linker { return s.linker }

// Cache is the hub cache the store uses.
func (s *Store) Cache() hfcache.Cache { return s.cache }

// FileStatus is one file of a Plan.
type FileStatus struct {
	File
	Present bool
	Path    string // snapshot path when present
	Commit  string // pinned or resolved commit, when known
	Size    int64  // -1 when unknown (offline and never pinned)
	Missing int64  // bytes still to fetch (partial downloads count as progress)
	Problem string // why it cannot be fetched (needs token, not on the hub…), "" if none
}

// Plan is the answer to "which files, how many bytes missing, is there room".
type Plan struct {
	Files        []FileStatus
	MissingBytes int64
	UnknownSizes int    // missing files whose size could not be learned
	FreeBytes    uint64 // on the cache volume
	CacheDir     string
	Offline      bool
}

// Fits reports whether the missing bytes fit on the disk with the safety
// margin left free (download.SpaceMargin).
func (p Plan) Fits() bool { return download.Fits(p.MissingBytes, p.FreeBytes) }

// Complete reports whether nothing is missing.
func (p Plan) Complete() bool {
	for _, f := range p.Files {
		if !f.Present {
			return false
		}
	}
	return true
}

// UnknownRefError lists refs the registry does not know.
type UnknownRefError struct{ Refs []Ref }

func (e *UnknownRefError) Error() string {
	names := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		names[i] = r.String()
	}
	return "no download source is known for " + strings.Join(names, ", ") + "; put the file into ComfyUI's models folder by hand"
}

func (s *Store) files(refs []Ref) ([]File, error) {
	seen := map[Ref]bool{}
	var out []File
	var unknown []Ref
	for _, r := range refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		f, ok := s.opt.Registry.Lookup(r.Folder, r.Name)
		if !ok {
			unknown = append(unknown, r)
			continue
		}
		out = append(out, f)
	}
	if len(unknown) > 0 {
		return out, &UnknownRefError{Refs: unknown}
	}
	return out, nil
}

// findLocal looks for f in the cache without any network: at the pinned
// commit when the lock has one, else at refs/<revision> (pinning it then).
func (s *Store) findLocal(f File, lk *Lock) (hfcache.Cached, bool) {
	if e, ok := lk.Files[f.Key()]; ok {
		c, ok := s.cache.Find(f.Repo, e.Commit, f.PathInRepo)
		if ok && c.Size == e.Size && (c.Etag == "" || c.Etag == e.Etag) {
			return c, true
		}
		return hfcache.Cached{}, false
	}
	c, ok := s.cache.Find(f.Repo, f.Revision, f.PathInRepo)
	if !ok || (f.Size > 0 && c.Size != f.Size) {
		return hfcache.Cached{}, false // absent, or truncated: fetched again
	}
	if c.Etag != "" { // plain files (no symlinks) carry no etag: pin on the first download instead
		lk.Files[f.Key()] = entry(f, c.Commit, c.Size, c.Etag)
	}
	return c, true
}

func entry(f File, commit string, size int64, etag string) LockEntry {
	e := LockEntry{Repo: f.Repo, Revision: f.Revision, Path: f.PathInRepo, Commit: commit, Size: size, Etag: etag}
	if len(etag) == 64 {
		e.SHA256 = etag
	}
	return e
}

func (s *Store) loadLock() (Lock, error) { return LoadLock(s.opt.LockPath) }

// saveLock adds lk's new pins to the file on disk. Existing pins are never
// replaced here (only UpdateLocks moves a pin), so two concurrent Ensure calls
// cannot undo each other's records.
func (s *Store) saveLock(lk Lock) {
	disk, err := s.loadLock()
	if err != nil {
		s.log.Warn("models: lock file unreadable; not updating it", "err", err)
		return
	}
	changed := false
	for k, e := range lk.Files {
		if _, ok := disk.Files[k]; !ok {
			disk.Files[k] = e
			changed = true
		}
	}
	if !changed {
		return
	}
	if err := disk.Save(s.opt.LockPath); err != nil {
		s.log.Warn("models: could not save the lock file", "err", err)
	}
}

// Plan says, in one call, which of refs are present, how many bytes are
// missing and how much room the disk has. Sizes of missing files come from the
// lock file, else from a HEAD per file (skipped offline).
func (s *Store) Plan(ctx context.Context, refs []Ref) (Plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	files, err := s.files(refs)
	if err != nil {
		return Plan{}, err
	}
	lk, err := s.loadLock()
	if err != nil {
		return Plan{}, err
	}
	p := Plan{CacheDir: s.cache.Dir, Offline: s.opt.Env.Offline}
	for _, f := range files {
		st := FileStatus{File: f, Size: -1}
		if c, ok := s.findLocal(f, &lk); ok {
			st.Present, st.Path, st.Commit, st.Size = true, c.Path, c.Commit, c.Size
			p.Files = append(p.Files, st)
			continue
		}
		var etag string
		if e, ok := lk.Files[f.Key()]; ok {
			st.Size, st.Commit, etag = e.Size, e.Commit, e.Etag
		} else if f.Size > 0 {
			st.Size = f.Size
		}
		if (st.Size < 0 || etag == "") && !s.opt.Env.Offline {
			m, err := s.resolve(ctx, f, &lk)
			if err != nil {
				if ctx.Err() != nil {
					return Plan{}, ctx.Err()
				}
				st.Problem = err.Error()
			} else {
				st.Size, st.Commit, etag = m.Size, m.Commit, m.Etag
			}
		}
		if st.Size >= 0 {
			st.Missing = st.Size
			if etag != "" {
				st.Missing -= s.partial(f.Repo, etag)
				if s.blobComplete(f.Repo, etag, st.Size) {
					st.Missing = 0 // same bytes already cached under another commit
				}
			}
			p.MissingBytes += st.Missing
		} else {
			p.UnknownSizes++
			if st.Problem == "" && s.opt.Env.Offline {
				st.Problem = "not in the cache, and offline (HF_HUB_OFFLINE=1)"
			}
		}
		p.Files = append(p.Files, st)
	}
	s.saveLock(lk)
	p.FreeBytes, _ = s.freeSpace(s.cache.Dir)
	return p, nil
}

func (s *Store) freeSpace(dir string) (uint64, error) {
	if s.opt.Download.FreeSpace != nil {
		return s.opt.Download.FreeSpace(dir)
	}
	return download.DiskFree(dir)
}

// partial counts bytes already in a resumable partial download.
func (s *Store) partial(repo, etag string) int64 {
	st, err := download.ReadState(download.StatePath(s.cache.BlobPath(repo, etag)))
	if err != nil {
		return 0
	}
	return st
}

// resolve asks the hub for f at its pinned commit (or revision) and checks
// the answer against the pin; a first resolve records the pin.
func (s *Store) resolve(ctx context.Context, f File, lk *Lock) (download.Meta, error) {
	rev := f.Revision
	pin, pinned := lk.Files[f.Key()]
	if pinned {
		rev = pin.Commit
	}
	s.metaMu.Lock()
	r, hit := s.metas[f.Key()]
	s.metaMu.Unlock()
	var m download.Meta
	var err error
	if hit && time.Since(r.at) < metaTTL && (!pinned || r.m.Commit == pin.Commit) {
		m = r.m
	} else {
		m, err = s.dl.Resolve(ctx, s.opt.Env.Endpoint, f.Repo, rev, f.PathInRepo)
	}
	if err != nil {
		var nf *download.NotFoundError
		if errors.As(err, &nf) && nf.Commit != "" {
			_ = s.cache.MarkNoExist(f.Repo, nf.Commit, f.PathInRepo)
			if !hfcache.IsCommit(rev) {
				_ = s.cache.WriteRef(f.Repo, rev, nf.Commit)
			}
		}
		return m, err
	}
	if pinned && (m.Etag != pin.Etag || m.Size != pin.Size) {
		return m, fmt.Errorf("%s/%s at pinned commit %s is now served as %s (%d bytes), not %s (%d bytes) as recorded; not downloading it",
			f.Repo, f.PathInRepo, pin.Commit, m.Etag, m.Size, pin.Etag, pin.Size)
	}
	if f.SHA256 != "" && len(m.Etag) == 64 && m.Etag != f.SHA256 {
		return m, fmt.Errorf("%s/%s: hub serves sha256 %s, registry expects %s", f.Repo, f.PathInRepo, m.Etag, f.SHA256)
	}
	if !pinned {
		lk.Files[f.Key()] = entry(f, m.Commit, m.Size, m.Etag)
	}
	s.metaMu.Lock()
	s.metas[f.Key()] = resolved{m: m, at: time.Now()}
	s.metaMu.Unlock()
	return m, nil
}

package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
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

// Phase of a Progress event.
type Phase string

const (
	PhaseChecking    Phase = "checking"
	PhaseDownloading Phase = "downloading"
	PhaseVerifying   Phase = "verifying"
	PhaseDone        Phase = "done"   // this file is present
	PhaseFailed      Phase = "failed" // Err says why; other files go on
	PhaseLinked      Phase = "linked" // all files linked; Link holds the report
)

// Progress is one event of Ensure, per file and in total.
type Progress struct {
	File        Ref
	Phase       Phase
	Done, Total int64 // this file's bytes
	AllDone     int64 // all files' bytes
	AllTotal    int64
	Rate        float64       // bytes/s over the last few seconds, all files
	ETA         time.Duration // for all files; 0 when unknown
	Err         error
	Link        *link.Report
}

// Ensure makes every ref present in the cache (downloading what is missing,
// verified) and, with a ComfyUI folder, linked where ComfyUI looks. Cancel
// ctx to stop (that is also "pause": the part state stays and the next Ensure
// resumes it). A failure of one file does not stop the others; the error
// lists them all.
func (s *Store) Ensure(ctx context.Context, refs []Ref, progress func(Progress)) error {
	if progress == nil {
		progress = func(Progress) {}
	}
	files, ferr := s.files(refs)
	s.mu.Lock()
	lk, err := s.loadLock()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	type job struct {
		f    File
		meta download.Meta
	}
	var (
		errs    []error
		present = map[Ref]string{}
		jobs    []job
	)
	if ferr != nil {
		errs = append(errs, ferr)
	}
	for _, f := range files {
		s.mu.Lock()
		c, ok := s.findLocal(f, &lk)
		s.mu.Unlock()
		if ok {
			present[f.Ref()] = c.Path
			progress(Progress{File: f.Ref(), Phase: PhaseDone, Done: c.Size, Total: c.Size})
			continue
		}
		if s.opt.Env.Offline {
			errs = append(errs, fmt.Errorf("%s is not in the Hugging Face cache and downloads are off (HF_HUB_OFFLINE=1)", f.Ref()))
			progress(Progress{File: f.Ref(), Phase: PhaseFailed, Err: errs[len(errs)-1]})
			continue
		}
		progress(Progress{File: f.Ref(), Phase: PhaseChecking})
		m, err := s.resolve(ctx, f, &lk)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
			progress(Progress{File: f.Ref(), Phase: PhaseFailed, Err: err})
			continue
		}
		jobs = append(jobs, job{f, m})
	}
	s.mu.Lock()
	s.saveLock(lk)
	s.mu.Unlock()

	// One free-space check for the whole batch: needed vs free, in the message.
	var need, done0 int64
	blobs := map[string]bool{}
	for _, j := range jobs {
		if blobs[j.meta.Etag] {
			continue
		}
		blobs[j.meta.Etag] = true
		if s.blobComplete(j.f.Repo, j.meta.Etag, j.meta.Size) {
			continue
		}
		need += j.meta.Size - s.partial(j.f.Repo, j.meta.Etag)
		done0 += s.partial(j.f.Repo, j.meta.Etag)
	}
	if need > 0 {
		if free, err := s.freeSpace(s.cache.Dir); err == nil && !download.Fits(need, free) {
			err := &download.SpaceError{Dir: s.cache.Dir, Need: uint64(need), Free: free, Margin: download.SpaceMargin(need)}
			for _, j := range jobs {
				progress(Progress{File: j.f.Ref(), Phase: PhaseFailed, Err: err})
			}
			return errors.Join(append(errs, err)...)
		}
	}
	allTotal := need + done0
	rate := newRater()
	var allDone int64
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := s.fetchOne(ctx, j.f, j.meta, func(done int64, ph download.Phase) {
			now := allDone + done
			r := rate.add(time.Now(), now)
			ev := Progress{File: j.f.Ref(), Phase: PhaseDownloading, Done: done, Total: j.meta.Size, AllDone: now, AllTotal: allTotal, Rate: r}
			if ph == download.Verifying {
				ev.Phase = PhaseVerifying
			}
			if r > 0 && allTotal > now {
				ev.ETA = time.Duration(float64(allTotal-now) / r * float64(time.Second))
			}
			progress(ev)
		})
		allDone += j.meta.Size
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
			progress(Progress{File: j.f.Ref(), Phase: PhaseFailed, Err: err})
			continue
		}
		present[j.f.Ref()] = p
		progress(Progress{File: j.f.Ref(), Phase: PhaseDone, Done: j.meta.Size, Total: j.meta.Size, AllDone: allDone, AllTotal: allTotal})
	}
	if s.linker != nil && len(present) > 0 {
		rep, err := s.link(present)
		if err != nil {
			errs = append(errs, err)
		}
		progress(Progress{Phase: PhaseLinked, Link: &rep, AllDone: allDone, AllTotal: allTotal})
	}
	return errors.Join(errs...)
}

// fetchOne downloads one blob (joining a running transfer of the same blob)
// and links it into its snapshot.
func (s *Store) fetchOne(ctx context.Context, f File, m download.Meta, tick func(int64, download.Phase)) (string, error) {
	if err := s.cache.EnsureLayout(f.Repo); err != nil {
		return "", err
	}
	blob := s.cache.BlobPath(f.Repo, m.Etag)
	s.dropDamagedBlob(blob, m.Size)
	if !s.blobComplete(f.Repo, m.Etag, m.Size) {
		s.log.Info("models: downloading", "repo", f.Repo, "path", f.PathInRepo, "commit", m.Commit, "bytes", m.Size)
		t := s.dl.Start(m, blob)
		waitErr := make(chan error, 1)
		go func() { waitErr <- s.dl.Wait(ctx, t) }()
		tk := time.NewTicker(s.opt.SampleEvery)
		defer tk.Stop()
	loop:
		for {
			select {
			case err := <-waitErr:
				if err != nil {
					return "", err
				}
				break loop
			case <-tk.C:
				tick(t.Done(), t.Phase())
			}
		}
		tick(t.Done(), download.Verifying)
		if t.Verified() {
			s.book.record(blob, m.Etag)
		}
		s.log.Info("models: downloaded and verified", "repo", f.Repo, "path", f.PathInRepo, "etag", m.Etag)
	}
	if !hfcache.IsCommit(f.Revision) {
		if err := s.cache.WriteRef(f.Repo, f.Revision, m.Commit); err != nil {
			return "", fmt.Errorf("models: record refs/%s for %s: %w", f.Revision, f.Repo, err)
		}
	}
	return s.cache.LinkSnapshot(f.Repo, m.Commit, f.PathInRepo, m.Etag)
}

func (s *Store) link(present map[Ref]string) (link.Report, error) {
	refs := make([]Ref, 0, len(present))
	for r := range present {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	items := make([]link.Item, len(refs))
	for i, r := range refs {
		items[i] = link.Item{Folder: r.Folder, Name: r.Name, Source: present[r]}
	}
	return s.linker.Link(items)
}

// Link links already-present refs into ComfyUI without fetching anything.
func (s *Store) Link(refs []Ref) (link.Report, error) {
	if s.linker == nil {
		return link.Report{}, errors.New("models: no ComfyUI folder configured to link into")
	}
	files, ferr := s.files(refs)
	s.mu.Lock()
	lk, err := s.loadLock()
	present := map[Ref]string{}
	var missing []string
	for _, f := range files {
		if c, ok := s.findLocal(f, &lk); ok {
			present[f.Ref()] = c.Path
		} else {
			missing = append(missing, f.Ref().String())
		}
	}
	s.mu.Unlock()
	if err != nil {
		return link.Report{}, err
	}
	rep, lerr := s.link(present)
	var merr error
	if len(missing) > 0 {
		merr = fmt.Errorf("not downloaded yet: %s", strings.Join(missing, ", "))
	}
	return rep, errors.Join(ferr, lerr, merr)
}

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

// rater keeps a few seconds of (time, bytes) samples for rate and ETA.
type rater struct {
	t []time.Time
	b []int64
}

func newRater() *rater { return &rater{} }

func (r *rater) add(now time.Time, bytes int64) float64 {
	r.t = append(r.t, now)
	r.b = append(r.b, bytes)
	for len(r.t) > 2 && now.Sub(r.t[0]) > 5*time.Second {
		r.t, r.b = r.t[1:], r.b[1:]
	}
	dt := now.Sub(r.t[0]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(r.b[len(r.b)-1]-r.b[0]) / dt
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

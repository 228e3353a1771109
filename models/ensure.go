package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/models/link"
)

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

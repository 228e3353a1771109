package download

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// Config tunes a Downloader; zero values get the defaults noted.
type Config struct {
	Client       *http.Client                     // default: http.DefaultTransport, no overall timeout
	Token        string                           // sent only to the hub's own host
	MaxParts     int                              // parallel ranged parts per file (16)
	MinPartSize  int64                            // smallest part (8 MiB)
	StallTimeout time.Duration                    // no byte for this long restarts a part (30 s)
	MaxTries     int                              // tries per part, stalls not counted (6)
	Backoff      time.Duration                    // first retry pause, doubled each try (500 ms)
	SaveEvery    time.Duration                    // part-state checkpoint period (1 s)
	MetaTimeout  time.Duration                    // one HEAD on the hub, like HF_HUB_ETAG_TIMEOUT (10 s)
	FreeSpace    func(dir string) (uint64, error) // free bytes on dir's volume (gopsutil)
	Redact       func(string) string              // strips secrets from messages
	Logf         func(format string, args ...any) // optional debug log
}

func (c *Config) redact(s string) string {
	if c.Redact != nil {
		return c.Redact(s)
	}
	return s
}

// Downloader runs transfers; identical requests (same destination blob) join
// one transfer. It holds no package-level state.
type Downloader struct {
	cfg        Config
	client     *http.Client
	noRedirect *http.Client

	mu    sync.Mutex
	calls map[string]*Transfer
}

// New makes a Downloader.
func New(cfg Config) *Downloader {
	if cfg.MaxParts <= 0 {
		cfg.MaxParts = 16
	}
	if cfg.MaxParts > 16 {
		cfg.MaxParts = 16
	}
	if cfg.MinPartSize <= 0 {
		cfg.MinPartSize = 8 << 20
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = 30 * time.Second
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 6
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = time.Second
	}
	if cfg.MetaTimeout <= 0 {
		cfg.MetaTimeout = 10 * time.Second
	}
	if cfg.FreeSpace == nil {
		cfg.FreeSpace = DiskFree
	}
	c := cfg.Client
	if c == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		tr.DisableCompression = true
		c = &http.Client{Transport: tr}
	}
	nr := *c
	nr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Downloader{cfg: cfg, client: c, noRedirect: &nr, calls: map[string]*Transfer{}}
}

// Phase of a transfer.
type Phase int32

const (
	Downloading Phase = iota
	Verifying
	Finished
)

// Transfer is one running download; several waiters may share it.
type Transfer struct {
	Meta    Meta
	Dest    string
	done    atomic.Int64
	phase   atomic.Int32
	waiting atomic.Bool
	hashed  atomic.Bool // the bytes were hashed here and matched the etag
	finish  chan struct{}
	err     error
	cancel  context.CancelFunc
	refs    int // guarded by Downloader.mu
}

// Done is the number of bytes on disk so far (including resumed ones).
func (t *Transfer) Done() int64 { return t.done.Load() }

// Phase says whether bytes are still coming or the file is being verified.
func (t *Transfer) Phase() Phase { return Phase(t.phase.Load()) }

// Finished is closed when the transfer ends.
func (t *Transfer) Finished() <-chan struct{} { return t.finish }

// Start begins (or joins) the download of meta into dest (blobs/<etag>).
// Every Start must be paired with one Wait.
func (d *Downloader) Start(meta Meta, dest string) *Transfer {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.calls[dest]; ok {
		t.refs++
		return t
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transfer{Meta: meta, Dest: dest, finish: make(chan struct{}), cancel: cancel, refs: 1}
	d.calls[dest] = t
	go func() {
		t.err = d.fetch(ctx, t)
		cancel()
		t.phase.Store(int32(Finished))
		d.mu.Lock()
		delete(d.calls, dest)
		d.mu.Unlock()
		close(t.finish)
	}()
	return t
}

// Wait blocks until the transfer ends or ctx is done. Leaving early drops
// this waiter; when the last waiter leaves the transfer stops, keeping its
// part state so the next Start resumes it (this is how pause works).
func (d *Downloader) Wait(ctx context.Context, t *Transfer) error {
	select {
	case <-t.finish:
		return t.err
	case <-ctx.Done():
	}
	d.mu.Lock()
	t.refs--
	last := t.refs == 0
	d.mu.Unlock()
	if last {
		t.cancel()
		<-t.finish // part state is saved before Wait returns
	}
	return ctx.Err()
}

// Download is Start + Wait.
func (d *Downloader) Download(ctx context.Context, meta Meta, dest string) error {
	return d.Wait(ctx, d.Start(meta, dest))
}

// VerifyError says the downloaded bytes do not match their etag.
type VerifyError struct {
	Repo, Path, Want, Got string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("%s/%s failed verification: expected %s, got %s; the damaged download was deleted, try again", e.Repo, e.Path, e.Want, e.Got)
}

func (d *Downloader) fetch(ctx context.Context, t *Transfer) error {
	m, dest := t.Meta, t.Dest
	if !hfcache.ValidEtag(m.Etag) || filepath.Base(dest) != m.Etag {
		return fmt.Errorf("download: destination %s does not match etag %q", dest, m.Etag)
	}
	// huggingface_hub's own lock on this blob: a Python tool (or another
	// ltx-studio process) writing the same blob finishes first, and its file
	// is then reused below instead of fetched again.
	lock, err := d.lockBlob(ctx, t)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if fi, err := os.Stat(dest); err == nil && fi.Size() == m.Size {
		t.done.Store(m.Size)
		return nil
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("download: create %s: %w", dir, err)
	}
	st, resumed := d.loadState(dest, m)
	if !resumed {
		st = d.newState(m)
	}
	var have int64
	for _, p := range st.Parts {
		have += p.Done
	}
	t.done.Store(have)
	if free, err := d.cfg.FreeSpace(dir); err == nil {
		need := uint64(m.Size - have)
		if !resumed {
			need = uint64(m.Size)
		}
		if !Fits(int64(need), free) {
			return &SpaceError{Dir: dir, Need: need, Free: free, Margin: SpaceMargin(int64(need))}
		}
	}
	flags := os.O_RDWR | os.O_CREATE
	if !resumed {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(Incomplete(dest), flags, 0o600)
	if err != nil {
		return fmt.Errorf("download: open partial file: %w", err)
	}
	if !resumed {
		// Truncate to full size makes a sparse file on most filesystems; parts
		// then write at their own offsets.
		if err := f.Truncate(m.Size); err != nil {
			f.Close()
			return fmt.Errorf("download: size partial file: %w", err)
		}
	}
	dones := make([]atomic.Int64, len(st.Parts))
	for i, p := range st.Parts {
		dones[i].Store(p.Done)
	}
	var saveMu sync.Mutex
	save := func() {
		saveMu.Lock()
		defer saveMu.Unlock()
		// Data first, then the state that claims it, so a crash never leaves a
		// state pointing past bytes that did not reach the disk.
		_ = f.Sync()
		cp := fileState{Etag: st.Etag, Size: st.Size, Parts: append([]partState(nil), st.Parts...)}
		for i := range cp.Parts {
			cp.Parts[i].Done = dones[i].Load()
		}
		b, _ := json.Marshal(cp)
		_ = fileio.WriteAtomic(StatePath(dest), b, 0o600)
	}
	save()

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		tk := time.NewTicker(d.cfg.SaveEvery)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				save()
			case <-stopSaver:
				return
			}
		}
	}()
	// Hash the contiguous finished prefix while the rest still downloads, so
	// verification costs little after the last byte (the pages are still hot).
	h := newHash(m)
	var hashed int64
	var hashErr error
	prefix := func() int64 {
		for i, p := range st.Parts {
			if d := dones[i].Load(); d < p.End-p.Start {
				return p.Start + d
			}
		}
		return m.Size
	}
	hashTo := func(limit int64) {
		if hashErr == nil && limit > hashed {
			_, hashErr = io.Copy(h, io.NewSectionReader(f, hashed, limit-hashed))
			hashed = limit
		}
	}
	stopHasher := make(chan struct{})
	hasherDone := make(chan struct{})
	go func() {
		defer close(hasherDone)
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				hashTo(prefix())
			case <-stopHasher:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for i := range st.Parts {
		p := st.Parts[i]
		if dones[i].Load() >= p.End-p.Start {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.runPart(pctx, t, f, p, &dones[i]); err != nil {
				errOnce.Do(func() { firstErr = err; cancel() })
			}
		}()
	}
	wg.Wait()
	close(stopSaver)
	close(stopHasher)
	<-saverDone
	<-hasherDone
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		save()
		f.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return firstErr
	}
	t.phase.Store(int32(Verifying))
	hashTo(m.Size)
	got, err := hex.EncodeToString(h.Sum(nil)), hashErr
	f.Close()
	if err != nil {
		return fmt.Errorf("download: read back %s: %w", Incomplete(dest), err)
	}
	if got != m.Etag {
		_ = os.Remove(Incomplete(dest))
		_ = os.Remove(StatePath(dest))
		return &VerifyError{Repo: m.Repo, Path: m.Path, Want: m.Etag, Got: got}
	}
	t.hashed.Store(true)
	_ = os.Chmod(Incomplete(dest), 0o644)
	if err := os.Rename(Incomplete(dest), dest); err != nil {
		return fmt.Errorf("download: move finished file into place: %w", err)
	}
	_ = os.Remove(StatePath(dest))
	return nil
}

// newHash computes the etag of the content: sha256 for 64-hex etags (LFS),
// git blob sha1 for 40-hex ones.
func newHash(m Meta) hash.Hash { return HashFor(m.Etag, m.Size) }

// HashFor is the hash whose hex digest equals etag for content of size bytes.
func HashFor(etag string, size int64) hash.Hash {
	if len(etag) == 40 {
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", size)
		return h
	}
	return sha256.New()
}

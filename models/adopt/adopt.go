package adopt

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/filelock"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// Method is how an adopted file entered the cache.
type Method string

const (
	// Hardlinked: the cache's blob is a second name of the same bytes; the
	// user's file stays where it was, no byte copied.
	Hardlinked Method = "hardlink"
	// Moved: the file was moved into the cache (the person allowed it) and a
	// link left where it was, so the other ComfyUI still finds it.
	Moved Method = "moved"
	// LinkedInPlace: the cache's blob is a symlink to the user's file; it
	// must stay where it is.
	LinkedInPlace Method = "linked in place"
	// AlreadyCached: the cache held these bytes already.
	AlreadyCached Method = "already in the cache"
)

// Options adjust Adopt.
type Options struct {
	// AllowMove lets Adopt move a file into the cache when a hard link is
	// impossible (another drive); without it the cache links to the file.
	AllowMove bool
	// Progress reports the bytes hashed so far (optional).
	Progress func(done, total int64)
	// Waiting is told (once) when another process is writing the same blob
	// and Adopt waits for it (optional).
	Waiting func()
	// Link and Symlink default to os.Link and os.Symlink; tests play a
	// filesystem that refuses.
	Link, Symlink func(oldname, newname string) error
}

// lockPoll is how often a blob lock held elsewhere is tried again, as the
// downloader does (models/download).
const lockPoll = 250 * time.Millisecond

// Adopted is the outcome for one file taken into the cache.
type Adopted struct {
	Found
	Method   Method
	Snapshot string // its path in the cache's snapshot, where ComfyUI is linked to
}

// MismatchError says a found file is not the registry's file: it is
// reported and never used.
type MismatchError struct {
	Path, Why string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s is not the expected file (%s); it is left alone and the file is downloaded instead", e.Path, e.Why)
}

// Adopt checks f against want (size, then the content hash the hub names
// it by) and takes it into the cache without a copy: a hard link, else a
// move when allowed, else a link to it where it is.
func Adopt(ctx context.Context, cache hfcache.Cache, f Found, want models.Expected, o Options) (Adopted, error) {
	if o.Link == nil {
		o.Link = os.Link
	}
	if o.Symlink == nil {
		o.Symlink = os.Symlink
	}
	out := Adopted{Found: f}
	if !hfcache.ValidEtag(want.Etag) || !hfcache.IsCommit(want.Commit) {
		return out, fmt.Errorf("adopting %s: the hub's checksum for it is unknown", f.Ref)
	}
	if f.Size != want.Size {
		return out, &MismatchError{Path: f.Path, Why: fmt.Sprintf("%d bytes, the hub's file has %d", f.Size, want.Size)}
	}
	if err := Verify(ctx, f.Real, want.Etag, want.Size, o.Progress); err != nil {
		return out, err
	}
	if err := cache.EnsureLayout(want.Repo); err != nil {
		return out, err
	}
	blob := cache.BlobPath(want.Repo, want.Etag)
	// huggingface_hub's own lock for this blob, which our downloader takes
	// too: a download or a Python tool writing the blob is waited for (its
	// file is then reused), and none starts writing it while we place ours.
	lock, err := filelock.Acquire(ctx, hfcache.BlobLockPath(blob), lockPoll, o.Waiting)
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, fmt.Errorf("adopting %s: %w", f.Ref, err)
	}
	m, err := place(f, blob, o)
	lock.Unlock()
	if err != nil {
		return out, err
	}
	out.Method = m
	if !hfcache.IsCommit(want.Revision) {
		if err := cache.WriteRef(want.Repo, want.Revision, want.Commit); err != nil {
			return out, fmt.Errorf("adopting %s: %w", f.Ref, err)
		}
	}
	if out.Snapshot, err = cache.LinkSnapshot(want.Repo, want.Commit, want.PathInRepo, want.Etag); err != nil {
		return out, fmt.Errorf("adopting %s: %w", f.Ref, err)
	}
	return out, nil
}

func place(f Found, blob string, o Options) (Method, error) {
	if _, err := os.Stat(blob); err == nil {
		return AlreadyCached, nil
	}
	if err := o.Link(f.Real, blob); err == nil {
		return Hardlinked, nil
	}
	if o.AllowMove {
		if err := os.Rename(f.Real, blob); err == nil {
			// The other ComfyUI keeps its file name; if even a link is refused
			// there, the move still stands (the person allowed it).
			_ = o.Symlink(blob, f.Real)
			return Moved, nil
		}
	}
	if err := o.Symlink(f.Real, blob); err != nil {
		return "", fmt.Errorf("could not take %s into the model cache without copying it (no hard link, move or link works there): %w", f.Path, err)
	}
	return LinkedInPlace, nil
}

// Verify reads the file once and checks it against etag: a sha256 (LFS
// files) or a git blob sha1 (small files kept in git).
func Verify(ctx context.Context, path, etag string, size int64, progress func(done, total int64)) error {
	var h hash.Hash
	switch len(etag) {
	case 64:
		h = sha256.New()
	case 40:
		h = sha1.New()
		h.Write([]byte("blob " + strconv.FormatInt(size, 10) + "\x00"))
	default:
		return fmt.Errorf("verifying %s: unknown checksum %q", path, etag)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("verifying %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		done += int64(n)
		if progress != nil && n > 0 {
			progress(done, size)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("verifying %s: %w", path, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != etag {
		return &MismatchError{Path: path, Why: fmt.Sprintf("checksum %s…, the hub's is %s…", got[:12], etag[:12])}
	}
	return nil
}

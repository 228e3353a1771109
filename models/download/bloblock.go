package download

import (
	"context"
	"fmt"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/filelock"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// lockPoll is how often a blob lock held elsewhere is tried again (Python's
// filelock polls every 50 ms; a download takes minutes, so 250 ms is plenty).
const lockPoll = 250 * time.Millisecond

// lockBlob takes huggingface_hub's lock for t's blob, waiting while another
// process holds it. Cancelling ctx ends the wait.
func (d *Downloader) lockBlob(ctx context.Context, t *Transfer) (*filelock.Lock, error) {
	p := hfcache.BlobLockPath(t.Dest)
	l, err := filelock.Acquire(ctx, p, lockPoll, func() {
		t.waiting.Store(true)
		if d.cfg.Logf != nil {
			d.cfg.Logf("download: %s/%s is being written by another process (%s held); waiting for it", t.Meta.Repo, t.Meta.Path, p)
		}
	})
	t.waiting.Store(false)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("download: cannot lock %s: %w", p, err)
	}
	return l, nil
}

// Waiting reports whether the transfer waits for another process that is
// writing the same blob.
func (t *Transfer) Waiting() bool { return t.waiting.Load() }

// Verified reports whether this transfer hashed the bytes and found them
// matching (false when it reused a blob another process had written).
func (t *Transfer) Verified() bool { return t.hashed.Load() }

package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type fatal struct{ error }

func (e fatal) Unwrap() error { return e.error }

// runPart fetches one part with retries; a stall restarts it without using a try.
func (d *Downloader) runPart(ctx context.Context, t *Transfer, f *os.File, p partState, done *atomic.Int64) error {
	tries, stalls := 0, 0
	for {
		before := done.Load()
		err := d.getRange(ctx, t, f, p, done)
		if err == nil || ctx.Err() != nil {
			return err
		}
		var fe fatal
		if errors.As(err, &fe) {
			return fe.error
		}
		// Stalls after progress are free; a server that sends nothing at
		// all, stall after stall, is given up on rather than waited on forever.
		if stalls++; !errors.Is(err, errStall) || done.Load() > before {
			stalls = 0
		}
		if stalls >= maxStalls {
			return fmt.Errorf("download of %s/%s stopped: the storage server sent no data for %d tries of %s; check the connection and try again", t.Meta.Repo, t.Meta.Path, stalls, d.cfg.StallTimeout)
		}
		if !errors.Is(err, errStall) {
			tries++
			if tries >= d.cfg.MaxTries {
				return fmt.Errorf("download of %s/%s failed after %d tries: %w", t.Meta.Repo, t.Meta.Path, tries, err)
			}
			sleep := d.cfg.Backoff << (tries - 1)
			sleep += time.Duration(rand.Int64N(int64(sleep)/2 + 1))
			select {
			case <-time.After(sleep):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if d.cfg.Logf != nil {
			d.cfg.Logf("download: retrying %s part at %d: %v", t.Meta.Path, p.Start+done.Load(), err)
		}
	}
}

var errStall = errors.New("no data received (stalled)")

// maxStalls is how many stalls in a row, without a byte between, end a part.
const maxStalls = 5

func (d *Downloader) getRange(ctx context.Context, t *Transfer, f *os.File, p partState, done *atomic.Int64) error {
	off := p.Start + done.Load()
	if off >= p.End {
		return nil
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, t.Meta.URL, nil)
	if err != nil {
		return fatal{err}
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(p.End-1, 10))
	req.Header.Set("Accept-Encoding", "identity")
	if d.cfg.Token != "" && t.Meta.sameHostAsHub() {
		req.Header.Set("Authorization", "Bearer "+d.cfg.Token)
	}
	// The watchdog covers the wait for headers too.
	watch := time.AfterFunc(d.cfg.StallTimeout, func() { cancel(errStall) })
	defer watch.Stop()
	resp, err := d.client.Do(req)
	if err != nil {
		if context.Cause(rctx) == errStall {
			return errStall
		}
		return fmt.Errorf("%s", d.cfg.redact(err.Error()))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		// Bytes from another offset would only show up as a failed hash
		// after the whole file; a missing header is tolerated.
		if cr := resp.Header.Get("Content-Range"); cr != "" && !strings.HasPrefix(cr, "bytes "+strconv.FormatInt(off, 10)+"-") {
			return fatal{fmt.Errorf("storage server sent the wrong byte range for %s/%s (asked from %d, got %q)", t.Meta.Repo, t.Meta.Path, off, cr)}
		}
	case resp.StatusCode == http.StatusOK && off == 0 && p.End == t.Meta.Size:
		// whole-file answer to a whole-file range: fine
	case resp.StatusCode == http.StatusOK:
		return fatal{fmt.Errorf("storage server ignored the byte range for %s/%s; cannot download in parts", t.Meta.Repo, t.Meta.Path)}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fatal{&AuthError{Repo: t.Meta.Repo, Status: resp.StatusCode, HasToken: d.cfg.Token != ""}}
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &StatusError{URL: d.cfg.redact(t.Meta.URL), Status: resp.StatusCode}
	default:
		return fatal{&StatusError{URL: d.cfg.redact(t.Meta.URL), Status: resp.StatusCode}}
	}
	buf := make([]byte, 256<<10)
	for off < p.End {
		want := int64(len(buf))
		if r := p.End - off; r < want {
			want = r
		}
		n, rerr := io.ReadFull(resp.Body, buf[:want])
		if n > 0 {
			watch.Reset(d.cfg.StallTimeout)
			if _, werr := f.WriteAt(buf[:n], off); werr != nil {
				if errors.Is(werr, syscall.ENOSPC) {
					return fatal{fmt.Errorf("the disk filled up while downloading %s: %w", t.Meta.Path, werr)}
				}
				return fatal{fmt.Errorf("write partial file: %w", werr)}
			}
			off += int64(n)
			done.Add(int64(n))
			t.done.Add(int64(n))
		}
		if rerr != nil {
			if off >= p.End {
				return nil
			}
			if context.Cause(rctx) == errStall {
				return errStall
			}
			return fmt.Errorf("connection dropped at byte %d: %s", off, d.cfg.redact(rerr.Error()))
		}
	}
	return nil
}

func hostOf(u string) string {
	if r, err := http.NewRequest(http.MethodGet, u, nil); err == nil {
		return r.URL.Host
	}
	return ""
}

// sameHostAsHub is true when the bytes come from the resolve URL itself (small
// non-LFS files), the only case where the token goes along.
func (m Meta) sameHostAsHub() bool { return m.hubHost != "" && hostOf(m.URL) == m.hubHost }

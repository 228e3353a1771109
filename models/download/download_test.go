package download

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/models/hftest"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func data(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func serve(t testing.TB, n int) (*hftest.Server, hftest.File) {
	f := hftest.File{Data: data(n), LFS: true}
	s := hftest.New(map[string]hftest.Repo{"org/m": {Commit: commit, Files: map[string]hftest.File{"w.safetensors": f}}})
	t.Cleanup(s.Close)
	return s, f
}

func TestResolveReadsMetadataFromCrossHostRedirect(t *testing.T) {
	s, f := serve(t, 1000)
	d := New(Config{})
	m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if m.Commit != commit || m.Etag != f.Etag() || m.Size != 1000 || !strings.Contains(m.URL, "/blobs/"+f.Etag()) || strings.Contains(m.URL, s.URL()) {
		t.Fatalf("meta = %+v", m)
	}
	for _, bad := range []struct{ repo, p string }{{"../x", "a"}, {"org/m", "../../etc/passwd"}, {"org/m", "/abs"}} {
		if _, err := d.Resolve(context.Background(), s.URL(), bad.repo, "main", bad.p); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// A hub (or mirror) that redirects without X-Linked-Size gives an error
// about the size, not a 0-byte download that then "fails verification".
func TestResolveWithoutSizeSaysSo(t *testing.T) {
	const etag = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	for _, size := range []string{"", "lots"} {
		hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Repo-Commit", commit)
			w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
			if size != "" {
				w.Header().Set("X-Linked-Size", size)
			}
			w.Header().Set("Location", "http://storage.invalid/blob")
			w.WriteHeader(http.StatusFound)
		}))
		_, err := New(Config{}).Resolve(context.Background(), hub.URL, "org/m", "main", "w.safetensors")
		hub.Close()
		if err == nil || !strings.Contains(err.Error(), "no size") {
			t.Errorf("X-Linked-Size %q: err = %v", size, err)
		}
	}
}

// A storage server that answers a range with other bytes is stopped at once
// and nothing is moved into blobs/.
func TestWrongContentRangeIsRefused(t *testing.T) {
	body := data(1000)
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-999/1000") // ignores the asked offset
		w.WriteHeader(http.StatusPartialContent)
		w.Write(body)
	}))
	defer store.Close()
	dest := filepath.Join(t.TempDir(), "blobs", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	m := Meta{Repo: "org/m", Path: "w", Commit: commit, Etag: filepath.Base(dest), Size: 1000, URL: store.URL}
	d := New(Config{MinPartSize: 250, MaxTries: 1})
	err := d.Download(context.Background(), m, dest)
	if err == nil || !strings.Contains(err.Error(), "wrong byte range") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("a blob was put in place")
	}
}

func TestServerThatNeverSendsGivesUp(t *testing.T) {
	s, _ := serve(t, 1000)
	s.StallFirst.Store(1000)
	d := New(Config{StallTimeout: 20 * time.Millisecond})
	m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "blobs", m.Etag)
	err = d.Download(context.Background(), m, dest)
	if err == nil || !strings.Contains(err.Error(), "sent no data") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(StatePath(dest)); err != nil {
		t.Errorf("part state not kept for a later resume: %v", err)
	}
}

func TestStalledPartIsRestarted(t *testing.T) {
	s, f := serve(t, 600_000)
	s.StallFirst.Store(1)
	d := New(Config{MinPartSize: 200_000, StallTimeout: 200 * time.Millisecond, MaxTries: 1})
	m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), m.Etag)
	// MaxTries 1: only a stall restart (which uses no try) can save it.
	if err := d.Download(context.Background(), m, dest); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, f.Data) {
		t.Fatal("content differs")
	}
	if n := len(s.Ranges()); n != 4 {
		t.Errorf("%d range requests, want 3 parts + 1 restart", n)
	}
}

func TestIdenticalRequestsJoinOneTransfer(t *testing.T) {
	s, f := serve(t, 1_000_000)
	d := New(Config{MinPartSize: 250_000, Backoff: 10 * time.Millisecond})
	m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), m.Etag)
	s.PauseAfter.Store(1) // hold the first transfer until both have joined
	t1 := d.Start(m, dest)
	t2 := d.Start(m, dest)
	if t1 != t2 {
		t.Fatal("second request did not join the first")
	}
	<-s.Paused
	var wg sync.WaitGroup
	errs := make([]error, 2)
	// The first waiter leaves; the transfer must go on for the second.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs[0] = d.Wait(ctx, t1)
	s.PauseAfter.Store(0)
	s.Storage.CloseClientConnections() // unblock the held parts; they retry
	wg.Add(1)
	go func() { defer wg.Done(); errs[1] = d.Wait(context.Background(), t2) }()
	wg.Wait()
	if errs[0] == nil || errs[1] != nil {
		t.Fatalf("errs = %v", errs)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, f.Data) {
		t.Fatal("content differs")
	}
}

// capped downloads a file of n bytes from a server capping each connection.
func benchDownload(b *testing.B, n int, rate int64, parts int) {
	s, _ := serve(b, n)
	s.ConnRate.Store(rate)
	d := New(Config{MaxParts: parts, MinPartSize: 64 << 10})
	m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dest := filepath.Join(dir, m.Etag)
		if err := d.Download(context.Background(), m, dest); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(dest)
		b.StartTimer()
	}
}

// BenchmarkCapped: each connection is capped at 1 MB/s, as a CDN shapes
// single streams; 16 parts should be ≥ 8× one stream.
func BenchmarkCapped(b *testing.B) {
	b.Run("parts=16", func(b *testing.B) { benchDownload(b, 4<<20, 1<<20, 16) })
	b.Run("parts=1", func(b *testing.B) { benchDownload(b, 1<<20, 1<<20, 1) })
}

// BenchmarkUncapped compares our downloader (parts, state, sha256 verify) with
// a plain single GET + io.Copy into a file on loopback.
func BenchmarkUncapped(b *testing.B) {
	const n = 64 << 20
	b.Run("downloader", func(b *testing.B) { benchDownload(b, n, 0, 16) })
	b.Run("io.Copy", func(b *testing.B) {
		s, f := serve(b, n)
		d := New(Config{})
		m, err := d.Resolve(context.Background(), s.URL(), "org/m", "main", "w.safetensors")
		if err != nil {
			b.Fatal(err)
		}
		dest := filepath.Join(b.TempDir(), "plain")
		b.SetBytes(int64(len(f.Data)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			resp, err := http.Get(m.URL)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := os.Create(dest)
			if _, err := io.Copy(out, resp.Body); err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			out.Close()
		}
	})
}

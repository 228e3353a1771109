package download

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// childEnv makes the test binary a second downloader process (see TestMain).
const childEnv = "DOWNLOAD_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(downloadAsChild())
	}
	os.Exit(m.Run())
}

// downloadAsChild resolves and downloads one file into a cache, like a
// second ltx-studio process would.
func downloadAsChild() int {
	g := os.Getenv
	d := New(Config{MinPartSize: 64 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := d.Resolve(ctx, g("DL_HUB"), "org/m", "main", "w.safetensors")
	if err == nil {
		err = d.Download(ctx, m, hfcache.Cache{Dir: g("DL_CACHE")}.BlobPath("org/m", m.Etag))
	}
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("ok")
	return 0
}

func TestTwoProcessesFetchOneBlobOnce(t *testing.T) {
	s, f := serve(t, 4<<20)
	s.ConnRate.Store(8 << 20) // half a second per file: the two runs overlap
	cache := t.TempDir()
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1", "DL_HUB="+s.URL(), "DL_CACHE="+cache)
			b, _ := cmd.CombinedOutput()
			outs[i] = strings.TrimSpace(string(b))
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if o != "ok" {
			t.Errorf("process %d: %s", i+1, o)
		}
	}
	blob := hfcache.Cache{Dir: cache}.BlobPath("org/m", f.Etag())
	if b, err := os.ReadFile(blob); err != nil || len(b) != len(f.Data) {
		t.Fatalf("blob: %d bytes, %v", len(b), err)
	}
	if got := s.Served(); got != int64(len(f.Data)) {
		t.Errorf("served %d bytes for a %d-byte blob: both processes downloaded it", got, len(f.Data))
	}
	if left, _ := filepath.Glob(blob + ".*"); len(left) > 0 {
		t.Errorf("stray files: %v", left)
	}
}

// huggingface_hub (Python) holds .locks/<repo>/<etag>.lock with filelock
// (fcntl.flock on Unix) while it writes a blob. We wait, write nothing
// meanwhile, and then reuse its file without fetching a byte.
func TestWaitsForPythonWriterAndReusesItsBlob(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	s, f := serve(t, 1<<20)
	cache := t.TempDir()
	d := New(Config{})
	m, err := d.Resolve(t.Context(), s.URL(), "org/m", "main", "w.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	blob := hfcache.Cache{Dir: cache}.BlobPath("org/m", m.Etag)
	src := filepath.Join(t.TempDir(), "content")
	os.WriteFile(src, f.Data, 0o644)
	lock := filepath.Join(cache, ".locks", "models--org--m", m.Etag+".lock")
	os.MkdirAll(filepath.Dir(lock), 0o755)
	os.MkdirAll(filepath.Dir(blob), 0o755)
	// What huggingface_hub does: lock, write blob.incomplete, rename, unlock.
	script := `import fcntl, os, shutil, sys
lock, src, blob = sys.argv[1:4]
fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.readline()
shutil.copyfile(src, blob + ".incomplete")
os.replace(blob + ".incomplete", blob)
fcntl.flock(fd, fcntl.LOCK_UN)
`
	cmd := exec.Command(py, "-c", script, lock, src, blob)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "locked" {
		t.Fatalf("python: %q", line)
	}
	tr := d.Start(m, blob)
	deadline := time.Now().Add(15 * time.Second)
	for !tr.Waiting() {
		if time.Now().After(deadline) {
			t.Fatal("the download did not wait for the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(Incomplete(blob)); err == nil {
		t.Fatal("we wrote a partial file while Python held the blob's lock")
	}
	fmt.Fprintln(in) // Python writes its file and lets go
	if err := d.Wait(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	if s.Served() != 0 {
		t.Errorf("fetched %d bytes of a blob another process had just written", s.Served())
	}
}

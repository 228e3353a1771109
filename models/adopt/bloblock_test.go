package adopt_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/internal/filelock"
	"github.com/ltxstudio/ltx-studio/models/adopt"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// tryLockEnv makes the test binary a second process that tries the blob
// lock once and says whether it got it (see TestMain).
const tryLockEnv = "ADOPT_TEST_TRY_LOCK"

func TestMain(m *testing.M) {
	if p := os.Getenv(tryLockEnv); p != "" {
		l, err := filelock.TryLock(p)
		switch {
		case errors.Is(err, filelock.ErrLocked):
			fmt.Println("busy")
		case err != nil:
			fmt.Println("error", err)
		default:
			l.Unlock()
			fmt.Println("free")
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// huggingface_hub (Python) holds .locks/<repo>/<etag>.lock while it writes
// a blob. Adopting the same file meanwhile waits, places nothing, and then
// takes the blob Python wrote.
func TestAdoptWaitsForAWriterOfTheBlob(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || runtime.GOOS == "windows" { // the writer below uses fcntl
		t.Skip("no python3")
	}
	dir := t.TempDir()
	const data = "checkpoint bytes"
	f := found(t, dir, data)
	cache := hfcache.Cache{Dir: filepath.Join(dir, "hub")}
	want := expect(reg.Files[0], data)
	blob := cache.BlobPath(want.Repo, want.Etag)
	lock := hfcache.BlobLockPath(blob)
	if err := cache.EnsureLayout(want.Repo); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(lock), 0o755)
	os.MkdirAll(filepath.Dir(blob), 0o755)
	src := filepath.Join(t.TempDir(), "content")
	os.WriteFile(src, []byte(data), 0o644)
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

	waiting := make(chan struct{})
	type result struct {
		a   adopt.Adopted
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := adopt.Adopt(t.Context(), cache, f, want, adopt.Options{Waiting: func() { close(waiting) }})
		done <- result{a, err}
	}()
	select {
	case <-waiting:
	case r := <-done:
		t.Fatalf("adopted while Python held the blob's lock: %+v, %v", r.a, r.err)
	}
	if _, err := os.Lstat(blob); err == nil {
		t.Fatal("Adopt placed the blob while Python held its lock")
	}
	fmt.Fprintln(in) // Python writes its blob and lets go
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.a.Method != adopt.AlreadyCached {
		t.Errorf("method %s, want the blob Python wrote reused", r.a.Method)
	}
	src1, _ := os.Stat(f.Path)
	b, _ := os.Stat(blob)
	if b == nil || os.SameFile(src1, b) {
		t.Error("the user's file replaced the blob Python wrote")
	}
	if got, err := os.ReadFile(r.a.Snapshot); err != nil || string(got) != data {
		t.Errorf("snapshot reads %q, %v", got, err)
	}
}

// While Adopt places the blob it holds the blob's lock, so a downloader in
// another process (models/download takes the same lock) cannot start writing
// it: a second process finds the lock busy at that moment, and free after.
func TestAdoptHoldsTheBlobLockWhilePlacing(t *testing.T) {
	dir := t.TempDir()
	const data = "checkpoint bytes"
	f := found(t, dir, data)
	cache := hfcache.Cache{Dir: filepath.Join(dir, "hub")}
	want := expect(reg.Files[0], data)
	lock := hfcache.BlobLockPath(cache.BlobPath(want.Repo, want.Etag))
	other := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), tryLockEnv+"="+lock)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("second process: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	var during string
	link := func(oldname, newname string) error {
		during = other()
		return os.Link(oldname, newname)
	}
	a, err := adopt.Adopt(t.Context(), cache, f, want, adopt.Options{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != adopt.Hardlinked {
		t.Errorf("method %s", a.Method)
	}
	if during != "busy" {
		t.Errorf("a second process found the blob's lock %q while Adopt placed the blob, want busy", during)
	}
	if after := other(); after != "free" {
		t.Errorf("after Adopt the lock is %q, want free", after)
	}
}

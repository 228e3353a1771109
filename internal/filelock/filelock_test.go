package filelock

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const holdEnv = "FILELOCK_TEST_HOLD"

// TestMain lets the test binary act as a second process that holds a lock
// until its stdin closes.
func TestMain(m *testing.M) {
	if p := os.Getenv(holdEnv); p != "" {
		l, err := TryLock(p)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		l.Unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts cmd, waits for its "locked" line and returns a func that
// makes it release (by closing its stdin) and waits for it to exit.
func holder(t *testing.T, cmd *exec.Cmd) (release func()) {
	t.Helper()
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("holder said %q (%v)", line, err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			in.Close()
			cmd.Wait()
		}
	}
	t.Cleanup(release)
	return release
}

func checkExcludes(t *testing.T, p string, release func()) {
	t.Helper()
	if _, err := TryLock(p); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock while another process holds it: %v", err)
	}
	got := make(chan error, 1)
	waited := make(chan struct{})
	go func() {
		l, err := Acquire(t.Context(), p, 10*time.Millisecond, func() { close(waited) })
		if err == nil {
			err = l.Unlock()
		}
		got <- err
	}()
	<-waited // Acquire saw the lock busy before the holder let go
	release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestSecondProcessWaits(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".locks", "models--org--m", "abc.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+p)
	checkExcludes(t, p, holder(t, cmd))
}

// huggingface_hub locks through Python's filelock, whose Unix lock is
// fcntl.flock(fd, LOCK_EX | LOCK_NB) on a file opened O_RDWR|O_CREAT|O_TRUNC.
// The script does exactly that (filelock itself is not installed here).
func TestExcludesPythonFilelock(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	p := filepath.Join(t.TempDir(), ".locks", "models--org--m", "abc.lock")
	os.MkdirAll(filepath.Dir(p), 0o755)
	script := `import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.read()
fcntl.flock(fd, fcntl.LOCK_UN)
`
	checkExcludes(t, p, holder(t, exec.Command(py, "-c", script, p)))

	// And the other way round: while we hold it, Python cannot take it.
	l, err := TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	try := `import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("got it")
except BlockingIOError:
    print("busy")
`
	out, err := exec.Command(py, "-c", try, p).Output()
	if err != nil || strings.TrimSpace(string(out)) != "busy" {
		t.Fatalf("python while we hold the lock: %q, %v", out, err)
	}
}

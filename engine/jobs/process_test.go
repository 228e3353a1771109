package jobs

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// childComfy runs internal/fakecomfy as a real process and restarts it
// when it dies, as the supervisor does.
type childComfy struct {
	t        *testing.T
	bin      string
	args     []string
	env      []string
	mu       sync.Mutex
	cmd      *exec.Cmd
	exits    []int
	stopping bool
	done     chan struct{}
}

func buildFakeComfy(t *testing.T) string {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("module root not found")
		}
		dir = filepath.Dir(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal", "fakecomfy", "main.go")); err != nil {
		t.Skip("internal/fakecomfy has no main")
	}
	bin := filepath.Join(t.TempDir(), "fakecomfy")
	cmd := exec.Command(goBin, "build", "-o", bin, "./internal/fakecomfy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fakecomfy: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func (c *childComfy) start() {
	cmd := exec.Command(c.bin, c.args...)
	cmd.Env = append(os.Environ(), c.env...)
	if err := cmd.Start(); err != nil {
		c.t.Errorf("start fakecomfy: %v", err)
		return
	}
	c.cmd = cmd
	go func() {
		_ = cmd.Wait()
		c.mu.Lock()
		c.exits = append(c.exits, cmd.ProcessState.ExitCode())
		stopping := c.stopping
		if !stopping {
			c.start() // the supervisor brings it back
		}
		c.mu.Unlock()
		if stopping {
			close(c.done)
		}
	}()
}

func (c *childComfy) stop() {
	c.mu.Lock()
	c.stopping = true
	cmd := c.cmd
	c.mu.Unlock()
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-c.done
	}
}

func waitReady(t *testing.T, url string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/api/system_stats")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("fakecomfy never became ready")
}

// TestChildProcessDiesMidJob kills the ComfyUI stand-in process mid-job
// (twice: it segfaults on that job each time) while it is restarted like
// the supervisor would. The job is re-queued once, then failed with the
// reason; the job behind it in the queue still completes.
func TestChildProcessDiesMidJob(t *testing.T) {
	bin := buildFakeComfy(t)
	port := freePort(t)
	in, out, base := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(base, "custom_nodes"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &childComfy{t: t, bin: bin, done: make(chan struct{}),
		args: []string{"--listen", "127.0.0.1", "--port", port, "--base-directory", base,
			"--input-directory", in, "--output-directory", out,
			"--disable-auto-launch", "--log-stdout"},
		env: []string{"FAKECOMFY_OBJECT_INFO=" + filepath.Join(sharedComfy(t), "object_info.json")}}
	c.mu.Lock()
	c.start()
	c.mu.Unlock()
	defer c.stop()
	url := "http://127.0.0.1:" + port
	waitReady(t, url)

	e := newEngine(t, t.TempDir(), Backend{Name: "managed", URL: url, InputDir: in})
	ch, stop := e.Subscribe()
	defer stop()
	doomed, _ := e.Submit(form("fakecomfy:die"))
	next, _ := e.Submit(form("a quiet lake"))
	run(t, e)
	j := waitFor(t, e, ch, doomed.ID, finished)
	if j.State != Failed || j.Attempts != 2 || !strings.Contains(j.Error, "retried") {
		t.Errorf("doomed: %s after %d attempts: %q", j.State, j.Attempts, j.Error)
	}
	if n := waitFor(t, e, ch, next.ID, finished); n.State != Done {
		t.Errorf("next: %s %q", n.State, n.Error)
	}
	c.mu.Lock()
	exits := append([]int(nil), c.exits...)
	c.mu.Unlock()
	if len(exits) != 2 || exits[0] != 139 || exits[1] != 139 {
		t.Errorf("process exits %v, want two crashes (139)", exits)
	}
}

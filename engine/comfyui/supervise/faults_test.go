package supervise

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
)

// parentEnv makes the test binary act as an app that supervises a ComfyUI
// and then gets killed (see runAsParent).
const parentEnv = "SUPERVISE_TEST_PARENT_BASE"

// runAsParent starts the stand-in under a supervisor, prints its pid and
// waits on stdin forever: the test SIGKILLs this process.
func runAsParent(base string) int {
	cfg := Config{Python: os.Getenv("SUPERVISE_TEST_FAKEBIN"), Script: "main.py", ComfyDir: base, BaseDir: base,
		StallTimeout: 10 * time.Second, PidFile: filepath.Join(base, "comfyui.pid")}
	s := New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("child", s.PID())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // never returns: the test kills us
	return 0
}

// eventually polls cond until it holds or the deadline passes (processes
// die asynchronously; this is a wait with a deadline, not a timed assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestChildDiesWithKilledParent(t *testing.T) {
	base := t.TempDir()
	os.MkdirAll(filepath.Join(base, "custom_nodes"), 0o755)
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), parentEnv+"="+base, "SUPERVISE_TEST_FAKEBIN="+fakeBin)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, _ := parent.StdinPipe()
	defer stdin.Close()
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "child ") {
		parent.Process.Kill()
		parent.Wait()
		t.Fatalf("parent said %q, %v", line, err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "child ")))
	if !alive(child) {
		t.Fatal("the ComfyUI stand-in is not running")
	}
	t.Cleanup(func() { proc.KillTree(t.Context(), child) })
	if err := parent.Process.Kill(); err != nil { // SIGKILL: no cleanup code runs in the parent
		t.Fatal(err)
	}
	parent.Wait()
	eventually(t, "ComfyUI died with its killed parent", func() bool { return !alive(child) })

	// The pidfile it left names a dead owner: a later start stops nothing
	// alive and runs its own ComfyUI.
	pf, ok := proc.ReadPidfile(filepath.Join(base, "comfyui.pid"))
	if !ok || pf.OwnerAlive(t.Context()) {
		t.Fatalf("pidfile %+v (found %v): want one whose owner is dead", pf, ok)
	}
}

// impostor answers every request like a real ComfyUI would (the recorded
// system_stats), but it is not the child we started.
func impostor(t *testing.T) (port int, hits func() int) {
	t.Helper()
	body, err := os.ReadFile(recordings.Need(t, "comfyui/system_stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func TestImpostorOnThePortIsNotReadyAndANewPortIsPicked(t *testing.T) {
	port, hits := impostor(t)
	// A slow start (logging all the while) gives readiness time to meet the
	// impostor before the child finds the port taken.
	cfg := testConfig(t, "FAKECOMFY_START_DELAY=700ms")
	cfg.Port = port
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(t.Context())
	crash := waitFor(t, ch, status.Crashed)
	if !strings.Contains(crash.Message, "already in use") {
		t.Errorf("first attempt: %q", crash.Message)
	}
	ready := waitFor(t, ch, status.Ready)
	if ready.URL == baseURL(port) || s.URL() == baseURL(port) {
		t.Fatalf("the impostor at port %d was taken for ComfyUI (%s)", port, ready.URL)
	}
	if hits() == 0 {
		t.Error("readiness never asked the impostor, so the test proved nothing")
	}
	// What answers now is our own child: its argv carries the nonce.
	resp, err := http.Get(s.URL() + "/api/system_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		System struct{ Argv []string } `json:"system"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	if !strings.Contains(strings.Join(st.System.Argv, " "), launchKey+"=") {
		t.Errorf("argv %v lacks the launch nonce", st.System.Argv)
	}
	// A crash and restart keeps the new port, not the taken one.
	if s.port == port {
		t.Errorf("the taken port %d is still the next launch's port", port)
	}
}

func TestTokenStaysOutOfComfyUIEnvironment(t *testing.T) {
	t.Setenv("HF_TOKEN", "hf_secret_value_for_the_test")
	t.Setenv("HUGGING_FACE_HUB_TOKEN", "hf_secret_value_for_the_test")
	envFile := filepath.Join(t.TempDir(), "env.txt")
	cfg := testConfig(t, "FAKECOMFY_ENV_FILE="+envFile)
	s := New(cfg)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(t.Context())
	b, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	names := "\n" + string(b)
	if strings.Contains(names, "\nHF_TOKEN\n") || strings.Contains(names, "\nHUGGING_FACE_HUB_TOKEN\n") {
		t.Errorf("ComfyUI got a Hugging Face token in its environment: %s", b)
	}
	if !strings.Contains(names, "\nPYTHONUNBUFFERED\n") || !strings.Contains(names, "\nFAKECOMFY_ENV_FILE\n") {
		t.Errorf("the rest of the environment is missing: %s", b)
	}
}

func TestCrashLogIsKept(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_CRASH_AFTER=100ms")
	cfg.MaxRestarts = -1
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for e := waitFor(t, ch, status.Crashed); !e.Final; e = waitFor(t, ch, status.Crashed) {
	}
	kept := logs.CrashLogs(cfg.LogPath)
	if len(kept) != 1 {
		t.Fatalf("crash logs %v", kept)
	}
	// Six clean starts rotate the plain logs (5 kept); the crash log stays.
	for range 6 {
		s := New(testConfig(t))
		s.file.Path = cfg.LogPath
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		s.Stop(t.Context())
	}
	if b, err := os.ReadFile(kept[0]); err != nil || !strings.Contains(string(b), "OutOfMemoryError") {
		t.Errorf("crash log %s: %v\n%s", kept[0], err, b)
	}
}

func TestPidfileWritersDoNotCollide(t *testing.T) {
	p := filepath.Join(t.TempDir(), "comfyui.pid")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := proc.WritePidfile(p, proc.Pidfile{PID: 1000 + i, Port: 8000 + i}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, ok := proc.ReadPidfile(p); !ok {
		t.Error("pidfile unreadable after concurrent writes")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*.tmp")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

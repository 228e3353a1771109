package supervise

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

var fakeBin string

func TestMain(m *testing.M) {
	if base := os.Getenv(parentEnv); base != "" {
		os.Exit(runAsParent(base))
	}
	dir, err := os.MkdirTemp("", "fakecomfy-bin")
	if err != nil {
		panic(err)
	}
	fakeBin = filepath.Join(dir, "fakecomfy")
	build := exec.Command("go", "build", "-o", fakeBin, "github.com/ltxstudio/ltx-studio/internal/fakecomfy")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		panic("building the ComfyUI stand-in: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func testConfig(t *testing.T, env ...string) Config {
	t.Helper()
	base := t.TempDir()
	return Config{
		Python: fakeBin, Script: "main.py", ComfyDir: base, BaseDir: base,
		Env: env, StallTimeout: 5 * time.Second, StopGrace: 2 * time.Second,
		RestartBackoff: 20 * time.Millisecond,
		PidFile:        filepath.Join(base, "comfyui.pid"), LogPath: filepath.Join(base, "logs", "comfyui.log"),
	}
}

// waitFor reads events until one in state want arrives.
func waitFor(t *testing.T, ch <-chan status.Event, want status.State) status.Event {
	t.Helper()
	guard := time.After(20 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.State == want {
				return e
			}
		case <-guard:
			t.Fatalf("no %v event", want)
		}
	}
}

func alive(pid int) bool {
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		return false
	}
	st, err := p.Status()
	return err == nil && !(len(st) > 0 && st[0] == process.Zombie)
}

func TestArgs(t *testing.T) {
	base := Config{BaseDir: "/b"}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want []string
		not  []string
	}{
		{"auto", func(*Config) {}, []string{"--listen 127.0.0.1", "--port 8190", "--base-directory /b", "--user-directory /b/user", "--disable-auto-launch", "--disable-api-nodes", "--log-stdout", "--preview-method auto"}, []string{"vram", "--reserve-vram", "--cuda-device"}},
		{"low", func(c *Config) { c.VRAMMode = settings.VRAMLow; c.ReserveVRAMGiB = 1.5 }, []string{"--lowvram", "--reserve-vram 1.5"}, []string{"--normalvram"}},
		{"gpu-only", func(c *Config) { c.VRAMMode = settings.VRAMGPUOnly; c.CUDADevice = "1" }, []string{"--gpu-only", "--cuda-device 1"}, nil},
		{"models", func(c *Config) { c.ExtraModelPaths = []string{"/m.yaml"}; c.FrontEndRoot = "/web" }, []string{"--extra-model-paths-config /m.yaml", "--front-end-root /web"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			line := " " + strings.Join(c.Args(8190), " ") + " "
			for _, w := range tc.want {
				if !strings.Contains(line, " "+w+" ") {
					t.Errorf("args %q lack %q", line, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(line, n) {
					t.Errorf("args %q contain %q", line, n)
				}
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code int
		tail []string
		want string
	}{
		{1, []string{"[ERROR] Port 8188 is already in use on address 127.0.0.1. Please close the other application or use a different port with --port."}, "port is already in use"},
		{2, []string{"usage: main.py [-h]", "main.py: error: unrecognized arguments: --normalvram"}, "refused a start option (unrecognized arguments: --normalvram)"},
		{255, []string{"[ERROR] ********** ERROR ***********", "comfyui-frontend-package is not installed."}, "web frontend package is missing"},
		{1, []string{"ModuleNotFoundError: No module named 'comfy_aimdo'"}, "'comfy_aimdo' is missing"},
		{1, []string{"torch.OutOfMemoryError: CUDA out of memory."}, "ran out of GPU memory"},
		{3, []string{"something odd", ""}, "(exit status 3). Last line: something odd"},
	} {
		for _, f := range []face.Face{face.Window, face.Terminal} {
			got := classify(tc.code, tc.tail, false, wording{Face: f, SettingsFile: "/cfg/settings.json"})
			if !strings.Contains(got, tc.want) {
				t.Errorf("classify(%d, %q) = %q, want it to contain %q", tc.code, tc.tail, got, tc.want)
			}
			if f == face.Terminal && strings.Contains(got, "Settings") {
				t.Errorf("the terminal is sent to a window screen: %q", got)
			}
		}
	}
}

// Each fix names what the person in front of it can use: a screen in the
// window; a command, flag or settings key in the terminal.
func TestClassifyWordsTheFixForTheFace(t *testing.T) {
	const file = "/cfg/settings.json"
	for _, tc := range []struct {
		name           string
		code           int
		tail           []string
		window, termin string
	}{
		{"no frontend", 255, []string{"comfyui-frontend-package is not installed."}, "use Settings → Repair", "run `ltx-studio comfyui repair`"},
		{"missing module", 1, []string{"No module named 'av'"}, "use Settings → Repair", "run `ltx-studio comfyui repair`"},
		{"bad flag", 2, []string{"main.py: error: unrecognized arguments: --x"}, "in Settings → ComfyUI", `the VRAM mode, "vram_mode" in ` + file},
		{"out of memory", 1, []string{"torch.OutOfMemoryError: CUDA out of memory."}, "lower VRAM mode in Settings", `"vram_mode" in ` + file + `: "lowvram"), or a smaller video (--width, --height, --seconds)`},
		{"sage", 1, []string{"ImportError: sageattention"}, "in Settings → ComfyUI", "from ComfyUI's start options"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.code, tc.tail, true, wording{Foreign: true, Face: face.Terminal}); tc.window == "use Settings → Repair" &&
				(strings.Contains(got, "ltx-studio") || !strings.Contains(got, "into that ComfyUI's Python environment")) {
				t.Errorf("a folder of the user's: %q", got)
			}
			if got := classify(tc.code, tc.tail, true, wording{Face: face.Window, SettingsFile: file}); !strings.Contains(got, tc.window) || strings.Contains(got, "ltx-studio") {
				t.Errorf("window: %q, want %q", got, tc.window)
			}
			if got := classify(tc.code, tc.tail, true, wording{Face: face.Terminal, SettingsFile: file}); !strings.Contains(got, tc.termin) || strings.Contains(got, "Settings") {
				t.Errorf("terminal: %q, want %q", got, tc.termin)
			}
		})
	}
}

// The wording reaches a real failed start: the stand-in exits as ComfyUI
// does without its frontend package, and a Python that cannot run at all.
func TestFailedStartNamesTheFixOfTheFace(t *testing.T) {
	for _, tc := range []struct {
		f    face.Face
		want string
	}{{face.Window, "Settings → Repair"}, {face.Terminal, "ltx-studio comfyui repair"}} {
		cfg := testConfig(t, "FAKECOMFY_FAIL=frontend")
		cfg.Face = tc.f
		err := New(cfg).Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("face %d, no frontend: %v, want %q", tc.f, err, tc.want)
		}
		cfg = testConfig(t)
		cfg.Face, cfg.Python = tc.f, filepath.Join(t.TempDir(), "no-python")
		err = New(cfg).Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "could not run ComfyUI's Python") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("face %d, no Python: %v, want %q", tc.f, err, tc.want)
		}
	}
}

func TestReadyAndStop(t *testing.T) {
	cfg := testConfig(t)
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, status.Starting)
	ready := waitFor(t, ch, status.Ready)
	if ready.URL == "" || s.URL() != ready.URL || !strings.HasPrefix(ready.URL, "http://127.0.0.1:") {
		t.Fatalf("ready URL %q, URL() %q", ready.URL, s.URL())
	}
	info, err := CheckRemote(t.Context(), s.URL())
	if err != nil || info.ComfyUIVersion != "0.27.0" {
		t.Fatalf("health check: %+v %v", info, err)
	}
	if !slices.Contains(s.Logs(), "[INFO] To see the GUI go to: "+ready.URL) {
		t.Errorf("ready line missing from logs: %q", s.Logs())
	}
	pf, ok := proc.ReadPidfile(cfg.PidFile)
	if !ok || pf.PID != s.PID() {
		t.Fatalf("pidfile %+v ok=%v, pid %d", pf, ok, s.PID())
	}
	pid := s.PID()
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, status.Stopped)
	if alive(pid) {
		t.Fatalf("ComfyUI %d still running after Stop", pid)
	}
	if _, err := os.Stat(cfg.PidFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pidfile left behind: %v", err)
	}
	if !slices.Contains(s.Logs(), "Stopped server") {
		t.Errorf("no graceful stop in logs")
	}
	b, _ := os.ReadFile(cfg.LogPath)
	if !strings.Contains(string(b), "To see the GUI go to") || strings.ContainsRune(string(b), 0x1b) {
		t.Errorf("log file: %q", b)
	}
}

func TestSlowStartWithinStallTimeout(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_START_DELAY=1500ms")
	cfg.StallTimeout = 600 * time.Millisecond // shorter than the whole start, longer than the gap between lines
	s := New(cfg)
	if err := s.Start(t.Context()); err != nil {
		t.Fatalf("slow start that keeps logging failed: %v", err)
	}
	s.Stop(t.Context())
}

func TestStallFails(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_SILENT_DELAY=30s")
	cfg.StallTimeout = 500 * time.Millisecond
	s := New(cfg)
	err := s.Start(t.Context())
	var se *StallError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a stall", err)
	}
	if s.State().State != status.Crashed || s.PID() != 0 {
		t.Fatalf("state %v pid %d", s.State().State, s.PID())
	}
}

func TestExtraArgsCannotRebind(t *testing.T) {
	for _, extra := range [][]string{{"--listen"}, {"--listen", "0.0.0.0"}, {"--listen=0.0.0.0"}, {"--port", "80"}, {"--enable-cors-header", "*"},
		{"--liste", "0.0.0.0"}, {"--list=0.0.0.0"}, {"--po", "80"}, {"--enable-cors=*"}, {"--enable-c"}} {
		cfg := testConfig(t)
		cfg.ExtraArgs = extra
		s := New(cfg)
		err := s.Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), "not allowed") {
			s.Stop(t.Context())
			t.Errorf("extra %q: %v", extra, err)
		}
		if s.PID() != 0 {
			t.Errorf("extra %q: a process was started", extra)
		}
	}
	if err := checkExtraArgs([]string{"--fast", "--use-sage-attention", "--preview-method", "taesd", "--lowvram", "-"}, face.Window); err != nil {
		t.Error(err)
	}
	if err := checkExtraArgs([]string{"--listen"}, face.Window); err == nil || !strings.Contains(err.Error(), "Settings → ComfyUI") {
		t.Errorf("window: %v", err)
	}
	if err := checkExtraArgs([]string{"--listen"}, face.Terminal); err == nil || strings.Contains(err.Error(), "Settings") || !strings.Contains(err.Error(), "generate --backend URL") {
		t.Errorf("terminal: %v", err)
	}
}

// A taken port is not an early exit any more: the start retries on a new
// port (TestImpostorOnThePortIsNotReadyAndANewPortIsPicked).
func TestEarlyExits(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		code int
		want string
	}{
		{"bad flag", func(c *Config) { c.ExtraArgs = []string{"--normalvram"} }, 2, "refused a start option"},
		{"no frontend", func(c *Config) { c.Env = []string{"FAKECOMFY_FAIL=frontend"} }, 255, "frontend package is missing"},
		{"missing module", func(c *Config) { c.Env = []string{"FAKECOMFY_FAIL=import"} }, 1, "'comfy_aimdo' is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			tc.mod(&cfg)
			s := New(cfg)
			ch, cancel := s.Subscribe()
			defer cancel()
			err := s.Start(t.Context())
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Code != tc.code || !strings.Contains(ee.Reason, tc.want) {
				t.Fatalf("err = %#v, want status %d with %q", err, tc.code, tc.want)
			}
			ev := waitFor(t, ch, status.Crashed)
			if len(ev.Tail) == 0 || ev.Message != ee.Reason {
				t.Errorf("crash event %+v", ev)
			}
		})
	}
}

func TestCrashIsRestarted(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_CRASH_AFTER=200ms", "FAKECOMFY_CRASH_TIMES=1")
	cfg.Env = append(cfg.Env, "FAKECOMFY_STATE_DIR="+cfg.BaseDir)
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	first := waitFor(t, ch, status.Ready)
	crash := waitFor(t, ch, status.Crashed)
	if !strings.Contains(crash.Message, "ran out of GPU memory") || !slices.ContainsFunc(crash.Tail, func(l string) bool { return strings.Contains(l, "OutOfMemoryError") }) {
		t.Fatalf("crash event %+v", crash)
	}
	again := waitFor(t, ch, status.Ready)
	if again.Restart != 1 || again.URL == "" {
		t.Fatalf("restart event %+v (first %+v)", again, first)
	}
	if _, err := CheckRemote(t.Context(), s.URL()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestRestartBudget(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_CRASH_AFTER=100ms")
	cfg.MaxRestarts = 1
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for {
		e := waitFor(t, ch, status.Crashed)
		if e.Final && strings.Contains(e.Message, "not restarted again") {
			break
		}
	}
	if err := s.Stop(t.Context()); err != nil { // no-op now, but must not hang
		t.Fatal(err)
	}
}

func TestStalePidfileIsStopped(t *testing.T) {
	cfg := testConfig(t)
	os.MkdirAll(filepath.Join(cfg.BaseDir, "custom_nodes"), 0o755)
	// A ComfyUI left over from an app that crashed: started outside the supervisor.
	old := exec.Command(fakeBin, "main.py", "--listen", "127.0.0.1", "--port", "0", "--base-directory", cfg.BaseDir)
	proc.Prepare(old)
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { old.Wait(); close(exited) }()
	ct, _ := proc.CreateTime(t.Context(), old.Process.Pid)
	proc.WritePidfile(cfg.PidFile, proc.Pidfile{PID: old.Process.Pid, CreateTime: ct})

	s := New(cfg)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("leftover ComfyUI still running")
	}
	if s.PID() == old.Process.Pid {
		t.Fatal("pid reused?")
	}
}

// A ComfyUI another live ltx-studio process supervises is not stopped by a
// second start (the window's server while `comfyui start` runs, or the reverse).
func TestPidfileOwnedByAnotherProcessIsNotStopped(t *testing.T) {
	cfg := testConfig(t)
	other := exec.Command(fakeBin, "main.py", "--listen", "127.0.0.1", "--port", "0", "--base-directory", cfg.BaseDir)
	// The owner stands in for another live ltx-studio: it must stay up, so
	// it gets a base folder the stand-in accepts (one with custom_nodes/).
	ownerBase := t.TempDir()
	owner := exec.Command(fakeBin, "main.py", "--listen", "127.0.0.1", "--port", "0", "--base-directory", ownerBase)
	for _, d := range []string{cfg.BaseDir, ownerBase} {
		os.MkdirAll(filepath.Join(d, "custom_nodes"), 0o755)
	}
	for _, c := range []*exec.Cmd{other, owner} {
		proc.Prepare(c)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { proc.KillTree(context.Background(), c.Process.Pid); c.Wait() })
	}
	ct, _ := proc.CreateTime(t.Context(), other.Process.Pid)
	oct, _ := proc.CreateTime(t.Context(), owner.Process.Pid)
	proc.WritePidfile(cfg.PidFile, proc.Pidfile{PID: other.Process.Pid, CreateTime: ct, Owner: owner.Process.Pid, OwnerCreate: oct})
	s := New(cfg)
	err := s.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "comfyui stop") {
		s.Stop(context.Background())
		t.Fatalf("err = %v", err)
	}
	if !alive(other.Process.Pid) {
		t.Fatal("the other process's ComfyUI was stopped")
	}
	if s.PID() != 0 {
		t.Error("a second ComfyUI was started")
	}
	// Once its owner is gone it is a leftover, stopped by the next start.
	proc.KillTree(t.Context(), owner.Process.Pid)
	owner.Wait()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	if alive(other.Process.Pid) {
		t.Error("the leftover ComfyUI was not stopped")
	}
}

func TestPidfileOfAStrangerIsLeftAlone(t *testing.T) {
	cfg := testConfig(t)
	// Our own pid with a wrong start time: a reused pid, not ComfyUI.
	proc.WritePidfile(cfg.PidFile, proc.Pidfile{PID: os.Getpid(), CreateTime: 12345})
	stopped, err := proc.StopStale(t.Context(), cfg.PidFile, time.Second)
	if err != nil || stopped {
		t.Fatalf("stopped=%v err=%v", stopped, err)
	}
	if _, err := os.Stat(cfg.PidFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("stale pidfile kept")
	}
}

func TestNoOrphanAfterStop(t *testing.T) {
	// The stand-in ignores Ctrl-C and has a helper child: Stop must kill the tree.
	cfg := testConfig(t, "FAKECOMFY_IGNORE_SIGINT=1", "FAKECOMFY_GRANDCHILD=1")
	cfg.StopGrace = 300 * time.Millisecond
	s := New(cfg)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	pid := s.PID()
	// The helper starts right after the listener. Polled (another process's
	// child) with no limit of its own: on a loaded machine under -race it may
	// take seconds; one that never comes fails the test at go test's timeout.
	var tree []int32
	for len(tree) == 0 {
		tree = proc.Descendants(t.Context(), pid)
		if len(tree) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(tree, int32(pid)) {
		if alive(int(p)) {
			t.Errorf("process %d survived Stop", p)
		}
	}
}

func TestCheckRemoteRejectsBadAddresses(t *testing.T) {
	for _, raw := range []string{"localhost:8188", "ftp://x:1", "http://x:1/api", "http://"} {
		if _, err := CheckRemote(t.Context(), raw); err == nil {
			t.Errorf("CheckRemote(%q) accepted", raw)
		}
	}
	// A password in the address never reaches a message (they end up in logs).
	for _, raw := range []string{"http://me:s3cret@127.0.0.1:1", "http://me:s3cret@127.0.0.1:1/api", "ftp://me:s3cret@x:1", "http://me:s3cret@[bad"} {
		_, err := CheckRemote(t.Context(), raw)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("CheckRemote(%q): %v", raw, err)
		}
	}
}

func TestFolderConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.py"), nil, 0o644)
	if _, err := FolderConfig(dir); err == nil {
		t.Fatal("folder without a venv accepted")
	}
	py := filepath.Join(dir, "venv", "bin", "python")
	if os.Getenv("GOOS") == "windows" {
		t.Skip()
	}
	os.MkdirAll(filepath.Dir(py), 0o755)
	os.WriteFile(py, nil, 0o755)
	c, err := FolderConfig(dir)
	if err != nil || c.Python != py || c.BaseDir != dir {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestCleanExitFromOutsideIsAStop(t *testing.T) {
	cfg := testConfig(t)
	s := New(cfg)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, status.Ready)
	if stopped, err := proc.StopStale(t.Context(), cfg.PidFile, 2*time.Second); err != nil || !stopped {
		t.Fatalf("StopStale %v %v", stopped, err)
	}
	e := waitFor(t, ch, status.Stopped)
	if !strings.Contains(e.Message, "outside the app") {
		t.Fatalf("%+v", e)
	}
	if err := s.Start(t.Context()); err != nil { // and it can be started again
		t.Fatal(err)
	}
	s.Stop(t.Context())
}

func TestCancelledStartLeavesNothing(t *testing.T) {
	cfg := testConfig(t, "FAKECOMFY_START_DELAY=30s")
	s := New(cfg)
	ch, cancelSub := s.Subscribe()
	defer cancelSub()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for e := range ch { // cancel once the child is up and logging
			if e.State == status.Starting {
				break
			}
		}
		for s.PID() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	err := s.Start(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if st := s.State(); st.State != status.Stopped {
		t.Fatalf("state %v", st.State)
	}
	if _, err := os.Stat(cfg.PidFile); !errors.Is(err, os.ErrNotExist) {
		t.Error("pidfile left")
	}
}

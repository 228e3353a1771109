package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
)

// lines is an output stream a test can wait on.
type lines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.seen != nil && l.want != "" && strings.Contains(l.buf.String(), l.want) {
		close(l.seen)
		l.seen = nil
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestTerminalAgainstStandins is a user's first session in the terminal:
// install ComfyUI, pull the t2v models, generate, see it in the history —
// on the app's own engine, with no ComfyUI left running afterwards.
func TestTerminalAgainstStandins(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	w, _ := e2e.ForTest(t, ctx)
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("LTX_STUDIO_COMFYUI_URL", "")
	t.Setenv("LTX_COMFYUI_BASE", "")
	dirs := appdirs.Default()
	defer func() {
		// Whatever failed, leave no server behind.
		if _, _, running := comfyui.Running(context.Background(), dirs); running {
			t.Error("a ComfyUI is still running")
			comfyui.StopDetached(context.Background(), dirs)
		}
	}()
	pin := func(o *studio.Options) {
		o.Install = func(c *install.Config) {
			c.ComfyCommit = w.Commit
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}
	}
	run := func(ctx context.Context, args ...string) (int, string) {
		out := &lines{}
		code := Run(ctx, Env{Stdout: out, Stderr: out, studioOpts: pin}, args)
		t.Logf("$ ltx-studio %s\n%s", strings.Join(args, " "), out.String())
		return code, out.String()
	}
	expect := func(wantCode int, want string, args ...string) string {
		t.Helper()
		code, out := run(ctx, args...)
		if code != wantCode || !strings.Contains(out, want) {
			t.Fatalf("ltx-studio %s: exit %d (want %d), want %q in:\n%s", strings.Join(args, " "), code, wantCode, want, out)
		}
		return out
	}

	expect(1, "ComfyUI is not installed yet: run `ltx-studio comfyui install`", "generate", "--prompt", "too early")
	expect(0, "", "comfyui", "install")
	// Repair checks a finished install and mends only what is broken.
	expect(0, "Nothing to repair. Checked: ComfyUI is at the pinned", "comfyui", "repair")
	mains, _ := filepath.Glob(filepath.Join(dirs.Data, "comfyui", "builds", "*", "ComfyUI", "main.py"))
	if len(mains) != 1 {
		t.Fatalf("ComfyUI's main.py: %v", mains)
	}
	good, _ := os.ReadFile(mains[0])
	os.WriteFile(mains[0], []byte("damaged"), 0o644)
	expect(0, "(repairing: 1 of ComfyUI's files were changed or deleted", "comfyui", "repair")
	if now, _ := os.ReadFile(mains[0]); string(now) != string(good) {
		t.Fatal("comfyui repair did not restore main.py")
	}
	expect(0, "Linking into "+filepath.Join(w.Home), "models", "pull", "--mode", "t2v")
	expect(0, "present", "models", "status", "--mode", "t2v")

	// The window holds the queue: say so, and start nothing.
	held, err := jobs.New(jobs.Config{QueueDir: filepath.Join(dirs.Data, "jobs"), OutputDir: t.TempDir(),
		Builder: jobs.WorkflowsBuilder{}, Backends: []jobs.Backend{{Name: "x", URL: "http://127.0.0.1:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	expect(1, "the window", "generate", "--prompt", "while the window runs")
	held.Close()
	if _, _, running := comfyui.Running(ctx, dirs); running {
		t.Fatal("a busy queue still started ComfyUI")
	}

	out := filepath.Join(t.TempDir(), "lighthouse.mp4")
	expect(0, "saved "+out, "generate", "--mode", "t2v", "--prompt", "a lighthouse at dusk, waves", "--seed", "42", "--out", out)
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("--out video: %v", err)
	}
	if _, _, running := comfyui.Running(ctx, dirs); running {
		t.Fatal("ComfyUI still running after generate")
	}
	h := expect(0, "a lighthouse at dusk, waves", "history")
	if !strings.Contains(h, " 42 ") || !strings.Contains(h, "t2v") || !strings.Contains(h, dirs.Videos) {
		t.Errorf("history lacks seed, mode or file:\n%s", h)
	}

	// The fast preset loads a checkpoint the pull above did not fetch: the
	// job downloads it itself. Ctrl-C while sampling then cancels the job and
	// stops ComfyUI.
	expect(0, "MISSING", "models", "status", "--mode", "t2v", "--preset", "fast")
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	o := &lines{want: "step ", seen: make(chan struct{})}
	seen := o.seen
	done := make(chan int, 1)
	go func() {
		done <- Run(cctx, Env{Stdout: o, Stderr: o, studioOpts: pin}, []string{"generate", "--preset", "fast", "--prompt", "fakecomfy:slow a long shot"})
	}()
	select {
	case <-seen:
	case code := <-done:
		t.Fatalf("slow job ended (exit %d) before any step:\n%s", code, o.String())
	case <-ctx.Done():
		t.Fatalf("no sampler step seen:\n%s", o.String())
	}
	stop()
	code := <-done
	t.Logf("$ ltx-studio generate --preset fast … (Ctrl-C at the first step)\n%s", o.String())
	if code != 1 || !strings.Contains(o.String(), "cancelled") {
		t.Fatalf("Ctrl-C: exit %d", code)
	}
	if _, _, running := comfyui.Running(ctx, dirs); running {
		t.Fatal("ComfyUI still running after Ctrl-C")
	}
	expect(0, "present", "models", "status", "--mode", "t2v", "--preset", "fast")
	list, err := jobs.ReadQueue(filepath.Join(dirs.Data, "jobs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range list {
		if strings.Contains(j.Form.Prompt, "a long shot") && j.State != jobs.Cancelled {
			t.Errorf("interrupted job is %s, want cancelled", j.State)
		}
	}
}

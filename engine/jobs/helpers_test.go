package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func sharedComfy(t testing.TB) string { t.Helper(); return recordings.ComfyUI(t) }

var (
	objInfoOnce sync.Once
	objInfo     []byte
)

func objectInfo(t testing.TB) []byte {
	dir := sharedComfy(t)
	objInfoOnce.Do(func() { objInfo, _ = os.ReadFile(filepath.Join(dir, "object_info.json")) })
	if objInfo == nil {
		t.Fatal("object_info.json unreadable")
	}
	return objInfo
}

// fakeBackend is one in-process stand-in. restartOnDie brings a fresh
// server (empty history, like a restarted ComfyUI) up on the same address.
type fakeBackend struct {
	t       testing.TB
	opt     api.Options
	mu      sync.Mutex
	srv     *api.Server
	ts      *httptest.Server
	addr    string
	restart bool
	deaths  int
}

func newFake(t testing.TB, name string, restartOnDie bool, tune func(*api.Options)) (*fakeBackend, Backend) {
	f := &fakeBackend{t: t, restart: restartOnDie}
	f.opt = api.Options{ObjectInfo: objectInfo(t), OutputDir: t.TempDir(), InputDir: t.TempDir()}
	if tune != nil {
		tune(&f.opt)
	}
	f.opt.Die = f.die
	f.start(nil)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ts.Close()
	})
	return f, Backend{Name: name, URL: f.ts.URL, InputDir: f.opt.InputDir, Commit: "ffbecfffb953"}
}

func (f *fakeBackend) start(l net.Listener) {
	f.srv = api.New(f.opt)
	f.ts = httptest.NewUnstartedServer(f.srv)
	if l != nil {
		f.ts.Listener.Close()
		f.ts.Listener = l
	}
	f.ts.Start()
	f.addr = f.ts.Listener.Addr().String()
}

// die is Options.Die: the "process" goes away mid-job.
func (f *fakeBackend) die() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deaths++
	f.ts.CloseClientConnections()
	f.ts.Close()
	if !f.restart {
		return
	}
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Errorf("restart stand-in: %v", err)
		return
	}
	f.start(l)
}

// testGraph is a small graph that validates against the recorded
// object_info and ends in SaveVideo; the prompt text rides in a title so
// the stand-in's magic words work.
func testGraph(form workflows.Form, media map[string]string) (*Built, error) {
	pixels := `["1", 0]`
	extra := ""
	if name, ok := media["image"]; ok {
		pixels = `["7", 0]`
		extra = fmt.Sprintf(`, "7": {"class_type": "LoadImage", "inputs": {"image": %q}}`, name)
	}
	enhanced := ""
	if form.Enhance { // a text output node, as the enhancer's PreviewAny
		extra += fmt.Sprintf(`, "8": {"class_type": "PrimitiveString", "inputs": {"value": %q}}, "9": {"class_type": "PreviewAny", "inputs": {"source": ["8", 0]}}`, form.Prompt)
		enhanced = "9"
	}
	g := fmt.Sprintf(`{
 "1": {"class_type": "EmptyImage", "inputs": {"width": %d, "height": %d, "batch_size": 1, "color": 0}, "_meta": {"title": %q}},
 "2": {"class_type": "VAELoader", "inputs": {"vae_name": "pixel_space"}},
 "3": {"class_type": "VAEEncode", "inputs": {"pixels": %s, "vae": ["2", 0]}},
 "4": {"class_type": "VAEDecodeTiled", "inputs": {"samples": ["3", 0], "vae": ["2", 0], "tile_size": 256, "overlap": 64, "temporal_size": 64, "temporal_overlap": 8}},
 "5": {"class_type": "CreateVideo", "inputs": {"images": ["4", 0], "fps": %d}},
 "6": {"class_type": "SaveVideo", "inputs": {"video": ["5", 0], "filename_prefix": "ltx-studio/%s", "format": "mp4", "codec": "h264"}}%s}`,
		form.Width, form.Height, form.Prompt, pixels, form.FPS, form.Mode, extra)
	return &Built{Prompt: json.RawMessage(g), OutputNode: "6", EnhancedNode: enhanced,
		Stages: map[string]Stage{"1": {"encode", 0.05}, "2": {"encode", 0.05}, "7": {"encode", 0.05}, "8": {"encode", 0.05}, "9": {"encode", 0.05},
			"3": {"stage1", 0.5}, "4": {"decode", 0.3}, "5": {"save", 0.05}, "6": {"save", 0.05}},
		Models: []ModelRef{{Folder: "vae", Name: "pixel_space"}}}, nil
}

type fakeHasher struct{}

func (fakeHasher) SHA256(ctx context.Context, m ModelRef) (string, error) {
	return fmt.Sprintf("%064x", len(m.Name)), nil
}

type fakeModels struct{ calls int }

func (f *fakeModels) Ensure(ctx context.Context, refs []ModelRef, progress func(ModelProgress)) error {
	f.calls++
	progress(ModelProgress{File: refs[0].Name, Done: 1, Total: 1})
	return nil
}

func form(prompt string) workflows.Form {
	return workflows.Form{Mode: workflows.T2V, Prompt: prompt, Width: 64, Height: 64, Seconds: 1, FPS: 24,
		Seed: 42, Preset: workflows.Balanced, Precision: workflows.FP8}
}

func newEngine(t testing.TB, queueDir string, backends ...Backend) *Engine {
	e, err := New(Config{QueueDir: queueDir, OutputDir: filepath.Join(queueDir, "videos"), Builder: BuilderFunc(testGraph),
		Backends: backends, AppVersion: "test", Hashes: fakeHasher{}, DeadAfter: 2 * time.Second,
		VRAMPoll: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// run starts the engine's workers for the test's lifetime.
func run(t testing.TB, e *Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor reads events until pred holds for the job (guard: 10 s).
func waitFor(t testing.TB, e *Engine, ch <-chan Event, id string, pred func(Job) bool) Job {
	t.Helper()
	if j, ok := e.Job(id); ok && pred(j) {
		return j
	}
	guard := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			if c, ok := ev.(Changed); ok && c.Job.ID == id && pred(c.Job) {
				return c.Job
			}
		case <-guard:
			j, _ := e.Job(id)
			t.Fatalf("job %s stuck: %+v", id, j)
		}
	}
}

func finished(j Job) bool { return j.State.Finished() }

// Package e2e builds the stand-in world for end-to-end runs of the real
// app: a local git repository that plays ComfyUI (its main.py hands over to
// the fakecomfy program), a wheelhouse with the packages the installer asks
// for (a fake torch among them), and a local Hugging Face hub serving small
// files under every name of the model registry. Nothing in it reaches the
// network. The standins command starts it for a person or a script; the
// package test drives the engine through it without a window.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hftest"
)

// Options say where to build the world and from what.
type Options struct {
	// Dir holds everything. Its home/ and hf/ folders (the app's data and the
	// model cache) survive a new Setup; the stand-ins themselves are rebuilt.
	Dir string
	// ObjectInfo is the recorded object_info.json the fake server validates
	// prompts against; "" = shared/comfyui/object_info.json found by walking
	// up from the working directory (none found: only output nodes are checked).
	ObjectInfo string
	// FakeComfy is a prebuilt fakecomfy binary; "" = go build it from this module.
	FakeComfy string
	// Registry lists the model files to serve; zero = models.LTX23().
	Registry models.Registry
	Logger   *slog.Logger

	// Existing builds DIR/existing-comfyui, a ComfyUI the user had before,
	// holding these registry files as the hub serves them (ExistingBad: same
	// size, other bytes); LTX_COMFYUI_DIRS points the app at it.
	Existing, ExistingBad []models.Ref
	// RequestLog, when set, is a file every hub and storage request is
	// appended to while the world runs ("METHOD kind path").
	RequestLog string
	// HubRate caps each hub response in bytes/s; WheelRate serves the
	// wheelhouse over HTTP capped likewise, with TorchPad incompressible
	// bytes inside the torch wheel: a slow network for benchmarks.
	HubRate, WheelRate int64
	TorchPad           int
}

// World is a running set of stand-ins. Close stops the hub.
type World struct {
	Dir        string
	Home       string // LTX_STUDIO_HOME
	HFCache    string // HF_HUB_CACHE
	FakeComfy  string // the stand-in server binary main.py execs
	ComfyRepo  string // bare git repository "ComfyUI"
	ComfyURL   string // file:// URL of ComfyRepo (LTX_COMFYUI_GIT_URL)
	Commit     string // its HEAD (LTX_E2E_COMFYUI_COMMIT)
	Wheels     string // wheelhouse (LTX_PIP_FIND_LINKS)
	IndexURL   string // file:// PEP 503 index over Wheels (LTX_TORCH_INDEX_URL)
	ObjectInfo string // FAKECOMFY_OBJECT_INFO; "" when none was found
	Hub        *hftest.Server
	Repos      map[string]hftest.Repo // what Hub serves
	Existing   string                 // the "existing ComfyUI" (Options.Existing), "" without
	WheelURL   string                 // the capped wheel server (Options.WheelRate), "" without
	wheels     *wheelServer
	// Timings of the build phases, in order, for reports.
	Timings []Timing
}

// Timing is how long one phase of Setup took.
type Timing struct {
	Phase string
	Took  time.Duration
}

// Setup builds the stand-ins under o.Dir and starts the hub. On error
// nothing keeps running.
func Setup(ctx context.Context, o Options) (*World, error) {
	if o.Dir == "" {
		return nil, errors.New("e2e: Options.Dir is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry.Files == nil {
		o.Registry = models.LTX23()
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	w := &World{Dir: dir, Home: filepath.Join(dir, "home"), HFCache: filepath.Join(dir, "hf"),
		Wheels: filepath.Join(dir, "wheels"), ComfyRepo: filepath.Join(dir, "git", "ComfyUI.git")}
	// Rebuilt each time; home/ and hf/ are the app's and stay.
	for _, d := range []string{"bin", "git", "wheels", "simple", "hf-home"} {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			return nil, fmt.Errorf("e2e: clearing %s: %w", d, err)
		}
	}
	for _, d := range []string{w.Home, w.HFCache, w.Wheels, filepath.Join(dir, "bin"), filepath.Join(dir, "hf-home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("e2e: %w", err)
		}
	}
	phase := func(name string, start time.Time) {
		w.Timings = append(w.Timings, Timing{name, time.Since(start)})
		o.Logger.Info("e2e: stand-in ready", "part", name, "took", time.Since(start).Round(time.Millisecond))
	}

	t := time.Now()
	w.FakeComfy = o.FakeComfy
	if w.FakeComfy == "" {
		w.FakeComfy = filepath.Join(dir, "bin", "fakecomfy")
		if err := buildFakeComfy(ctx, w.FakeComfy); err != nil {
			return nil, err
		}
	} else if w.FakeComfy, err = filepath.Abs(w.FakeComfy); err != nil {
		return nil, err
	}
	phase("fakecomfy binary", t)

	t = time.Now()
	w.ObjectInfo = o.ObjectInfo
	if w.ObjectInfo == "" {
		w.ObjectInfo = FindShared("comfyui/object_info.json")
	}
	if w.ObjectInfo != "" {
		if w.ObjectInfo, err = filepath.Abs(w.ObjectInfo); err != nil {
			return nil, err
		}
		if _, err := os.Stat(w.ObjectInfo); err != nil {
			return nil, fmt.Errorf("e2e: recorded object_info: %w", err)
		}
	}
	if w.Commit, err = makeComfyRepo(ctx, w.ComfyRepo, w.FakeComfy); err != nil {
		return nil, err
	}
	w.ComfyURL = fileURL(w.ComfyRepo)
	phase("ComfyUI git repo", t)

	t = time.Now()
	if err := writeWheels(w.Wheels, filepath.Join(dir, "simple"), o.TorchPad); err != nil {
		return nil, err
	}
	if o.WheelRate > 0 {
		if w.wheels, err = startWheelServer(w.Wheels, o.WheelRate); err != nil {
			return nil, err
		}
		w.WheelURL = w.wheels.url
	}
	w.IndexURL = fileURL(filepath.Join(dir, "simple")) + "/"
	phase("wheelhouse", t)

	t = time.Now()
	w.Repos = HubRepos(o.Registry)
	w.Hub = hftest.New(w.Repos)
	w.Hub.ConnRate.Store(o.HubRate)
	if o.RequestLog != "" {
		var mu sync.Mutex
		w.Hub.Hub.Config.Handler = logRequests(w.Hub.Hub.Config.Handler, "hub", &mu, o.RequestLog)
		w.Hub.Storage.Config.Handler = logRequests(w.Hub.Storage.Config.Handler, "storage", &mu, o.RequestLog)
	}
	if len(o.Existing)+len(o.ExistingBad) > 0 {
		w.Existing = filepath.Join(dir, ExistingDir)
		if err := writeExisting(w.Existing, o.Registry, o.Existing, o.ExistingBad); err != nil {
			w.Close()
			return nil, err
		}
	}
	phase("model hub", t)
	return w, nil
}

// Close stops the hub (and the wheel server).
func (w *World) Close() {
	if w.Hub != nil {
		w.Hub.Close()
	}
	if w.wheels != nil {
		w.wheels.Close()
	}
}

// Env is what the app needs in its environment to use the stand-ins, as
// KEY=VALUE in a fixed order. HF_HOME is set so no real token or cache of
// the user's is read; HF_TOKEN and HF_HUB_OFFLINE are set empty.
func (w *World) Env() []string {
	// The slow wheel server is an index; without it pip reads the folder.
	noIndex, findLinks, pipIndex, torchIndex := "1", w.Wheels, "", w.IndexURL
	if w.WheelURL != "" {
		noIndex, findLinks, pipIndex, torchIndex = "", "", w.WheelURL, w.WheelURL
	}
	kv := [][2]string{
		{"LTX_STUDIO_HOME", w.Home},
		{"HF_HOME", filepath.Join(w.Dir, "hf-home")},
		{"HF_HUB_CACHE", w.HFCache},
		{"HF_ENDPOINT", w.Hub.URL()},
		{"HF_TOKEN", ""},
		{"HF_HUB_OFFLINE", ""},
		{"LTX_COMFYUI_GIT_URL", w.ComfyURL},
		{"LTX_E2E_COMFYUI_COMMIT", w.Commit},
		{"LTX_PIP_NO_INDEX", noIndex},
		{"LTX_PIP_FIND_LINKS", findLinks},
		{"LTX_PIP_INDEX_URL", pipIndex},
		{"LTX_TORCH_INDEX_URL", torchIndex},
		{"FAKECOMFY_OBJECT_INFO", w.ObjectInfo},
		{"LTX_COMFYUI_DIRS", w.Existing},
	}
	if w.WheelURL != "" { // the slow wheel server, and no pip cache to hide it
		kv = append(kv, [2]string{"PIP_NO_CACHE_DIR", "1"}, [2]string{"UV_NO_CACHE", "1"})
	}
	out := make([]string, len(kv))
	for i, p := range kv {
		out[i] = p[0] + "=" + p[1]
	}
	return out
}

// EnvScript is Env as a POSIX shell script: exports, and unset for empty values.
func (w *World) EnvScript() string {
	var b strings.Builder
	b.WriteString("# Stand-ins for an end-to-end run of LTX 2.3 Studio (internal/e2e). Source this file.\n")
	for _, e := range w.Env() {
		k, v, _ := strings.Cut(e, "=")
		if v == "" {
			fmt.Fprintf(&b, "unset %s\n", k)
			continue
		}
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	return b.String()
}

// WriteEnvFile writes EnvScript to path.
func (w *World) WriteEnvFile(path string) error {
	if err := os.WriteFile(path, []byte(w.EnvScript()), 0o644); err != nil {
		return fmt.Errorf("e2e: writing %s: %w", path, err)
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fileURL(p string) string { return "file://" + filepath.ToSlash(p) }

// FindShared finds rel under shared/ by walking up from the working
// directory (shared/ beside or inside an ancestor, as in CI); "" if absent.
func FindShared(rel string) string { return recordings.Find(rel) }

// moduleRoot is the folder of this module's go.mod, found from the working
// directory.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/ltxstudio/ltx-studio") {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("e2e: not inside the ltx-studio module; run from the repository or pass a prebuilt fakecomfy")
		}
		d = up
	}
}

func buildFakeComfy(ctx context.Context, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	goExe, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("e2e: the go tool is needed to build fakecomfy: %w", err)
	}
	cmd := exec.CommandContext(ctx, goExe, "build", "-o", out, "./internal/fakecomfy")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("e2e: building fakecomfy: %w\n%s", err, b)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

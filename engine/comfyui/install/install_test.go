package install

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// makeWheel writes a minimal pure-Python wheel pip installs with --no-index.
func makeWheel(t *testing.T, dir, name, version string, files map[string]string) {
	t.Helper()
	info := fmt.Sprintf("%s-%s.dist-info", name, version)
	files[info+"/METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version)
	files[info+"/WHEEL"] = "Wheel-Version: 1.0\nGenerator: ltx-studio-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var record strings.Builder
	for _, n := range names {
		sum := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", info)
	files[info+"/RECORD"] = record.String()
	names = append(names, info+"/RECORD")
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%s-py3-none-any.whl", name, version)))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_GLOBAL="+os.DevNull)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// repo builds a bare repository with one commit per file set and returns
// its path and the commits in order.
func repo(t *testing.T, root, name string, versions ...map[string]string) (string, []string) {
	t.Helper()
	work := filepath.Join(root, name+"-work")
	os.MkdirAll(work, 0o755)
	git(t, work, "init", "-q", "-b", "master")
	var commits []string
	for i, files := range versions {
		for n, c := range files {
			p := filepath.Join(work, n)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(c), 0o644)
		}
		git(t, work, "add", "-A")
		git(t, work, "commit", "-q", "-m", fmt.Sprintf("v%d", i+1))
		commits = append(commits, git(t, work, "rev-parse", "HEAD"))
	}
	bare := filepath.Join(root, name+".git")
	git(t, root, "clone", "-q", "--bare", work, bare)
	return bare, commits
}

const goodMain = `import os, sys
import tinydep, torch
if "--quick-test-for-ci" in sys.argv:
    base = sys.argv[sys.argv.index("--base-directory") + 1]
    sys.path.insert(0, os.path.join(base, "custom_nodes"))
    for name in sorted(os.listdir(os.path.join(base, "custom_nodes"))):
        __import__(name)
    print("quick test passed", tinydep.VALUE, torch.__version__)
    sys.exit(0)
`

type fixture struct {
	wheels, comfy, pack string
	comfyCommits        []string // good, broken, good v2
	packCommit          string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	f := fixture{wheels: filepath.Join(root, "wheels")}
	os.MkdirAll(f.wheels, 0o755)
	makeWheel(t, f.wheels, "tinydep", "1.0", map[string]string{"tinydep/__init__.py": "VALUE = 42\n"})
	makeWheel(t, f.wheels, "packdep", "1.0", map[string]string{"packdep/__init__.py": ""})
	makeWheel(t, f.wheels, "torch", "0.0.1", map[string]string{"torch/__init__.py": "__version__ = '0.0.1+test'\nclass cuda:\n    @staticmethod\n    def is_available():\n        return False\n"})
	f.comfy, f.comfyCommits = repo(t, root, "ComfyUI",
		map[string]string{"main.py": goodMain, "requirements.txt": "torch\ntinydep\n"},
		map[string]string{"main.py": "import not_installed_module\n"},
		map[string]string{"main.py": goodMain + "# v2\n"},
	)
	var pc []string
	f.pack, pc = repo(t, root, "TestPack", map[string]string{"__init__.py": "import packdep\n", "requirements.txt": "packdep\n"})
	f.packCommit = pc[0]
	return f
}

func (f fixture) config(root, commit string) Config {
	return Config{
		Root: root, ComfyURL: f.comfy, ComfyCommit: commit,
		Packs:         []Pack{{Name: "TestPack", URL: f.pack, Commit: f.packCommit}},
		NoUV:          true,
		Pip:           PipOptions{NoIndex: true, FindLinks: []string{f.wheels}},
		TorchPackages: []string{"torch"},
		DriverVersion: func(context.Context) (string, error) { return "", nil },
	}
}

// collect runs the installer, gathering events; stop, when set, cancels
// the run at the first event it returns true for.
func collect(t *testing.T, in *Installer, stop func(Event) bool) ([]Event, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan Event)
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, ch) }()
	var evs []Event
	for {
		select {
		case e := <-ch:
			evs = append(evs, e)
			if stop != nil && stop(e) {
				cancel()
			}
		case err := <-done:
			return evs, err
		}
	}
}

func kinds(evs []Event, k EventKind) []string {
	var out []string
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e.Step)
		}
	}
	return out
}

func TestInstallLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	root := filepath.Join(t.TempDir(), "comfyui")
	good, broken, good2 := f.comfyCommits[0], f.comfyCommits[1], f.comfyCommits[2]
	var first string

	t.Run("killed step resumes", func(t *testing.T) {
		in := New(f.config(root, good))
		evs, err := collect(t, in, func(e Event) bool {
			return e.Step == "torch" && e.Kind == Output && strings.HasPrefix(e.Line, "$ ")
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: err = %v", err)
		}
		if w := kinds(evs, Warning); len(w) != 1 {
			t.Errorf("no CPU-only warning: %v", w)
		}
		st, _ := in.Status()
		if st.Current != nil || st.Pending == nil || !st.Pending.done("venv") || st.Pending.done("torch") {
			t.Fatalf("after kill: %+v", st)
		}
		pending := st.Pending.ID

		evs, err = collect(t, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepSkipped), ","); got != "clone-comfyui,pack:TestPack,venv" {
			t.Errorf("skipped steps = %s", got)
		}
		if got := strings.Join(kinds(evs, StepDone), ","); got != "torch,requirements,pack-requirements:TestPack,selftest,switch" {
			t.Errorf("done steps = %s", got)
		}
		st, _ = in.Status()
		if st.Current == nil || st.Current.ID != pending || st.Pending != nil || !st.Current.Completed {
			t.Fatalf("after resume: %+v", st)
		}
		head := git(t, st.Current.ComfyDir(), "rev-parse", "HEAD")
		if head != good {
			t.Errorf("HEAD %s, want %s", head, good)
		}
		if _, err := os.Stat(filepath.Join(st.Current.BaseDir(), "custom_nodes", "TestPack", "__init__.py")); err != nil {
			t.Error(err)
		}
		log, _ := os.ReadFile(st.Current.LogPath())
		if !strings.Contains(string(log), "quick test passed 42") {
			t.Errorf("self-test output missing from the install log")
		}
		first = st.Current.ID
	})

	t.Run("nothing to do when current", func(t *testing.T) {
		evs, err := collect(t, New(f.config(root, good)), nil)
		if err != nil || len(kinds(evs, StepStarted)) != 0 || len(kinds(evs, Finished)) != 1 {
			t.Fatalf("err %v, events %+v", err, evs)
		}
	})

	t.Run("GPU appearing starts a CUDA build", func(t *testing.T) {
		cfg := f.config(root, good)
		cfg.DriverVersion = func(context.Context) (string, error) { return "580.159.04", nil }
		in := New(cfg)
		evs, err := collect(t, in, func(e Event) bool { return e.Kind == StepStarted }) // stop at once
		if !errors.Is(err, context.Canceled) || len(kinds(evs, StepStarted)) != 1 || len(kinds(evs, Warning)) != 0 {
			t.Fatalf("a new CUDA build should have started quietly: %v %v", err, evs)
		}
		st, _ := in.Status()
		if st.Current == nil || st.Current.ID != first || st.Pending == nil || st.Pending.Torch != "cu130" {
			t.Fatalf("status %+v", st)
		}
	})

	t.Run("self-test of a CUDA build needs torch to see the GPU", func(t *testing.T) {
		in := New(f.config(root, good))
		cur, err := in.Current()
		if err != nil {
			t.Fatal(err)
		}
		// The stand-in torch reports no CUDA device.
		r := &runner{in: in, cfg: in.cfg, torch: ChooseTorch("580.159.04"), build: &cur}
		err = r.selfTest(t.Context())
		if err == nil || !strings.Contains(err.Error(), "does not see the NVIDIA GPU") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("failed self-test keeps current", func(t *testing.T) {
		in := New(f.config(root, broken))
		evs, err := collect(t, in, nil)
		if err == nil || !strings.Contains(err.Error(), "start-up test") || !strings.Contains(err.Error(), "not_installed_module") {
			t.Fatalf("err = %v", err)
		}
		if failed := kinds(evs, Failed); len(failed) != 1 || failed[0] != "selftest" {
			t.Errorf("failed steps %v", failed)
		}
		st, _ := in.Status()
		if st.Current == nil || st.Current.ID != first || st.Pending == nil {
			t.Fatalf("status %+v", st)
		}
	})

	t.Run("upgrade then rollback", func(t *testing.T) {
		in := New(f.config(root, good2))
		if _, err := collect(t, in, nil); err != nil {
			t.Fatal(err)
		}
		st, _ := in.Status()
		if st.Current == nil || st.Current.ComfyCommit != good2 || st.Previous == nil || st.Previous.ID != first {
			t.Fatalf("after upgrade %+v", st)
		}
		second := st.Current.ID
		entries, _ := os.ReadDir(filepath.Join(root, "builds"))
		if len(entries) != 2 {
			t.Errorf("builds kept: %d (the failed one should be gone)", len(entries))
		}
		b, err := in.Rollback()
		if err != nil || b.ID != first {
			t.Fatalf("rollback: %v %v", b.ID, err)
		}
		cur, err := in.Current()
		if err != nil || cur.ID != first {
			t.Fatalf("current after rollback %v %v", cur.ID, err)
		}
		if _, err := os.Stat(cur.PythonPath()); err != nil {
			t.Fatal(err)
		}
		if b, err := in.Rollback(); err != nil || b.ID != second {
			t.Fatalf("roll forward again: %v %v", b.ID, err)
		}
	})
}

func TestPinnedCommitMustExist(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config(t.TempDir(), strings.Repeat("ab", 20))
	evs, err := collect(t, New(cfg), nil)
	if err == nil || !strings.Contains(err.Error(), "not in") {
		t.Fatalf("err = %v", err)
	}
	if failed := kinds(evs, Failed); len(failed) != 1 || failed[0] != "clone-comfyui" {
		t.Errorf("failed %v", failed)
	}
}

func TestOptionLikeGitURLIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	marker := filepath.Join(t.TempDir(), "ran")
	cfg := f.config(t.TempDir(), f.comfyCommits[0])
	cfg.ComfyURL = "--upload-pack=touch " + marker
	_, err := collect(t, New(cfg), nil)
	if err == nil || !strings.Contains(err.Error(), "not valid") || !strings.Contains(err.Error(), "LTX_COMFYUI_GIT_URL") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the URL ran a command")
	}
}

func TestMirrorPasswordNotShown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config(t.TempDir(), f.comfyCommits[0])
	cfg.ComfyURL = "http://me:s3cret@127.0.0.1:1/ComfyUI.git"
	evs, err := collect(t, New(cfg), nil)
	// The only place a mirror is set is named: there is no "mirror address" anywhere else.
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "the address in LTX_COMFYUI_GIT_URL") ||
		strings.Contains(err.Error(), "mirror address") {
		t.Errorf("err = %v", err)
	}
	for _, e := range evs {
		if strings.Contains(e.Line, "s3cret") || strings.Contains(e.Message, "s3cret") {
			t.Errorf("event shows the password: %+v", e)
		}
	}
}

func TestPreflightErrors(t *testing.T) {
	notFound := func(string) (string, error) { return "", exec.ErrNotFound }
	onlyGit := func(f string) (string, error) {
		if f == "git" {
			return "/usr/bin/git", nil
		}
		return "", exec.ErrNotFound
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no git", Config{LookPath: notFound}, "Git is needed"},
		{"no python", Config{LookPath: onlyGit, NoUV: true, GOOS: "linux"}, "python3-venv"},
		{"no python windows", Config{LookPath: onlyGit, NoUV: true, GOOS: "windows"}, "python.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Root = t.TempDir()
			err := New(tc.cfg).Run(t.Context(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestChooseTorch(t *testing.T) {
	for _, tc := range []struct {
		driver, variant string
		warn            bool
	}{
		{"", "cpu", true},
		{"580.159.04", "cu130", false},
		{"581.57", "cu130", false},
		{"575.64.03", "cu128", false},
		{"570.86.10", "cu128", false},
		{"566.36", "cu126", false},
		{"560.35.03", "cu126", false},
		{"550.127.05", "cu126", true},
		{"470.256.02", "cpu", true},
		{"garbage", "cpu", true},
	} {
		got := ChooseTorch(tc.driver)
		if got.Variant != tc.variant || (got.Warning != "") != tc.warn {
			t.Errorf("ChooseTorch(%q) = %+v, want %s warn=%v", tc.driver, got, tc.variant, tc.warn)
		}
	}
	if ChooseTorch("580.1").IndexURL() != "https://download.pytorch.org/whl/cu130" {
		t.Error("index URL")
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"LTX_COMFYUI_GIT_URL":               "file:///mirror/ComfyUI.git",
		"LTX_PACK_COMFYUI_LTXVIDEO_GIT_URL": "file:///mirror/ltx.git",
		"LTX_PIP_FIND_LINKS":                "/w1" + string(os.PathListSeparator) + "/w2",
		"LTX_PIP_NO_INDEX":                  "1",
		"LTX_TORCH_INDEX_URL":               "https://mirror/torch",
	}
	c := FromEnv(Config{Packs: []Pack{{Name: "ComfyUI-LTXVideo", URL: "https://github.com/Lightricks/ComfyUI-LTXVideo", Commit: "aceeae9635f6"}, {Name: "ComfyUI-VideoHelperSuite", URL: "u", Commit: "c"}}},
		func(k string) string { return env[k] })
	if c.ComfyURL != env["LTX_COMFYUI_GIT_URL"] || c.Packs[0].URL != "file:///mirror/ltx.git" || c.Packs[0].Commit != "aceeae9635f6" || c.Packs[1].URL != "u" {
		t.Errorf("%+v", c)
	}
	if !c.Pip.NoIndex || len(c.Pip.FindLinks) != 2 || c.Pip.TorchIndexURL != "https://mirror/torch" {
		t.Errorf("%+v", c.Pip)
	}
	if PackEnvName("ComfyUI-VideoHelperSuite") != "LTX_PACK_COMFYUI_VIDEOHELPERSUITE_GIT_URL" {
		t.Error(PackEnvName("ComfyUI-VideoHelperSuite"))
	}
}

package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

var validPackName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (in *Installer) plan() []step {
	cfg := in.cfg
	steps := []step{
		{"clone-comfyui", "Download ComfyUI " + shortCommit(cfg.ComfyCommit), func(ctx context.Context, r *runner) error {
			return r.clone(ctx, source{"ComfyUI", cfg.ComfyURL, ComfyEnvName}, cfg.ComfyCommit, r.build.ComfyDir())
		}},
	}
	for _, p := range cfg.Packs {
		steps = append(steps, step{"pack:" + p.Name, "Download node pack " + p.Name, func(ctx context.Context, r *runner) error {
			if !validPackName.MatchString(p.Name) {
				return fmt.Errorf("node pack name %q is not a plain folder name", p.Name)
			}
			return r.clone(ctx, source{"node pack " + p.Name, p.URL, PackEnvName(p.Name)}, p.Commit, filepath.Join(r.build.BaseDir(), "custom_nodes", p.Name))
		}})
	}
	steps = append(steps,
		step{"venv", "Create the Python environment", func(ctx context.Context, r *runner) error { return r.venv(ctx) }},
		step{"torch", "Install PyTorch", func(ctx context.Context, r *runner) error { return r.installTorch(ctx) }},
		step{"requirements", "Install ComfyUI's requirements", func(ctx context.Context, r *runner) error {
			return r.pip(ctx, nil, "-r", filepath.Join(r.build.ComfyDir(), "requirements.txt"))
		}},
	)
	for _, p := range cfg.Packs {
		steps = append(steps, step{"pack-requirements:" + p.Name, "Install requirements of " + p.Name, func(ctx context.Context, r *runner) error {
			req := filepath.Join(r.build.BaseDir(), "custom_nodes", p.Name, "requirements.txt")
			if _, err := os.Stat(req); errors.Is(err, os.ErrNotExist) {
				r.emit(ctx, Event{Kind: Output, Line: p.Name + " has no requirements.txt"})
				return nil
			}
			return r.pip(ctx, nil, "-r", req)
		}})
	}
	return append(steps,
		step{"selftest", "Test that ComfyUI starts", func(ctx context.Context, r *runner) error { return r.selfTest(ctx) }},
		step{"switch", "Make this install current", func(ctx context.Context, r *runner) error { return r.switchCurrent(ctx) }},
	)
}

// source is a git repository to clone: what it is, its address and the
// environment variable that can point it at a mirror (the only place a
// mirror is set), so a failure names that variable.
type source struct{ what, url, envVar string }

// clone checks out commit from src into dir and verifies HEAD. A partial
// folder from an interrupted run is removed first.
func (r *runner) clone(ctx context.Context, src source, commit, dir string) error {
	url := src.url
	if url == "" || commit == "" {
		return errors.New("missing git URL or commit")
	}
	if strings.HasPrefix(url, "-") {
		// git would read it as an option (--upload-pack runs a command).
		return fmt.Errorf("the git address %q for %s is not valid (it starts with a dash); correct or unset %s", redactURL(url), src.what, src.envVar)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the unfinished download %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := r.command(ctx, "", nil, "git", "clone", "--no-checkout", "--", url, dir); err != nil {
		return fmt.Errorf("could not download %s from %s; check the internet connection, and the address in %s if you set it: %w",
			src.what, redactURL(url), src.envVar, err)
	}
	checkout := func() error {
		return r.command(ctx, dir, nil, "git", "-c", "advice.detachedHead=false", "checkout", "--force", "--detach", commit)
	}
	if err := checkout(); err != nil {
		// Not on a branch the clone fetched: ask for the commit itself (GitHub allows it).
		if ferr := r.command(ctx, dir, nil, "git", "fetch", "origin", commit); ferr != nil {
			return fmt.Errorf("commit %s is not in %s; if %s points at a mirror, it may be out of date: %w", commit, redactURL(url), src.envVar, err)
		}
		if err := checkout(); err != nil {
			return err
		}
	}
	out, err := r.commandOut(ctx, dir, nil, "git", "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	if head := lastNonEmpty(out); !strings.EqualFold(head, commit) {
		return fmt.Errorf("%s is at %s after checkout, not the pinned %s; the repository may be damaged", redactURL(url), head, commit)
	}
	return nil
}

func lastNonEmpty(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

func (r *runner) venv(ctx context.Context) error {
	v := r.build.VenvDir()
	if err := os.RemoveAll(v); err != nil {
		return fmt.Errorf("removing the unfinished environment %s: %w", v, err)
	}
	py := r.py
	switch py.Mode() {
	case PipUV:
		want := "3.12"
		if py.Exe != "" {
			want = py.Exe
		}
		return r.command(ctx, "", nil, py.UV, "venv", "--python", want, v)
	case PipBase:
		return r.command(ctx, "", nil, py.Exe, append(append([]string{}, py.Args...), "-m", "venv", "--without-pip", v)...)
	}
	if err := r.command(ctx, "", nil, py.Exe, append(append([]string{}, py.Args...), "-m", "venv", v)...); err != nil {
		return fmt.Errorf("could not create a Python environment (on Debian/Ubuntu: sudo apt install python3-venv): %w", err)
	}
	return nil
}

// pip installs into the build's venv with the configured package sources.
// index replaces the main index (torch); nil keeps the configured one.
func (r *runner) pip(ctx context.Context, index *string, args ...string) error {
	o := r.cfg.Pip
	var src []string
	switch {
	case o.NoIndex:
		src = append(src, "--no-index")
	case index != nil:
		src = append(src, "--index-url", *index)
		// pip merges indexes and ranks torch 2.x+cu130 above PyPI's 2.x; uv
		// would prefer the extra index, so it gets the PyTorch index alone.
		if o.IndexURL != "" && r.py.Mode() != PipUV {
			src = append(src, "--extra-index-url", o.IndexURL)
		}
	case o.IndexURL != "":
		src = append(src, "--index-url", o.IndexURL)
	}
	if !o.NoIndex {
		for _, e := range o.ExtraIndexURLs {
			src = append(src, "--extra-index-url", e)
		}
	}
	for _, f := range o.FindLinks {
		src = append(src, "--find-links", f)
	}
	py := r.py
	target := r.build.PythonPath()
	switch py.Mode() {
	case PipUV:
		return r.command(ctx, "", nil, py.UV, append(append([]string{"pip", "install", "--python", target}, src...), args...)...)
	case PipBase:
		a := append(append([]string{}, py.Args...), "-m", "pip", "--python", target, "install", "--progress-bar", "off")
		return r.command(ctx, "", nil, py.Exe, append(append(a, src...), args...)...)
	}
	a := []string{"-m", "pip", "install", "--progress-bar", "off"}
	return r.command(ctx, "", nil, target, append(append(a, src...), args...)...)
}

func (r *runner) installTorch(ctx context.Context) error {
	if len(r.cfg.TorchPackages) == 0 {
		return nil
	}
	idx := r.cfg.Pip.TorchIndexURL
	if idx == "" {
		idx = r.torch.IndexURL()
	}
	r.emit(ctx, Event{Kind: Output, Line: fmt.Sprintf("PyTorch build %s for NVIDIA driver %q from %s", r.torch.Variant, r.torch.Driver, idx)})
	if err := r.pip(ctx, &idx, r.cfg.TorchPackages...); err != nil {
		return fmt.Errorf("could not install PyTorch (%s, about 3 GB); check the internet connection and free disk space: %w", r.torch.Variant, err)
	}
	return nil
}

// selfTest runs main.py --quick-test-for-ci (imports everything, builds the
// server, exits 0) and, for a CUDA build, checks that torch sees the GPU.
func (r *runner) selfTest(ctx context.Context) error {
	b := r.build
	scratch := filepath.Join(b.Dir, "selftest")
	os.RemoveAll(scratch)
	user := filepath.Join(scratch, "user")
	for _, d := range []string{user, filepath.Join(b.BaseDir(), "custom_nodes"), filepath.Join(b.BaseDir(), "models")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	args := []string{filepath.Join(b.ComfyDir(), "main.py"), "--quick-test-for-ci"}
	args = append(args, proc.Folders{Base: b.BaseDir(), User: user, Input: filepath.Join(scratch, "in"),
		Output: filepath.Join(scratch, "out"), Temp: filepath.Join(scratch, "tmp")}.Args()...)
	args = append(args, proc.HeadlessArgs()...)
	if !r.torch.GPU() {
		args = append(args, "--cpu")
	}
	args = append(args, r.cfg.SelfTestArgs...)
	if err := r.command(ctx, b.ComfyDir(), nil, b.PythonPath(), args...); err != nil {
		return fmt.Errorf("the new ComfyUI did not pass its start-up test, so the install in use was kept: %w", err)
	}
	if r.torch.GPU() {
		const check = "import sys, torch; ok = torch.cuda.is_available(); print('torch', torch.__version__, 'cuda available:', ok); sys.exit(0 if ok else 3)"
		if err := r.command(ctx, b.ComfyDir(), nil, b.PythonPath(), "-c", check); err != nil {
			return fmt.Errorf("PyTorch (%s) does not see the NVIDIA GPU (driver %s), so the install in use was kept; update the NVIDIA driver and reinstall: %w", r.torch.Variant, r.torch.Driver, err)
		}
	}
	os.RemoveAll(scratch)
	return nil
}

// switchCurrent moves the pointer to the new build, keeps the old current
// as previous and removes older builds.
func (r *runner) switchCurrent(ctx context.Context) error {
	root := r.cfg.Root
	b := r.build
	b.Completed, b.Finished = true, time.Now().UTC()
	if err := b.save(); err != nil {
		return err
	}
	p, err := readPointer(root)
	if err != nil {
		return err
	}
	if p.Current != b.ID {
		p.Previous = p.Current
	}
	p.Current, p.Pending = b.ID, ""
	if err := writePointer(root, p); err != nil {
		return fmt.Errorf("switching to the new install: %w", err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "builds"))
	for _, e := range entries {
		if e.Name() != p.Current && e.Name() != p.Previous {
			r.emit(ctx, Event{Kind: Output, Line: "removing old build " + e.Name()})
			os.RemoveAll(filepath.Join(root, "builds", e.Name()))
		}
	}
	return nil
}

package install

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
)

// reqCheckScript checks, inside the venv, that a step's packages are
// installed, satisfy their requirements and still have all their files.
//
//go:embed reqcheck.py
var reqCheckScript string

// CheckedPrefix starts the message of a StepSkipped event from Repair: the
// step's check passed, and the rest says what was checked.
const CheckedPrefix = "checked: "

// reqCheckMarker starts the script's answer line.
const reqCheckMarker = "LTX-REQCHECK "

// problem is what a check found wrong with one step; Broken are packages
// whose metadata says installed but whose files are gone (pip would call
// them satisfied), so they are reinstalled by force.
type problem struct {
	why    string
	broken []brokenPackage
}

type brokenPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Why     string `json:"why"`
}

type packageReport struct {
	Checked int             `json:"checked"`
	Missing []string        `json:"missing"`
	Broken  []brokenPackage `json:"broken"`
}

// repair verifies the current build step by step, in install order, and
// does again each step whose check fails (a later step is checked after
// the earlier ones were fixed: a new venv then shows its packages as
// missing). The self-test always runs last. The build stays current
// throughout: the server was stopped by the caller, and there is no other
// install to fall back on than this one.
func (r *runner) repair(ctx context.Context) error {
	b := r.build
	// Its own log: the install log of the build is what the build did.
	r.log = &logs.RotatingFile{Path: filepath.Join(b.Dir, "repair.log"), MaxBytes: 10 << 20}
	if err := r.log.Open(); err != nil {
		return err
	}
	defer r.log.Close()
	r.emit(ctx, Event{Kind: Output, Line: fmt.Sprintf("checking install %s (ComfyUI %s, torch %s)", b.ID, shortCommit(b.ComfyCommit), b.Torch)})

	steps := r.in.plan()
	r.total = len(steps) - 1 // "switch" has nothing to check: the build is current
	var checked, redone []string
	for i, s := range steps {
		if s.id == "switch" {
			break
		}
		r.step, r.idx = s.id, i+1
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("repair stopped before checking %q; run it again: %w", s.title, err)
		}
		if s.id == "selftest" {
			r.emit(ctx, Event{Kind: StepStarted, Title: s.title, Message: s.title})
			if err := r.selfTest(ctx); err != nil {
				err = r.stopped(ctx, s, err)
				r.emit(ctx, Event{Kind: Failed, Title: s.title, Message: err.Error()})
				return err
			}
			r.emit(ctx, Event{Kind: StepDone, Title: s.title, Message: "ComfyUI starts"})
			checked = append(checked, "the start-up test passes")
			continue
		}
		ok, p, err := r.check(ctx, s.id)
		if err != nil {
			err = r.stopped(ctx, s, err)
			r.emit(ctx, Event{Kind: Failed, Title: s.title, Message: err.Error()})
			return err
		}
		if p == nil {
			r.emit(ctx, Event{Kind: StepSkipped, Title: s.title, Message: CheckedPrefix + ok})
			checked = append(checked, ok)
			continue
		}
		r.emit(ctx, Event{Kind: StepStarted, Title: s.title, Message: "repairing: " + p.why})
		if err := r.fix(ctx, s, p); err != nil {
			err = r.stopped(ctx, s, fmt.Errorf("%s (%s): %w", s.title, p.why, err))
			r.emit(ctx, Event{Kind: Failed, Title: s.title, Message: err.Error()})
			return err
		}
		ok, p, err = r.check(ctx, s.id)
		if err == nil && p != nil {
			err = fmt.Errorf("%s did not fix it: %s", s.title, p.why)
		}
		if err != nil {
			err = r.stopped(ctx, s, err)
			r.emit(ctx, Event{Kind: Failed, Title: s.title, Message: err.Error()})
			return err
		}
		r.emit(ctx, Event{Kind: StepDone, Title: s.title, Message: "repaired: " + ok})
		redone = append(redone, s.title)
	}
	r.step = "finished"
	msg := "Nothing to repair. Checked: " + strings.Join(checked, "; ") + "."
	if len(redone) > 0 {
		msg = fmt.Sprintf("Repaired ComfyUI (build %s): redid %s; the start-up test passes again.", b.ID, strings.Join(redone, ", "))
	}
	r.emit(ctx, Event{Kind: Output, Line: msg}) // the window's install log shows lines, not Finished
	r.emit(ctx, Event{Kind: Finished, Message: msg})
	return nil
}

// stopped words an error after a cancel as one, so a repair can be run again.
func (r *runner) stopped(ctx context.Context, s step, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("repair stopped during %q; run it again: %w", s.title, ctx.Err())
	}
	return err
}

// check verifies what one install step left behind. It returns what was
// checked when it holds, or the problem; err is for a check that could
// not run at all.
func (r *runner) check(ctx context.Context, id string) (string, *problem, error) {
	b := r.build
	switch {
	case id == "clone-comfyui":
		return r.checkCheckout(ctx, "ComfyUI", b.ComfyDir(), b.ComfyCommit)
	case strings.HasPrefix(id, "pack:"):
		p, _ := r.pack(strings.TrimPrefix(id, "pack:"))
		return r.checkCheckout(ctx, "node pack "+p.Name, filepath.Join(b.BaseDir(), "custom_nodes", p.Name), p.Commit)
	case id == "venv":
		out, err := r.commandOut(ctx, "", nil, b.PythonPath(), "-c", "import sys; print(sys.version.split()[0])")
		if err != nil {
			return "", &problem{why: "its Python does not run (" + firstLine(err) + ")"}, nil
		}
		return "the Python environment runs (Python " + lastNonEmpty(out) + ")", nil, nil
	case id == "torch":
		if len(r.cfg.TorchPackages) == 0 {
			return "no PyTorch packages to check", nil, nil
		}
		return r.checkPackages(ctx, "PyTorch", map[string]any{"names": r.cfg.TorchPackages, "imports": []string{"torch"}})
	case id == "requirements":
		return r.checkPackages(ctx, "ComfyUI's requirements", map[string]any{"file": filepath.Join(b.ComfyDir(), "requirements.txt")})
	case strings.HasPrefix(id, "pack-requirements:"):
		name := strings.TrimPrefix(id, "pack-requirements:")
		req := filepath.Join(b.BaseDir(), "custom_nodes", name, "requirements.txt")
		if _, err := os.Stat(req); errors.Is(err, os.ErrNotExist) {
			return name + " needs no packages", nil, nil
		}
		return r.checkPackages(ctx, "the requirements of "+name, map[string]any{"file": req})
	}
	return "", nil, fmt.Errorf("no check for install step %q", id)
}

func (r *runner) pack(name string) (Pack, bool) {
	for _, p := range r.build.Packs {
		if p.Name == name {
			return p, true
		}
	}
	return Pack{Name: name}, false
}

// checkCheckout: HEAD is the pinned commit and no tracked file differs.
func (r *runner) checkCheckout(ctx context.Context, what, dir, commit string) (string, *problem, error) {
	out, err := r.commandOut(ctx, dir, nil, "git", "rev-parse", "HEAD")
	if err != nil {
		return "", &problem{why: what + "'s git checkout cannot be read (" + firstLine(err) + ")"}, nil
	}
	if head := lastNonEmpty(out); !strings.EqualFold(head, commit) {
		return "", &problem{why: fmt.Sprintf("%s is at %s, not the pinned %s", what, shortCommit(head), shortCommit(commit))}, nil
	}
	changed, err := r.commandOut(ctx, dir, nil, "git", "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return "", &problem{why: what + "'s files cannot be compared with git (" + firstLine(err) + ")"}, nil
	}
	var files []string
	for _, l := range changed {
		if f := strings.TrimSpace(l); f != "" {
			files = append(files, f)
		}
	}
	if len(files) > 0 {
		return "", &problem{why: fmt.Sprintf("%d of %s's files were changed or deleted (%s)", len(files), what, files[0])}, nil
	}
	return what + " is at the pinned " + shortCommit(commit) + " with no changed files", nil, nil
}

// checkPackages runs reqcheck.py for one step's packages.
func (r *runner) checkPackages(ctx context.Context, what string, spec map[string]any) (string, *problem, error) {
	arg, err := json.Marshal(map[string]any{"group": spec})
	if err != nil {
		return "", nil, err
	}
	script := filepath.Join(r.build.Dir, "reqcheck.py")
	if err := os.WriteFile(script, []byte(reqCheckScript), 0o644); err != nil {
		return "", nil, fmt.Errorf("writing the package check: %w", err)
	}
	out, err := r.commandOut(ctx, "", nil, r.build.PythonPath(), script, string(arg))
	if err != nil {
		return "", &problem{why: "the package check cannot run in the Python environment (" + firstLine(err) + ")"}, nil
	}
	// Importing torch may print; the answer is the one marked line.
	var answer string
	for _, l := range out {
		if a, ok := strings.CutPrefix(l, reqCheckMarker); ok {
			answer = a
		}
	}
	var rep map[string]packageReport
	if err := json.Unmarshal([]byte(answer), &rep); err != nil {
		return "", nil, fmt.Errorf("reading the package check of %s: %w", what, err)
	}
	g := rep["group"]
	var whys []string
	whys = append(whys, g.Missing...)
	for _, p := range g.Broken {
		whys = append(whys, p.Name+" "+p.Version+": "+p.Why)
	}
	if len(whys) > 0 {
		return "", &problem{why: what + ": " + strings.Join(whys, "; "), broken: g.Broken}, nil
	}
	return fmt.Sprintf("%s: %d packages installed and complete", what, g.Checked), nil, nil
}

// fix does a failed step again. A checkout is first restored in place
// (git checkout --force: no download); packages whose files are gone are
// reinstalled at their version before the step's own install fills in
// what is missing.
func (r *runner) fix(ctx context.Context, s step, p *problem) error {
	b := r.build
	switch {
	case s.id == "clone-comfyui" || strings.HasPrefix(s.id, "pack:"):
		dir, commit := b.ComfyDir(), b.ComfyCommit
		if s.id != "clone-comfyui" {
			pk, _ := r.pack(strings.TrimPrefix(s.id, "pack:"))
			dir, commit = filepath.Join(b.BaseDir(), "custom_nodes", pk.Name), pk.Commit
		}
		err := r.command(ctx, dir, nil, "git", "-c", "advice.detachedHead=false", "checkout", "--force", "--detach", commit)
		if err == nil {
			if _, still, _ := r.check(ctx, s.id); still == nil {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.emit(ctx, Event{Kind: Output, Line: "restoring in place did not work; downloading it again"})
		return s.run(ctx, r)
	case len(p.broken) > 0:
		pins := make([]string, len(p.broken))
		for i, bp := range p.broken {
			pins[i] = bp.Name + "==" + bp.Version
		}
		var index *string
		if s.id == "torch" {
			idx := r.cfg.Pip.TorchIndexURL
			if idx == "" {
				idx = r.torch.IndexURL()
			}
			index = &idx
		}
		force := "--force-reinstall"
		if r.py.Mode() == PipUV {
			force = "--reinstall"
		}
		if err := r.pip(ctx, index, append([]string{force, "--no-deps"}, pins...)...); err != nil {
			return err
		}
	}
	return s.run(ctx, r)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

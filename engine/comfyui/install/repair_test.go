package install

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repairRun runs Repair, gathering events like collect does for Run.
func repairRun(t *testing.T, in *Installer) ([]Event, error) {
	t.Helper()
	return repairUntil(t, in, nil)
}

// repairUntil cancels the repair at the first event stop returns true for.
func repairUntil(t *testing.T, in *Installer, stop func(Event) bool) ([]Event, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan Event)
	done := make(chan error, 1)
	go func() { done <- in.Repair(ctx, ch) }()
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

func finished(evs []Event) string {
	for _, e := range evs {
		if e.Kind == Finished {
			return e.Message
		}
	}
	return ""
}

// sitePackages is the venv's site-packages folder (its Python version varies).
func sitePackages(t *testing.T, b Build) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(b.VenvDir(), "lib", "python3*", "site-packages"))
	if len(m) != 1 {
		m, _ = filepath.Glob(filepath.Join(b.VenvDir(), "Lib", "site-packages"))
	}
	if len(m) != 1 {
		t.Fatalf("no site-packages in %s", b.VenvDir())
	}
	return m[0]
}

// venvImports asserts the venv's Python imports the modules.
func venvImports(t *testing.T, b Build, mods ...string) {
	t.Helper()
	out, err := exec.Command(b.PythonPath(), "-c", "import "+strings.Join(mods, ", ")).CombinedOutput()
	if err != nil {
		t.Errorf("import %v in the repaired venv: %v\n%s", mods, err, out)
	}
}

func TestRepair(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	root := filepath.Join(t.TempDir(), "comfyui")
	good := f.comfyCommits[0]
	in := New(f.config(root, good))

	t.Run("nothing installed: repair installs", func(t *testing.T) {
		evs, err := repairRun(t, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepDone), ","); got != "clone-comfyui,pack:TestPack,venv,torch,requirements,pack-requirements:TestPack,selftest,switch" {
			t.Errorf("done steps = %s", got)
		}
	})
	cur, err := in.Current()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a healthy build has nothing to repair and says what was checked", func(t *testing.T) {
		evs, err := repairRun(t, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepStarted), ","); got != "selftest" {
			t.Errorf("steps redone on a healthy build: %s", got)
		}
		if got := strings.Join(kinds(evs, StepSkipped), ","); got != "clone-comfyui,pack:TestPack,venv,torch,requirements,pack-requirements:TestPack" {
			t.Errorf("checked steps = %s", got)
		}
		msg := finished(evs)
		for _, want := range []string{"Nothing to repair", "ComfyUI is at the pinned " + good[:10] + " with no changed files",
			"node pack TestPack is at the pinned", "the Python environment runs (Python 3.", "PyTorch: 1 packages installed and complete",
			"ComfyUI's requirements: 2 packages installed and complete", "the start-up test passes"} {
			if !strings.Contains(msg, want) {
				t.Errorf("finished message %q lacks %q", msg, want)
			}
		}
		if _, err := os.Stat(filepath.Join(cur.Dir, "repair.log")); err != nil {
			t.Errorf("no repair log: %v", err)
		}
	})

	t.Run("a changed file, a deleted package and a gutted one are put back", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(cur.ComfyDir(), "main.py"), []byte("garbage\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		site := sitePackages(t, cur)
		infos, _ := filepath.Glob(filepath.Join(site, "tinydep*"))
		if len(infos) != 2 { // tinydep/ and tinydep-1.0.dist-info/
			t.Fatalf("tinydep in site-packages: %v", infos)
		}
		for _, p := range infos {
			os.RemoveAll(p)
		}
		// torch's metadata stays: pip alone would call it installed.
		os.RemoveAll(filepath.Join(site, "torch"))

		evs, err := repairRun(t, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepDone), ","); got != "clone-comfyui,torch,requirements,selftest" {
			t.Errorf("redone steps = %s", got)
		}
		if msg := finished(evs); !strings.Contains(msg, "Repaired ComfyUI") || !strings.Contains(msg, "Install PyTorch") {
			t.Errorf("finished message %q", msg)
		}
		if data, _ := os.ReadFile(filepath.Join(cur.ComfyDir(), "main.py")); string(data) != goodMain {
			t.Errorf("main.py not restored: %q", data)
		}
		if st := git(t, cur.ComfyDir(), "status", "--porcelain", "--untracked-files=no"); st != "" {
			t.Errorf("checkout still differs: %s", st)
		}
		venvImports(t, cur, "torch", "tinydep")
		again, err := New(f.config(root, good)).Status()
		if err != nil || again.Current == nil || again.Current.ID != cur.ID {
			t.Errorf("repair changed the current build: %+v %v", again, err)
		}
	})

	t.Run("a venv whose Python is gone is made again with all its packages", func(t *testing.T) {
		if err := os.Remove(cur.PythonPath()); err != nil {
			t.Fatal(err)
		}
		evs, err := repairRun(t, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepDone), ","); got != "venv,torch,requirements,pack-requirements:TestPack,selftest" {
			t.Errorf("redone steps = %s", got)
		}
		venvImports(t, cur, "torch", "tinydep", "packdep")
	})

	t.Run("a checkout git cannot read is downloaded again", func(t *testing.T) {
		pack := filepath.Join(cur.BaseDir(), "custom_nodes", "TestPack")
		if err := os.RemoveAll(filepath.Join(pack, ".git")); err != nil {
			t.Fatal(err)
		}
		evs, err := repairRun(t, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(kinds(evs, StepDone), ","); got != "pack:TestPack,selftest" {
			t.Errorf("redone steps = %s", got)
		}
		if head := git(t, pack, "rev-parse", "HEAD"); head != f.packCommit {
			t.Errorf("pack HEAD %s", head)
		}
	})

	t.Run("a repair that cannot fix a step fails and says which", func(t *testing.T) {
		cfg := f.config(root, good)
		cfg.Pip.FindLinks = []string{t.TempDir()} // no wheels to put tinydep back from
		site := sitePackages(t, cur)
		infos, _ := filepath.Glob(filepath.Join(site, "tinydep*"))
		for _, p := range infos {
			os.RemoveAll(p)
		}
		evs, err := repairRun(t, New(cfg))
		if err == nil || !strings.Contains(err.Error(), "tinydep is not installed") {
			t.Fatalf("err = %v", err)
		}
		if failed := kinds(evs, Failed); len(failed) != 1 || failed[0] != "requirements" {
			t.Errorf("failed steps %v", failed)
		}
		if _, err := repairRun(t, in); err != nil { // with its wheels again
			t.Fatal(err)
		}
		venvImports(t, cur, "tinydep")
	})
}

func TestRepairStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := New(f.config(filepath.Join(t.TempDir(), "comfyui"), f.comfyCommits[0]))
	if _, err := collect(t, in, nil); err != nil {
		t.Fatal(err)
	}
	evs, err := repairUntil(t, in, func(e Event) bool { return e.Kind == StepSkipped })
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "repair stopped") || !strings.Contains(err.Error(), "run it again") {
		t.Fatalf("err = %v", err)
	}
	if finished(evs) != "" {
		t.Error("a stopped repair said it finished")
	}
}

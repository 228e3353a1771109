package studio

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	nvidia "github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/models/download"
)

// Verdict grades one check.
type Verdict int

const (
	OK Verdict = iota
	Warn
	Fail
)

// Check is one line of the first-run checks: a plain verdict and, when not
// OK, what to do about it.
type Check struct {
	ID, Name string
	Verdict  Verdict
	Detail   string
	Fix      string
}

// Disk space a first install needs besides the models: ComfyUI, its venv
// and the CUDA torch wheels.
const installBytes = 8 << 30

// checkWait bounds each check by default: a stuck nvidia-smi or Python reports that it
// did not answer instead of holding the whole list.
const checkWait = 10 * time.Second

// check is one probe of the machine.
type check struct {
	id, name string
	run      func(ctx context.Context, c *Check)
}

// plan lists the checks, in the order the setup shows them.
func (s *Studio) checkPlan() []check {
	inst := s.Backend().Installer()
	cs := []check{
		{"gpu", "NVIDIA GPU and driver", func(ctx context.Context, c *Check) { gpuCheck(ctx, inst, c) }},
		{"disk", "Free disk space", s.diskCheck},
	}
	if s.Settings().Backend == settings.BackendManaged {
		cs = append(cs,
			check{"git", "Git", gitCheck},
			check{"python", "Python or uv", func(ctx context.Context, c *Check) { pythonCheck(ctx, inst, c) }})
	}
	return cs
}

// RunChecks looks at the machine the way the setup flow shows it. The checks
// run at once, each within its deadline (Options.CheckWait), and report is called as each one ends
// (one call at a time), so a face can show the fast ones while a slow probe
// is still answering.
func (s *Studio) RunChecks(ctx context.Context, report func(Check)) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range s.checkPlan() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, s.checkWait)
			defer cancel()
			c := Check{ID: ch.id, Name: ch.name}
			began := time.Now()
			ch.run(cctx, &c)
			s.log.Debug("setup check", "id", c.ID, "took", time.Since(began))
			if cctx.Err() != nil && ctx.Err() == nil {
				c.Verdict, c.Detail = Warn, fmt.Sprintf("Did not answer within %s.", s.checkWait)
				c.Fix = "Run the checks again; if this repeats, the program behind it is stuck."
			}
			mu.Lock()
			defer mu.Unlock()
			report(c)
		}()
	}
	wg.Wait()
}

// Checks is RunChecks collected, in the setup's order.
func (s *Studio) Checks(ctx context.Context) []Check {
	plan := s.checkPlan()
	byID := map[string]Check{}
	s.RunChecks(ctx, func(c Check) { byID[c.ID] = c })
	out := make([]Check, 0, len(plan))
	for _, ch := range plan {
		out = append(out, byID[ch.id])
	}
	return out
}

func gpuCheck(ctx context.Context, inst *install.Installer, c *Check) {
	t := inst.Torch(ctx)
	switch {
	case t.Driver == "":
		c.Verdict, c.Detail = Warn, nvidia.NoGPU+"."
		c.Fix = "Install the NVIDIA driver (560 or newer), or use a remote ComfyUI server in Settings. Without a GPU, videos take hours."
	case t.Warning != "":
		c.Verdict, c.Detail, c.Fix = Warn, "Driver "+t.Driver+" → torch "+t.Variant, t.Warning
	default:
		c.Detail = "Driver " + t.Driver + " → torch " + t.Variant
	}
}

func (s *Studio) diskCheck(_ context.Context, c *Check) {
	free, err := download.DiskFree(s.dirs.Data)
	if err != nil {
		c.Verdict, c.Detail = Warn, "Could not read free space: "+err.Error()
		return
	}
	c.Detail = fmt.Sprintf("%s free for ComfyUI (needs about %s)", gb(free), gb(installBytes))
	if free < installBytes {
		c.Verdict, c.Fix = Fail, "Free some space, or choose another location in Settings → ComfyUI."
	}
	if st, err := s.Models(); err == nil {
		dir := st.Cache().Dir
		if mf, err := download.DiskFree(existingParent(dir)); err == nil {
			c.Detail += fmt.Sprintf("; %s free for models in %s", gb(mf), dir)
		}
	}
}

func gitCheck(ctx context.Context, c *Check) {
	p, err := exec.LookPath("git")
	if err != nil {
		c.Verdict, c.Detail, c.Fix = Fail, "git is not installed.", "Install git (Debian/Ubuntu: sudo apt install git; Windows: git-scm.com), then run the checks again."
		return
	}
	if v, err := quietCommand(ctx, p, "--version").Output(); err == nil {
		c.Detail = strings.TrimSpace(string(v))
	}
}

func pythonCheck(ctx context.Context, inst *install.Installer, c *Check) {
	p, err := inst.FindPython(ctx)
	if err != nil {
		c.Verdict, c.Detail = Fail, err.Error()
		c.Fix = "Install uv (fastest) or Python 3.10–3.12 with venv (Debian/Ubuntu: sudo apt install python3-venv)."
		if runtime.GOOS == "windows" {
			c.Fix = "Install uv (fastest: winget install astral-sh.uv) or Python 3.12 from python.org with \"Add python.exe to PATH\" ticked, then run the checks again."
		}
		return
	}
	c.Detail = p.Describe()
}

func gb(n uint64) string { return fmt.Sprintf("%.1f GB", float64(n)/1e9) }

// existingParent walks up to a folder that exists (the cache may not yet).
func existingParent(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); (err == nil && fi.IsDir()) || d == filepath.Dir(d) {
			return d
		}
	}
}

// quietCommand is a probe that opens no console window over the app on
// Windows (a GUI program's console children otherwise get one each).
func quietCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	proc.Prepare(cmd)
	return cmd
}

package studio

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
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

// Checks looks at the machine the way the setup flow shows it.
func (s *Studio) Checks(ctx context.Context) []Check {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	managed := s.Settings().Backend == settings.BackendManaged
	var out []Check

	inst := s.Backend().Installer()
	t := inst.Torch(ctx)
	gpu := Check{ID: "gpu", Name: "NVIDIA GPU and driver"}
	switch {
	case t.Driver == "":
		gpu.Verdict, gpu.Detail = Warn, "No NVIDIA GPU found (nvidia-smi did not answer)."
		gpu.Fix = "Install the NVIDIA driver (560 or newer), or use a remote ComfyUI server in Settings. Without a GPU, videos take hours."
	case t.Warning != "":
		gpu.Verdict, gpu.Detail, gpu.Fix = Warn, "Driver "+t.Driver+" → torch "+t.Variant, t.Warning
	default:
		gpu.Detail = "Driver " + t.Driver + " → torch " + t.Variant
	}
	out = append(out, gpu)

	disk := Check{ID: "disk", Name: "Free disk space"}
	free, err := download.DiskFree(s.dirs.Data)
	if err != nil {
		disk.Verdict, disk.Detail = Warn, "Could not read free space: "+err.Error()
	} else {
		disk.Detail = fmt.Sprintf("%s free for ComfyUI (needs about %s)", gb(free), gb(installBytes))
		if free < installBytes {
			disk.Verdict, disk.Fix = Fail, "Free some space, or choose another location in Settings → ComfyUI."
		}
		if st, err := s.Models(); err == nil {
			dir := st.Cache().Dir
			if mf, err := download.DiskFree(existingParent(dir)); err == nil {
				disk.Detail += fmt.Sprintf("; %s free for models in %s", gb(mf), dir)
			}
		}
	}
	out = append(out, disk)

	if managed {
		g := Check{ID: "git", Name: "Git"}
		if p, err := exec.LookPath("git"); err != nil {
			g.Verdict, g.Detail, g.Fix = Fail, "git is not installed.", "Install git (Debian/Ubuntu: sudo apt install git; Windows: git-scm.com), then run the checks again."
		} else if v, err := quietCommand(ctx, p, "--version").Output(); err == nil {
			g.Detail = strings.TrimSpace(string(v))
		}
		out = append(out, g)

		py := Check{ID: "python", Name: "Python or uv"}
		if p, err := inst.FindPython(ctx); err != nil {
			py.Verdict, py.Detail = Fail, err.Error()
			py.Fix = "Install uv (fastest) or Python 3.10–3.12 with venv (Debian/Ubuntu: sudo apt install python3-venv)."
			if runtime.GOOS == "windows" {
				py.Fix = "Install uv (fastest: winget install astral-sh.uv) or Python 3.12 from python.org with \"Add python.exe to PATH\" ticked, then run the checks again."
			}
		} else if p.UV != "" {
			py.Detail = "uv at " + p.UV
		} else {
			py.Detail = "Python " + p.Version + " (" + p.Mode() + ")"
		}
		out = append(out, py)
	}
	return out
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

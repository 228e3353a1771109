package install

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// Python is how venvs are made and packages installed.
type Python struct {
	UV         string   // path of uv when it is used
	Exe        string   // base interpreter ("" with uv and no system Python)
	Args       []string // e.g. ["-3.12"] for the Windows py launcher
	Version    string   // "3.11"
	PipVersion string   // pip in the base interpreter ("" = none)
	Ensurepip  bool     // base can seed pip into a venv
}

// Mode names the strategy for logs: uv, base-pip or venv-pip.
func (p Python) Mode() string {
	switch {
	case p.UV != "":
		return "uv"
	case p.basePip():
		return "base-pip"
	}
	return "venv-pip"
}

// basePip: pip ≥ 22.3 in the base interpreter can install into a venv made
// --without-pip (pip --python), which saves seeding pip into every venv.
func (p Python) basePip() bool {
	maj, min := verParts(p.PipVersion)
	return maj > 22 || (maj == 22 && min >= 3)
}

func verParts(v string) (int, int) {
	a, b, _ := strings.Cut(v, ".")
	maj, _ := strconv.Atoi(a)
	b, _, _ = strings.Cut(b, ".")
	min, _ := strconv.Atoi(b)
	return maj, min
}

const probeScript = `import sys
try:
    import ensurepip; e = 1
except Exception:
    e = 0
try:
    import venv, pip; p = pip.__version__
except Exception:
    p = ""
print("%d.%d %d %s" % (sys.version_info[0], sys.version_info[1], e, p))`

// findPython picks uv (when on PATH) or a system Python ≥ 3.10 that can
// make venvs with pip.
func findPython(ctx context.Context, c Config) (Python, error) {
	var uv string
	if !c.NoUV {
		uv, _ = c.LookPath("uv")
	}
	type cand struct {
		exe  string
		args []string
	}
	var cands []cand
	if c.Python != "" {
		cands = []cand{{exe: c.Python}}
	} else if c.GOOS == "windows" {
		for _, v := range []string{"-3.12", "-3.11", "-3.10", "-3"} {
			cands = append(cands, cand{"py", []string{v}})
		}
		cands = append(cands, cand{exe: "python"})
	} else {
		for _, n := range []string{"python3.12", "python3.11", "python3.10", "python3", "python"} {
			cands = append(cands, cand{exe: n})
		}
	}
	var seen []string
	for _, cd := range cands {
		exe, err := c.LookPath(cd.exe)
		if err != nil {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		probe := exec.CommandContext(pctx, exe, append(append([]string{}, cd.args...), "-c", probeScript)...)
		proc.Prepare(probe) // no console window flashing over the app on Windows
		out, err := probe.Output()
		cancel()
		if err != nil {
			continue
		}
		f := strings.Fields(string(out))
		if len(f) < 2 {
			continue
		}
		p := Python{UV: uv, Exe: exe, Args: cd.args, Version: f[0], Ensurepip: f[1] == "1"}
		if len(f) > 2 {
			p.PipVersion = f[2]
		}
		seen = append(seen, exe+" "+p.Version)
		if maj, min := verParts(p.Version); maj != 3 || min < 10 {
			continue
		}
		if uv == "" && !p.Ensurepip && !p.basePip() {
			continue
		}
		return p, nil
	}
	if uv != "" {
		return Python{UV: uv}, nil // uv fetches a Python itself
	}
	if c.Python != "" {
		return Python{}, fmt.Errorf("the Python chosen in Settings (%s) does not work or is older than 3.10", c.Python)
	}
	hint := "Install Python 3.12 from python.org (tick \"Add to PATH\"), then try again."
	if c.GOOS == "linux" {
		hint = "Install Python 3.12 or 3.11 with venv support (for example: sudo apt install python3 python3-venv), or install uv, then try again."
	} else if c.GOOS == "darwin" {
		hint = "Install Python 3.12 from python.org or with Homebrew (brew install python@3.12), or install uv, then try again."
	}
	found := ""
	if len(seen) > 0 {
		found = " Found only: " + strings.Join(seen, ", ") + " (need 3.10 or newer with venv and pip)."
	}
	return Python{}, fmt.Errorf("no usable Python was found to run ComfyUI.%s %s", found, hint)
}

// FindPython tells which Python (or uv) an install would use, for the setup
// checks; the error is the same actionable message the install would give.
func (in *Installer) FindPython(ctx context.Context) (Python, error) { return findPython(ctx, in.cfg) }

// Torch tells which torch build an install would choose on this machine.
func (in *Installer) Torch(ctx context.Context) Torch {
	d, _ := in.cfg.DriverVersion(ctx)
	return ChooseTorch(d)
}

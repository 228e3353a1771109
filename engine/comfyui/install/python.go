package install

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
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

// PipMode is how packages get into ComfyUI's environment. Its values are
// stored in each build's record (python_mode), so they never change.
type PipMode string

const (
	PipUV      PipMode = "uv"       // uv makes the venv and installs into it
	PipBase    PipMode = "base-pip" // the system Python's pip installs into a venv without pip
	PipInVenvs PipMode = "venv-pip" // pip is seeded into the venv and runs there
)

// Words says it for a person, as setup and `comfyui status` show it.
func (m PipMode) Words() string {
	switch m {
	case PipUV:
		return "uv"
	case PipBase:
		return "the system's pip"
	case PipInVenvs:
		return "pip inside ComfyUI's environment"
	}
	return string(m)
}

// Mode names the strategy (recorded in the build, written in the log).
func (p Python) Mode() PipMode {
	switch {
	case p.UV != "":
		return PipUV
	case p.basePip():
		return PipBase
	}
	return PipInVenvs
}

// Describe is the setup check's line: "Python 3.11, packages installed with
// the system's pip" or "uv at /usr/bin/uv (it brings its own Python)".
func (p Python) Describe() string {
	switch {
	case p.UV != "" && p.Exe == "":
		return "uv at " + p.UV + " (it brings its own Python)"
	case p.UV != "":
		return "uv at " + p.UV + ", with Python " + p.Version
	}
	return "Python " + p.Version + ", packages installed with " + p.Mode().Words()
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

// pythonProbeWait bounds asking the Python candidates for their version.
const pythonProbeWait = 20 * time.Second

// pythonProbesAtOnce is how many candidates are asked at the same time.
const pythonProbesAtOnce = 2

// probed is one candidate's answer.
type probed struct {
	exe, version string // version "" when it did not run
	usable       bool
	py           Python
}

// probePython runs one candidate with the probe script.
func probePython(ctx context.Context, exe string, args []string, uv string) probed {
	probe := exec.CommandContext(ctx, exe, append(append([]string{}, args...), "-c", probeScript)...)
	proc.Prepare(probe) // no console window flashing over the app on Windows
	out, err := probe.Output()
	if err != nil {
		return probed{}
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return probed{}
	}
	p := Python{UV: uv, Exe: exe, Args: args, Version: f[0], Ensurepip: f[1] == "1"}
	if len(f) > 2 {
		p.PipVersion = f[2]
	}
	r := probed{exe: exe, version: p.Version, py: p}
	maj, min := verParts(p.Version)
	r.usable = maj == 3 && min >= 10 && (uv != "" || p.Ensurepip || p.basePip())
	return r
}

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
	// Each interpreter is asked once, two at a time, in preference order:
	// behind a pyenv shim every Python start costs 0.3–1 s, and the first
	// name (python3.12) often only says it is not installed. Two at once
	// hides that failure behind the next try without starting five Pythons
	// at once on a two-core machine.
	pctx, cancel := context.WithTimeout(ctx, pythonProbeWait)
	defer cancel()
	type try struct {
		exe  string
		args []string
	}
	var tries []try
	asked := map[string]bool{}
	for _, cd := range cands {
		exe, err := c.LookPath(cd.exe)
		if err != nil {
			continue
		}
		// python3 is often a link to python3.12: ask each interpreter once.
		key := exe
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			key = real
		}
		key += " " + strings.Join(cd.args, " ")
		if !asked[key] {
			asked[key] = true
			tries = append(tries, try{exe, cd.args})
		}
	}
	answers := make([]chan probed, len(tries))
	for i := range answers {
		answers[i] = make(chan probed, 1)
	}
	go func() {
		slots := make(chan struct{}, pythonProbesAtOnce)
		for i, tr := range tries {
			select {
			case slots <- struct{}{}:
				go func() { answers[i] <- probePython(pctx, tr.exe, tr.args, uv); <-slots }()
			case <-pctx.Done():
				answers[i] <- probed{}
			}
		}
	}()
	var seen []string
	for _, a := range answers {
		r := <-a
		if r.version != "" {
			seen = append(seen, r.exe+" "+r.version)
		}
		if r.usable {
			return r.py, nil
		}
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

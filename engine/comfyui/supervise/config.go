// Package supervise runs ComfyUI's server as a child process on 127.0.0.1:
// it picks a free port, waits until GET /api/system_stats answers (with a
// stall deadline that moves while the log grows), turns early exits into
// human messages, restarts after a crash (bounded), and stops the whole
// process tree. See ../../../../shared/reference/comfyui-api.md §1.
package supervise

import (
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// Host is the only address ComfyUI listens on: it has no authentication.
const Host = "127.0.0.1"

// DefaultStopGrace is how long Stop waits after Ctrl-C before killing.
const DefaultStopGrace = 10 * time.Second

// Config says what to run and how. Paths should be absolute.
type Config struct {
	Python   string // interpreter of the install's venv (tests: the stand-in binary)
	Script   string // main.py; "" = ComfyDir/main.py
	ComfyDir string // working directory: the ComfyUI checkout

	BaseDir   string // --base-directory; custom_nodes/ and models/ are created if missing
	UserDir   string // --user-directory; "" = BaseDir/user (created: argparse wants it to exist)
	InputDir  string // "" = BaseDir/input
	OutputDir string // "" = BaseDir/output
	TempDir   string // "" = BaseDir/temp (ComfyUI wipes DIR/temp at start and exit)

	FrontEndRoot    string   // only when comfyui-frontend-package is not installed
	ExtraModelPaths []string // extra_model_paths.yaml files (the model store)
	VRAMMode        settings.VRAMMode
	ReserveVRAMGiB  float64
	CUDADevice      string   // "0", "0,1"; "" = all
	ExtraArgs       []string // advanced, from settings
	Env             []string // added to the environment

	Port           int           // 0 = a free port chosen at each launch
	StallTimeout   time.Duration // start fails after this long without a new log line (default 3 min)
	StopGrace      time.Duration // Ctrl-C → kill delay (default 10 s)
	MaxRestarts    int           // restarts allowed per RestartWindow after crashes (default 3; <0 none)
	RestartWindow  time.Duration // default 10 min
	RestartBackoff time.Duration // first delay before a restart, doubled each time (default 1 s)

	LogPath   string // rotated log file; "" = no file
	CrashLogs int    // crash logs kept beside it (default 10)
	PidFile   string // "" = no pidfile (then a crash of the app can leave ComfyUI running)
	RingLines int    // lines kept for the UI (default 2000)

	Hub    *status.Hub // shared with the installer so the UI sees one state; nil = own hub
	Logger *slog.Logger

	// Face words the fixes in failure messages for the window (default) or
	// the terminal; SettingsFile is named to the terminal for settings it
	// has no flag for. Foreign is a ComfyUI folder of the user's, which the
	// app neither installs nor repairs.
	Face         face.Face
	SettingsFile string
	Foreign      bool
}

func (c Config) withDefaults() Config {
	if c.Script == "" {
		c.Script = filepath.Join(c.ComfyDir, "main.py")
	}
	if c.UserDir == "" {
		c.UserDir = filepath.Join(c.BaseDir, "user")
	}
	if c.InputDir == "" {
		c.InputDir = filepath.Join(c.BaseDir, "input")
	}
	if c.OutputDir == "" {
		c.OutputDir = filepath.Join(c.BaseDir, "output")
	}
	if c.TempDir == "" {
		c.TempDir = filepath.Join(c.BaseDir, "temp")
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = 3 * time.Minute
	}
	if c.StopGrace <= 0 {
		c.StopGrace = DefaultStopGrace
	}
	if c.MaxRestarts == 0 {
		c.MaxRestarts = 3
	}
	if c.RestartWindow <= 0 {
		c.RestartWindow = 10 * time.Minute
	}
	if c.RestartBackoff <= 0 {
		c.RestartBackoff = time.Second
	}
	if c.RingLines <= 0 {
		c.RingLines = 2000
	}
	if c.Hub == nil {
		c.Hub = status.NewHub()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Args is ComfyUI's command line after the script name, for one port.
func (c Config) Args(port int) []string {
	c = c.withDefaults()
	a := []string{
		"--listen", Host, "--port", strconv.Itoa(port),
	}
	a = append(a, proc.Folders{Base: c.BaseDir, User: c.UserDir, Input: c.InputDir, Output: c.OutputDir, Temp: c.TempDir}.Args()...)
	for _, p := range c.ExtraModelPaths {
		a = append(a, "--extra-model-paths-config", p)
	}
	if c.FrontEndRoot != "" {
		a = append(a, "--front-end-root", c.FrontEndRoot)
	}
	a = append(a, proc.HeadlessArgs()...)
	a = append(a, "--preview-method", "auto")
	// Normal VRAM is ComfyUI's default; 0.27.0 has no --normalvram flag.
	switch c.VRAMMode {
	case settings.VRAMHigh:
		a = append(a, "--highvram")
	case settings.VRAMLow:
		a = append(a, "--lowvram")
	case settings.VRAMNo:
		a = append(a, "--novram")
	case settings.VRAMGPUOnly:
		a = append(a, "--gpu-only")
	}
	if c.ReserveVRAMGiB > 0 {
		a = append(a, "--reserve-vram", strconv.FormatFloat(c.ReserveVRAMGiB, 'f', -1, 64))
	}
	if c.CUDADevice != "" {
		a = append(a, "--cuda-device", c.CUDADevice)
	}
	return append(a, c.ExtraArgs...)
}

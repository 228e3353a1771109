// Package install puts ComfyUI on the user's machine: a git checkout at a
// pinned commit, pinned custom node packs, a Python venv with the PyTorch
// build that fits the NVIDIA driver, and the requirements. It is idempotent
// (nothing to do when the current install matches), resumable (each finished
// step is recorded, a new run continues a half-finished build) and
// transactional (each build goes into its own folder and the "current"
// pointer moves only after the self-test passed; the previous build stays
// for rollback).
package install

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
)

// ComfyUICommit is the pinned ComfyUI (v0.27.0), the version the recordings
// in ../shared/comfyui/ come from. It can only change with an app release.
const ComfyUICommit = "ffbecfffb953914f5b4bd8f61d810ff2300631de"

// DefaultComfyUIURL is where ComfyUI is cloned from unless overridden (mirror).
const DefaultComfyUIURL = "https://github.com/comfyanonymous/ComfyUI.git"

// Pack is a custom node pack pinned by commit. Name is its folder under custom_nodes/.
type Pack struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Commit string `json:"commit"`
}

// PipOptions say where packages come from. Torch comes from the PyTorch
// index of the chosen CUDA build unless NoIndex or TorchIndexURL say otherwise.
type PipOptions struct {
	IndexURL       string   // "" = pip's default (PyPI or the user's pip.conf)
	ExtraIndexURLs []string //
	FindLinks      []string // local folders or URLs of wheels
	NoIndex        bool     // only FindLinks (offline installs, tests)
	TorchIndexURL  string   // "" = https://download.pytorch.org/whl/<variant>
}

// Config of an installer.
type Config struct {
	Root        string // where builds live: appdirs.Dirs.Data/comfyui by default
	ComfyURL    string // "" = DefaultComfyUIURL (LTX_COMFYUI_GIT_URL overrides, see FromEnv)
	ComfyCommit string // "" = ComfyUICommit; tests pin their own repo's commit
	Packs       []Pack // custom node packs (workflows.CustomNodePacks)

	Python        string // a Python interpreter to use; "" = discover (uv first)
	NoUV          bool   // ignore uv even when on PATH
	Pip           PipOptions
	TorchPackages []string // default torch, torchvision, torchaudio
	SelfTestArgs  []string // extra flags for main.py --quick-test-for-ci

	// Injectable for tests and other platforms.
	LookPath      func(file string) (string, error)         // default exec.LookPath
	DriverVersion func(ctx context.Context) (string, error) // NVIDIA driver; "" = no NVIDIA GPU
	GOOS          string                                    // default runtime.GOOS

	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.ComfyURL == "" {
		c.ComfyURL = DefaultComfyUIURL
	}
	if c.ComfyCommit == "" {
		c.ComfyCommit = pinnedCommit() // ComfyUICommit except in -tags e2e builds (testpin*.go)
	}
	if c.TorchPackages == nil {
		c.TorchPackages = []string{"torch", "torchvision", "torchaudio"}
	}
	if c.LookPath == nil {
		c.LookPath = exec.LookPath
	}
	if c.DriverVersion == nil {
		c.DriverVersion = NvidiaSMIDriverVersion
	}
	if c.GOOS == "" {
		c.GOOS = runtime.GOOS
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// ComfyEnvName is the variable that points the ComfyUI download at a mirror.
const ComfyEnvName = "LTX_COMFYUI_GIT_URL"

var nonAlnum = regexp.MustCompile(`[^A-Z0-9]+`)

// PackEnvName is the variable that overrides a pack's git URL:
// ComfyUI-LTXVideo → LTX_PACK_COMFYUI_LTXVIDEO_GIT_URL.
func PackEnvName(pack string) string {
	return "LTX_PACK_" + strings.Trim(nonAlnum.ReplaceAllString(strings.ToUpper(pack), "_"), "_") + "_GIT_URL"
}

// FromEnv applies the environment overrides (mirrors, offline wheel
// folders): LTX_COMFYUI_GIT_URL, LTX_PACK_<NAME>_GIT_URL, LTX_PIP_INDEX_URL,
// LTX_PIP_FIND_LINKS (os.PathListSeparator-separated), LTX_PIP_NO_INDEX=1,
// LTX_TORCH_INDEX_URL. Commits are never overridable.
func FromEnv(c Config, getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(ComfyEnvName); v != "" {
		c.ComfyURL = v
	}
	packs := make([]Pack, len(c.Packs))
	for i, p := range c.Packs {
		if v := getenv(PackEnvName(p.Name)); v != "" {
			p.URL = v
		}
		packs[i] = p
	}
	c.Packs = packs
	if v := getenv("LTX_PIP_INDEX_URL"); v != "" {
		c.Pip.IndexURL = v
	}
	if v := getenv("LTX_PIP_FIND_LINKS"); v != "" {
		c.Pip.FindLinks = append(c.Pip.FindLinks, strings.Split(v, string(os.PathListSeparator))...)
	}
	if getenv("LTX_PIP_NO_INDEX") == "1" {
		c.Pip.NoIndex = true
	}
	if v := getenv("LTX_TORCH_INDEX_URL"); v != "" {
		c.Pip.TorchIndexURL = v
	}
	return c
}

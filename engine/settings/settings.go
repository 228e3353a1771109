// Package settings is the user's persisted choices: which ComfyUI to use,
// memory modes, where models and videos go. It is one JSON file in the config
// dir, written atomically; the Hugging Face token lives beside it with 0600
// permissions and is never part of the JSON (so it is never logged or shown).
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// BackendKind says which ComfyUI the app talks to.
type BackendKind string

const (
	BackendManaged BackendKind = "managed" // the app installs and supervises it
	BackendFolder  BackendKind = "folder"  // an existing local ComfyUI folder the app starts
	BackendRemote  BackendKind = "remote"  // servers the user runs elsewhere; no supervision
)

// VRAMMode maps to ComfyUI's memory flags (there is no --normalvram).
type VRAMMode string

const (
	VRAMAuto    VRAMMode = "auto"
	VRAMHigh    VRAMMode = "highvram"
	VRAMLow     VRAMMode = "lowvram"
	VRAMNo      VRAMMode = "novram"
	VRAMGPUOnly VRAMMode = "gpu-only"
)

// Settings are every persisted choice. The zero value is not valid; use Defaults.
type Settings struct {
	Backend        BackendKind         `json:"backend"`
	ManagedDir     string              `json:"managed_dir,omitempty"` // "" = data dir/comfyui
	FolderPath     string              `json:"folder_path,omitempty"` // BackendFolder
	RemoteURLs     []string            `json:"remote_urls,omitempty"` // BackendRemote (and extra workers)
	VRAMMode       VRAMMode            `json:"vram_mode"`
	ReserveVRAMGiB float64             `json:"reserve_vram_gib"`
	GPUIndex       int                 `json:"gpu_index"`            // before "GPUs to use"; see ChosenGPUs
	GPUs           GPUChoice           `json:"gpus,omitempty"`       // one managed ComfyUI each; empty = all that fit
	HFCache        string              `json:"hf_cache,omitempty"`   // "" = huggingface_hub's own resolution
	OutputDir      string              `json:"output_dir,omitempty"` // "" = videos dir/LTX Studio
	Offline        bool                `json:"offline"`
	Precision      workflows.Precision `json:"precision"`
	// Weights is the LTX-2.3 release of the distilled files ("1.0" | "1.1").
	// "" is an install from before the choice existed: it keeps 1.0 (its
	// files) until the user switches; setup pins new installs to 1.1.
	Weights        workflows.Weights  `json:"weights,omitempty"`
	Modes          []workflows.ModeID `json:"modes,omitempty"` // modes chosen during setup
	SetupDone      bool               `json:"setup_done"`
	NotifyWhenDone bool               `json:"notify_when_done"`
}

// Defaults are what a new user gets.
func Defaults() Settings {
	return Settings{Backend: BackendManaged, VRAMMode: VRAMAuto, Precision: workflows.FP8, NotifyWhenDone: true}
}

// ModelWeights is the LTX-2.3 release jobs use: Weights, or 1.0 for an
// install that never chose (it holds the 1.0 files; no silent re-download).
func (s Settings) ModelWeights() workflows.Weights {
	if s.Weights == "" {
		return workflows.Weights10
	}
	return s.Weights
}

// Validate returns a human error for a setting that cannot work.
func (s Settings) Validate() error {
	var errs []error
	switch s.Backend {
	case BackendManaged:
	case BackendFolder:
		if s.FolderPath == "" {
			errs = append(errs, errors.New("choose the ComfyUI folder to use"))
		}
	case BackendRemote:
		if len(s.RemoteURLs) == 0 {
			errs = append(errs, errors.New("add at least one ComfyUI server address (http://host:port)"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown backend %q", s.Backend))
	}
	if !s.Weights.Valid() {
		errs = append(errs, errors.New(workflows.WeightsProblem(s.Weights)))
	}
	for _, u := range s.RemoteURLs {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			errs = append(errs, fmt.Errorf("server address %q must start with http:// or https://", u))
		}
	}
	switch s.VRAMMode {
	case VRAMAuto, VRAMHigh, VRAMLow, VRAMNo, VRAMGPUOnly:
	default:
		errs = append(errs, fmt.Errorf("unknown VRAM mode %q", s.VRAMMode))
	}
	if s.ReserveVRAMGiB < 0 || s.ReserveVRAMGiB > 64 {
		errs = append(errs, errors.New("VRAM reserve must be between 0 and 64 GiB"))
	}
	if err := s.GPUs.validate(); err != nil {
		errs = append(errs, err)
	}
	if !s.Precision.Valid() {
		errs = append(errs, fmt.Errorf("model precision must be fp8 or bf16, not %q", s.Precision))
	}
	return errors.Join(errs...)
}

// Store reads and writes settings in one directory.
type Store struct{ Dir string }

func (st Store) path() string { return filepath.Join(st.Dir, "settings.json") }

// Path is the settings file, for messages that point a person at it.
func (st Store) Path() string      { return st.path() }
func (st Store) tokenPath() string { return filepath.Join(st.Dir, "hf_token") }

// Load returns the saved settings, or Defaults when none were saved yet.
func (st Store) Load() (Settings, error) {
	s := Defaults()
	b, err := os.ReadFile(st.path())
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading settings: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Defaults(), fmt.Errorf("settings file %s is damaged (%v); using defaults", st.path(), err)
	}
	return s, nil
}

// Save validates and writes atomically (temp file + rename), so a crash never
// leaves half a settings file.
func (st Store) Save(s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(st.path(), b)
}

// Token returns the Hugging Face token saved in the app ("" when none).
func (st Store) Token() string {
	b, err := os.ReadFile(st.tokenPath())
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// SetToken stores the token with 0600 permissions; "" removes it.
func (st Store) SetToken(tok string) error {
	tok = strings.TrimSpace(tok)
	if tok == "" {
		err := os.Remove(st.tokenPath())
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return writePrivate(st.tokenPath(), []byte(tok+"\n"))
}

// writePrivate writes a file only the user may read (settings, token) in
// a folder only the user may list, atomically.
func writePrivate(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fileio.WriteAtomic(path, data, 0o600)
}

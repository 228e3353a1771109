package install

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// Build is one install folder under Root/builds.
type Build struct {
	ID          string    `json:"id"`
	Dir         string    `json:"-"`
	Fingerprint string    `json:"fingerprint"`
	ComfyURL    string    `json:"comfy_url"`
	ComfyCommit string    `json:"comfy_commit"`
	Packs       []Pack    `json:"packs"`
	Torch       string    `json:"torch"`
	Driver      string    `json:"driver,omitempty"`
	PythonMode  string    `json:"python_mode"`
	Done        []string  `json:"done"` // finished steps, in order
	Completed   bool      `json:"completed"`
	Created     time.Time `json:"created"`
	Finished    time.Time `json:"finished,omitzero"`
}

// ComfyDir is the ComfyUI checkout (holds main.py).
func (b Build) ComfyDir() string { return filepath.Join(b.Dir, "ComfyUI") }

// BaseDir is ComfyUI's --base-directory: custom_nodes/ with the packs, models/.
func (b Build) BaseDir() string { return filepath.Join(b.Dir, "base") }

// VenvDir is the Python environment.
func (b Build) VenvDir() string { return filepath.Join(b.Dir, "venv") }

// PythonPath is the venv's interpreter, what the supervisor runs.
func (b Build) PythonPath() string { return proc.VenvPython(b.VenvDir()) }

// LogPath is the install log of this build.
func (b Build) LogPath() string { return filepath.Join(b.Dir, "install.log") }

func (b Build) done(step string) bool {
	for _, d := range b.Done {
		if d == step {
			return true
		}
	}
	return false
}

func (b *Build) save() error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return fileio.WriteAtomic(filepath.Join(b.Dir, "state.json"), data, 0o644)
}

func loadBuild(root, id string) (Build, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
		return Build{}, fmt.Errorf("bad build id %q", id)
	}
	dir := filepath.Join(root, "builds", id)
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return Build{}, err
	}
	var b Build
	if err := json.Unmarshal(data, &b); err != nil {
		return Build{}, fmt.Errorf("install record %s is damaged: %w", dir, err)
	}
	b.Dir = dir
	return b, nil
}

// pointer is Root/current.json: which build runs, which one came before
// (rollback target) and which one is being built (resume target).
type pointer struct {
	Current  string `json:"current,omitempty"`
	Previous string `json:"previous,omitempty"`
	Pending  string `json:"pending,omitempty"`
}

func readPointer(root string) (pointer, error) {
	var p pointer
	data, err := os.ReadFile(filepath.Join(root, "current.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return pointer{}, fmt.Errorf("%s is damaged (%v); reinstall ComfyUI", filepath.Join(root, "current.json"), err)
	}
	return p, nil
}

func writePointer(root string, p pointer) error {
	data, _ := json.MarshalIndent(p, "", "  ")
	return fileio.WriteAtomic(filepath.Join(root, "current.json"), data, 0o644)
}

// fingerprint identifies what a build must contain: ComfyUI and pack
// commits and the torch packages. The Python used and the torch variant are
// recorded beside it; a changed Python never forces a rebuild, and a changed
// driver only does when a CPU-only install can now use the GPU (a driver
// probe that fails for a moment must not swap a CUDA install for a CPU one).
func fingerprint(c Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "comfy %s\ntorch %s\n", c.ComfyCommit, strings.Join(c.TorchPackages, ","))
	for _, p := range c.Packs {
		fmt.Fprintf(h, "pack %s %s\n", p.Name, p.Commit)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Package link makes model files from the Hugging Face cache visible to
// ComfyUI as <comfyui>/models/<folder>/<name>: a symlink where the filesystem
// allows one, else a hard link, else an extra_model_paths file that points
// ComfyUI at the snapshot folders. It writes nothing outside the models folder.
package link

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// Method is how a file was made visible.
type Method string

const (
	Symlink   Method = "symlink"
	Hardlink  Method = "hardlink"
	ExtraYAML Method = "extra_model_paths"
)

// Action is what a Link call did for one file.
type Action string

const (
	Created   Action = "created"
	Unchanged Action = "unchanged"
	Repaired  Action = "repaired"      // a dangling or stale link was replaced
	KeptUser  Action = "kept-existing" // a real file of the user's own sits there; left alone
)

// YAMLName is the extra_model_paths file written (inside the models folder) when
// neither kind of link works; pass it to ComfyUI with --extra-model-paths-config.
const YAMLName = "extra_model_paths.ltx-studio.yaml"

// Item is one file to expose.
type Item struct {
	Folder, Name string // ComfyUI sub-folder and the file name the graph uses
	Source       string // the snapshot path in the HF cache
}

// Result says what happened to one Item.
type Result struct {
	Item
	Path   string // <models>/<folder>/<name>, or the YAML file for ExtraYAML
	Method Method
	Action Action
}

// Report is the outcome of one Link call.
type Report struct {
	Results  []Result
	YAMLPath string // set when some files went through extra_model_paths
}

// Linker links into one ComfyUI models folder. The Symlink/Hardlink hooks
// default to os.Symlink/os.Link; tests replace them to play a filesystem
// that refuses.
type Linker struct {
	ModelsDir string
	Symlink   func(oldname, newname string) error
	Hardlink  func(oldname, newname string) error

	mu     sync.Mutex
	probed map[string]Method // source volume (blob folder) → method that works
}

// New makes a Linker for <comfyuiBase>/models.
func New(comfyuiBase string) *Linker {
	return &Linker{ModelsDir: filepath.Join(comfyuiBase, "models"), Symlink: os.Symlink, Hardlink: os.Link, probed: map[string]Method{}}
}

func checkName(folder, name string) error {
	for _, s := range []string{folder, name} {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, `/\:`) || !filepath.IsLocal(s) {
			return fmt.Errorf("link: refusing unsafe model folder/name %q/%q", folder, name)
		}
	}
	return nil
}

// Method returns the method probed for src's volume, probing once.
func (l *Linker) method(src, real string) Method {
	key := filepath.Dir(real)
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.probed[key]; ok {
		return m
	}
	m := ExtraYAML
	_ = os.MkdirAll(l.ModelsDir, 0o755)
	probe := filepath.Join(l.ModelsDir, fmt.Sprintf(".ltx-link-probe-%d", os.Getpid()))
	_ = os.Remove(probe)
	if l.Symlink(src, probe) == nil && resolves(probe) {
		m = Symlink
	} else {
		_ = os.Remove(probe) // a symlink that was made but does not resolve
		if l.Hardlink(real, probe) == nil {
			m = Hardlink
		}
	}
	_ = os.Remove(probe)
	l.probed[key] = m
	return m
}

// resolves reports whether a fresh link can be followed. Windows lets a
// symlink be made on a network share but, by default, refuses to follow it
// (fsutil SymlinkEvaluation); Wine makes ones it cannot read back. Either way
// ComfyUI would see a missing file, so such a volume gets hard links.
func resolves(link string) bool {
	_, err := os.Stat(link)
	return err == nil
}

// Link exposes every item. It is idempotent: a second call with the same
// items changes nothing and reports Unchanged.
func (l *Linker) Link(items []Item) (Report, error) {
	var rep Report
	var errs []error
	yamlDirs := map[string]map[string]bool{}
	for _, it := range items {
		if err := checkName(it.Folder, it.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		real, err := filepath.EvalSymlinks(it.Source)
		if err != nil {
			errs = append(errs, fmt.Errorf("link: %s/%s: the cached file %s is missing: %w", it.Folder, it.Name, it.Source, err))
			continue
		}
		src, _ := filepath.Abs(it.Source)
		dst := filepath.Join(l.ModelsDir, it.Folder, it.Name)
		m := l.method(src, real)
		res := Result{Item: it, Path: dst, Method: m}
		switch m {
		case Symlink, Hardlink:
			res.Action, err = l.place(m, src, real, dst)
		case ExtraYAML:
			if filepath.Base(real) != it.Name && filepath.Base(src) != it.Name {
				err = fmt.Errorf("link: %s/%s cannot be linked here and its cached name differs, so extra_model_paths cannot expose it", it.Folder, it.Name)
				break
			}
			if yamlDirs[it.Folder] == nil {
				yamlDirs[it.Folder] = map[string]bool{}
			}
			yamlDirs[it.Folder][filepath.Dir(src)] = true
			res.Path = filepath.Join(l.ModelsDir, YAMLName)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep.Results = append(rep.Results, res)
	}
	if len(yamlDirs) > 0 {
		p, act, err := l.writeYAML(yamlDirs)
		if err != nil {
			errs = append(errs, err)
		}
		rep.YAMLPath = p
		for i := range rep.Results {
			if rep.Results[i].Method == ExtraYAML {
				rep.Results[i].Action = act
			}
		}
	}
	return rep, errors.Join(errs...)
}

func (l *Linker) place(m Method, src, real, dst string) (Action, error) {
	action := Created
	if fi, err := os.Lstat(dst); err == nil {
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			if cur, _ := os.Readlink(dst); cur == src && m == Symlink {
				if _, err := os.Stat(dst); err == nil {
					return Unchanged, nil
				}
			}
			action = Repaired // dangling, or pointing at another snapshot
		case fi.Mode().IsRegular():
			if rfi, err := os.Stat(real); err == nil && os.SameFile(fi, rfi) {
				return Unchanged, nil
			}
			return KeptUser, nil
		default:
			return "", fmt.Errorf("link: %s exists and is not a file; move it away", dst)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("link: create %s: %w", filepath.Dir(dst), err)
	}
	// Build the new link beside the old one and rename over it, so ComfyUI never
	// sees the name missing. The temp name is the writer's own: two workers
	// linking one file at once must not remove or rename each other's.
	tmp := fmt.Sprintf("%s.ltx-tmp-%d-%x", dst, os.Getpid(), rand.Uint64())
	var err error
	if m == Symlink {
		err = l.Symlink(src, tmp)
	} else {
		err = l.Hardlink(real, tmp)
	}
	if err != nil {
		return "", fmt.Errorf("link: %s %s → %s: %w", m, dst, src, err)
	}
	err = os.Rename(tmp, dst)
	// Renaming onto a hard link of the same file succeeds and does nothing
	// (POSIX), which leaves tmp behind when another worker placed it first.
	_ = os.Remove(tmp)
	if err != nil {
		return "", fmt.Errorf("link: put %s in place: %w", dst, err)
	}
	return action, nil
}

func (l *Linker) writeYAML(dirs map[string]map[string]bool) (string, Action, error) {
	p := filepath.Join(l.ModelsDir, YAMLName)
	section := map[string]string{}
	for folder, set := range dirs {
		var list []string
		for d := range set {
			list = append(list, d)
		}
		sort.Strings(list)
		section[folder] = strings.Join(list, "\n")
	}
	b, err := yaml.Marshal(map[string]map[string]string{"ltx_studio": section})
	if err != nil {
		return p, "", err
	}
	if old, err := os.ReadFile(p); err == nil && string(old) == string(b) {
		return p, Unchanged, nil
	}
	if err := fileio.WriteAtomic(p, b, 0o644); err != nil {
		return p, "", fmt.Errorf("link: %w", err)
	}
	return p, Created, nil
}

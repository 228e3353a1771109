package adopt

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ltxstudio/ltx-studio/models"
)

// maxDepth bounds the walk below a place: models/<folder>/<sub>/<file> is
// as deep as model layouts go, and a deeper walk of a home folder costs time.
const maxDepth = 4

// Found is a file on disk whose name is a registry file's. Its bytes are
// not checked yet; Adopt does that.
type Found struct {
	Ref   models.Ref
	Path  string // where it was found (may be a symlink)
	Real  string // the file the path resolves to
	Size  int64
	Place Place
}

// Scan walks the places for files named like the registry's files. Files
// that already live in skip (the Hugging Face cache: a ComfyUI models folder
// linked into it) are not reported; each real file is reported once, for
// the first place that reaches it. A cancelled ctx ends the walk early with
// what was found so far.
func Scan(ctx context.Context, places []Place, reg models.Registry, skip ...string) []Found {
	byName := map[string][]models.Ref{}
	for _, f := range reg.Files {
		byName[f.Name] = append(byName[f.Name], f.Ref())
	}
	var skipReal []string
	for _, s := range skip {
		if s == "" {
			continue
		}
		if r, err := filepath.EvalSymlinks(s); err == nil {
			s = r
		}
		skipReal = append(skipReal, filepath.Clean(s)+string(filepath.Separator))
	}
	var out []Found
	seen := map[string]bool{}
	for _, pl := range places {
		root := filepath.Clean(pl.Dir)
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return filepath.SkipAll
			}
			if err != nil {
				return nil // an unreadable folder is not a reason to stop looking
			}
			if d.IsDir() {
				if p != root && (strings.HasPrefix(d.Name(), ".") || strings.Count(p[len(root):], string(filepath.Separator)) >= maxDepth) {
					return filepath.SkipDir
				}
				return nil
			}
			refs := byName[d.Name()]
			if len(refs) == 0 {
				return nil
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil || seen[real] || under(real, skipReal) {
				return nil
			}
			fi, err := os.Stat(real)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
			seen[real] = true
			out = append(out, Found{Ref: pick(refs, filepath.Base(filepath.Dir(p))), Path: p, Real: real, Size: fi.Size(), Place: pl})
			return nil
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ref.String() < out[j].Ref.String() })
	return out
}

// pick chooses among refs of the same file name the one whose ComfyUI
// folder the file sits in (Stability Matrix names its folders differently,
// so otherwise the first).
func pick(refs []models.Ref, parent string) models.Ref {
	for _, r := range refs {
		if r.Folder == parent {
			return r
		}
	}
	return refs[0]
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// stagedMedia is one input file as it was sent to ComfyUI.
type stagedMedia struct {
	Slot   string `json:"slot"`
	Path   string `json:"path"` // the user's file
	SHA256 string `json:"sha256"`
	Name   string `json:"staged_as"` // name in ComfyUI's input folder
}

// checkImages refuses an image slot whose file is larger than the app takes:
// decoding 144 megapixels costs gigabytes in ComfyUI for a video of at most
// 3840 pixels a side. Every face (window, CLI) submits through here.
func checkImages(f workflows.Form) error {
	m, _ := workflows.Lookup(f.Mode)
	for _, sl := range m.Slots {
		if p := f.Media[sl.ID]; p != "" && sl.Kind == workflows.MediaImage {
			if err := media.CheckImageSize(p); err != nil {
				return workflows.FieldError{Field: workflows.MediaField(sl.ID), Msg: err.Error()}
			}
		}
	}
	return nil
}

// hashMedia names every media file by its content: the same file is staged
// once, and a changed file can never be mistaken for an old one.
func hashMedia(ctx context.Context, f workflows.Form) (map[string]string, []stagedMedia, error) {
	names := map[string]string{}
	var out []stagedMedia
	slots := make([]string, 0, len(f.Media))
	for s := range f.Media {
		slots = append(slots, s)
	}
	sort.Strings(slots)
	for _, slot := range slots {
		p := f.Media[slot]
		if p == "" {
			continue
		}
		sum, err := fileio.SHA256(ctx, p)
		if err != nil {
			return nil, nil, workflows.FieldError{Field: workflows.MediaField(slot), Msg: fmt.Sprintf("cannot read %s: %v", filepath.Base(p), err)}
		}
		ext := strings.ToLower(filepath.Ext(p))
		if len(ext) > 8 || strings.ContainsAny(ext, `/\ `) {
			ext = ""
		}
		name := "ltx-" + sum[:24] + ext
		names[slot] = name
		out = append(out, stagedMedia{Slot: slot, Path: p, SHA256: sum, Name: name})
	}
	return names, out, nil
}

// stage puts the media where the backend reads them: a copy into a local
// input folder, an upload to a remote one.
func (a *attempt) stage() error {
	for _, m := range a.media {
		if a.b.InputDir != "" {
			if err := copyInto(a.ctx, a.b.InputDir, m); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(m.Path)
		if err != nil {
			return workflows.FieldError{Field: workflows.MediaField(m.Slot), Msg: err.Error()}
		}
		ref, err := a.c.Upload(a.ctx, m.Name, f, false)
		f.Close()
		if err != nil {
			return fmt.Errorf("upload %s to %s: %w", filepath.Base(m.Path), a.b.Name, err)
		}
		if ref.Filename != m.Name || ref.Subfolder != "" {
			return fmt.Errorf("upload %s: ComfyUI stored it as %q, not %q", filepath.Base(m.Path), ref.Filename, m.Name)
		}
	}
	return nil
}

func copyInto(ctx context.Context, dir string, m stagedMedia) error {
	dst := filepath.Join(dir, m.Name)
	if st, err := os.Stat(dst); err == nil && st.Mode().IsRegular() {
		return nil // content-named: same name, same bytes
	}
	if _, err := os.Stat(m.Path); err != nil {
		return workflows.FieldError{Field: workflows.MediaField(m.Slot), Msg: err.Error()}
	}
	if err := fileio.Copy(ctx, dst, m.Path, 0o600); err != nil {
		return fmt.Errorf("stage %s into ComfyUI's input folder: %w", filepath.Base(m.Path), err)
	}
	return nil
}

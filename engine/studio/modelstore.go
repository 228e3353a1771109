package studio

// The model store of the ComfyUI in use, and the files a form needs.

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// comfyBase is where model files are linked for the ComfyUI in use ("" for a
// remote server: it has its own models).
func (s *Studio) comfyBase() string {
	set := s.Settings()
	switch set.Backend {
	case settings.BackendManaged:
		b, err := s.Backend().Installer().Current()
		if err != nil {
			return ""
		}
		return b.BaseDir()
	case settings.BackendFolder:
		c, err := supervise.FolderConfig(set.FolderPath)
		if err != nil {
			return ""
		}
		return c.BaseDir
	}
	return ""
}

// Models is the model store for the ComfyUI in use (rebuilt when an install
// or a settings change moves its models folder).
func (s *Studio) Models() (*models.Store, error) {
	base := s.comfyBase()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.models != nil && s.modelsAt == base {
		return s.models, nil
	}
	env := hfcache.FromEnv(s.getenv)
	if s.set.HFCache != "" {
		env.CacheDir = s.set.HFCache
	}
	if tok := s.store.Token(); tok != "" {
		env.Token = tok
	}
	env.Offline = env.Offline || s.set.Offline || s.offline
	s.models = models.New(models.Options{Env: env, LockPath: filepath.Join(s.dirs.Data, "models.lock.json"), ComfyUI: base, Logger: s.log})
	s.modelsAt = base
	return s.models, nil
}

// RefsFor lists the model files the given modes need at the Balanced preset
// (what setup downloads); other presets' extra files are fetched by the job
// that needs them.
// w optionally names the LTX-2.3 release (default: "" = 1.0).
func RefsFor(modes []workflows.ModeID, p workflows.Precision, w ...workflows.Weights) ([]models.Ref, error) {
	seen := map[models.Ref]bool{}
	var out []models.Ref
	for _, m := range modes {
		f := workflows.DefaultForm(m)
		f.Precision = p
		if len(w) > 0 {
			f.Weights = w[0]
		}
		refs, err := FormRefs(f)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// SetupWeights is the LTX-2.3 release a setup run downloads: the settings'
// choice, the latest for a new install, 1.0 for one that set up before the
// choice existed (it holds those files).
func SetupWeights(set settings.Settings) workflows.Weights {
	switch {
	case set.Weights != "":
		return workflows.Weights(set.Weights)
	case !set.SetupDone:
		return workflows.LatestWeights
	}
	return workflows.Weights10
}

// FormRefs lists the model files one form's graph loads. Media are not
// needed to know that, so missing media slots are filled with placeholders.
func FormRefs(f workflows.Form) ([]models.Ref, error) {
	mode, ok := workflows.Lookup(f.Mode)
	if !ok {
		return nil, fmt.Errorf("unknown mode %q", f.Mode)
	}
	names := map[string]string{}
	media := map[string]string{}
	for k, v := range f.Media {
		media[k] = v
	}
	for _, sl := range mode.Slots {
		if media[sl.ID] == "" {
			media[sl.ID] = "placeholder-" + sl.ID
		}
		names[sl.ID] = "placeholder-" + sl.ID + ".bin"
	}
	f.Media = media
	if f.Prompt == "" {
		f.Prompt = "placeholder"
	}
	p, err := workflows.Build(f, workflows.BuildOptions{MediaNames: names})
	if err != nil {
		return nil, err
	}
	out := make([]models.Ref, len(p.Models))
	for i, m := range p.Models {
		out[i] = models.Ref{Folder: m.Folder, Name: m.Name}
	}
	return out, nil
}

// Plan says what the given files need: present, missing bytes, free disk.
func (s *Studio) Plan(ctx context.Context, refs []models.Ref) (models.Plan, error) {
	st, err := s.Models()
	if err != nil {
		return models.Plan{}, err
	}
	return st.Plan(ctx, refs)
}

// Download fetches and links the files; cancel ctx to pause (it resumes).
func (s *Studio) Download(ctx context.Context, refs []models.Ref, progress func(models.Progress)) error {
	st, err := s.Models()
	if err != nil {
		return err
	}
	return st.Ensure(ctx, refs, progress)
}

type storeEnsurer struct{ s *Studio }

func (e storeEnsurer) Ensure(ctx context.Context, refs []jobs.ModelRef, progress func(jobs.ModelProgress)) error {
	if e.s.foreignServer() || (e.s.server == nil && e.s.Settings().Backend == settings.BackendRemote) {
		return nil // a remote server has its own models; its validation names what is missing
	}
	mr := make([]models.Ref, len(refs))
	for i, r := range refs {
		mr[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	st, err := e.s.Models()
	if err != nil {
		return err
	}
	return st.Ensure(ctx, mr, func(p models.Progress) {
		if progress != nil {
			progress(jobs.ModelProgress{File: p.File.String(), Done: p.AllDone, Total: p.AllTotal})
		}
	})
}

// storeHasher gives the sidecar each model file's verified sha256 (the LFS
// etag pinned in the lock file), so provenance names exact weights.
type storeHasher struct{ s *Studio }

func (h storeHasher) SHA256(ctx context.Context, m jobs.ModelRef) (string, error) {
	st, err := h.s.Models()
	if err != nil {
		return "", err
	}
	return st.SHA256(ctx, models.Ref{Folder: m.Folder, Name: m.Name})
}

package studio

import (
	"context"
	"fmt"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/adopt"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// FileState is where a model file the setup needs stands.
type FileState string

const (
	InCache     FileState = "in the model cache"
	FoundOnDisk FileState = "found on disk"
	ToDownload  FileState = "to download"
	Unavailable FileState = "cannot be fetched"
)

// SurveyFile is one registry file as setup shows it.
type SurveyFile struct {
	Ref     models.Ref
	State   FileState
	Size    int64 // the hub's size; -1 when unknown
	Missing int64 // bytes still to download (0 when cached or found on disk)
	FoundAt string
	From    string // where FoundAt came from (ComfyUI Desktop, Settings…)
	Problem string // why it cannot be fetched, or why a file found was not taken
}

// Survey is what setup knows about every registry file before anything is
// fetched: the plan (sizes from the lock file or one HEAD each) and the
// files found in the user's other model folders.
type Survey struct {
	Files     map[models.Ref]SurveyFile
	FreeBytes uint64
	Found     []adopt.Found
	// Weights is the LTX-2.3 release this setup downloads (SetupWeights).
	Weights workflows.Weights
}

// FindExisting lists registry files in the places the user may already keep
// them (Settings' ComfyUI, LTX_COMFYUI_DIRS, ComfyUI Desktop, Stability
// Matrix, extra_model_paths.yaml, a ComfyUI in the home folder). Nothing is
// read but names and sizes.
func (s *Studio) FindExisting(ctx context.Context) ([]adopt.Found, error) {
	st, err := s.Models()
	if err != nil {
		return nil, err
	}
	places := adopt.Places(adopt.FromOS(s.getenv, s.Settings().FolderPath))
	return adopt.Scan(ctx, places, st.Registry(), st.Cache().Dir), nil
}

// SurveyModels plans every registry file and looks for copies on disk.
// A file found with the wrong size is reported, not counted as found.
func (s *Studio) SurveyModels(ctx context.Context) (Survey, error) {
	st, err := s.Models()
	if err != nil {
		return Survey{}, err
	}
	plan, err := st.Plan(ctx, st.Registry().Refs())
	if err != nil {
		return Survey{}, err
	}
	found, err := s.FindExisting(ctx)
	if err != nil {
		return Survey{}, err
	}
	sv := Survey{Files: map[models.Ref]SurveyFile{}, FreeBytes: plan.FreeBytes, Weights: SetupWeights(s.Settings())}
	byRef := map[models.Ref][]adopt.Found{}
	for _, f := range found {
		byRef[f.Ref] = append(byRef[f.Ref], f)
	}
	for _, f := range plan.Files {
		sf := SurveyFile{Ref: f.Ref(), Size: f.Size, Missing: f.Missing, Problem: f.Problem, State: ToDownload}
		switch {
		case f.Present || (f.Size >= 0 && f.Missing == 0):
			sf.State, sf.Missing = InCache, 0
		default:
			for _, c := range byRef[sf.Ref] {
				if f.Size >= 0 && c.Size != f.Size {
					sf.Problem = fmt.Sprintf("%s has %d bytes, the hub's file %d: not used", c.Path, c.Size, f.Size)
					continue
				}
				sf.State, sf.FoundAt, sf.From, sf.Missing, sf.Problem = FoundOnDisk, c.Path, c.Place.From, 0, ""
				sv.Found = append(sv.Found, c)
				break
			}
			if sf.State == ToDownload && f.Size < 0 && f.Problem != "" {
				sf.State = Unavailable
			}
		}
		sv.Files[sf.Ref] = sf
	}
	if err := s.pickSetupWeights(&sv); err != nil {
		return sv, err
	}
	return sv, nil
}

// pickSetupWeights settles, once, which LTX-2.3 release a new install gets:
// the latest, unless a file only 1.0 uses is already here (cached, or in a
// ComfyUI the person has) and none only 1.1 uses — then 1.0, so they are not
// sent a download for files they have; the forms and Settings say 1.1 exists.
// The choice is saved so the downloads, the link step and the forms agree.
func (s *Studio) pickSetupWeights(sv *Survey) error {
	set := s.Settings()
	if set.Weights != "" || set.SetupDone {
		return nil
	}
	have := func(w workflows.Weights) bool {
		for _, r := range workflows.ReleaseFiles(w) {
			if st := sv.Files[models.Ref{Folder: r.Folder, Name: r.Name}].State; st == InCache || st == FoundOnDisk {
				return true
			}
		}
		return false
	}
	sv.Weights = workflows.LatestWeights
	if have(workflows.Weights10) && !have(workflows.Weights11) {
		sv.Weights = workflows.Weights10
	}
	set.Weights = sv.Weights
	if err := s.store.Save(set); err != nil {
		return err
	}
	s.mu.Lock()
	s.set = set
	s.mu.Unlock()
	return nil
}

// For lists the files a selection needs, in order, and the bytes that must
// really be downloaded for it (cached and found files count zero). It is
// quick: the window calls it on every tick of a check box.
func (sv Survey) For(modes []workflows.ModeID, p workflows.Precision) ([]SurveyFile, int64) {
	refs, err := RefsFor(modes, p, sv.Weights)
	if err != nil {
		return nil, 0
	}
	out := make([]SurveyFile, 0, len(refs))
	var n int64
	for _, r := range refs {
		f, ok := sv.Files[r]
		if !ok {
			f = SurveyFile{Ref: r, State: Unavailable, Size: -1, Problem: "not in the model registry"}
		}
		out = append(out, f)
		n += f.Missing
	}
	return out, n
}

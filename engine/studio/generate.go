package studio

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// GenerateOptions are the answers a face already has from the person.
type GenerateOptions struct {
	// FetchModels queues the job even when model files are missing: the job
	// downloads them before it runs (the window's "Download", the CLI's
	// default). Without it Generate returns a *MissingModelsError.
	FetchModels bool
	// AnyFit queues a job the fit check warns about (the window's "Generate
	// anyway", the CLI's --anyway).
	AnyFit bool
	// GPU is the latest meter reading for the fit check; nil reads the GPUs
	// once now (the CLI has no meter).
	GPU *gpu.Sample
}

// FormError lists what is wrong with the form's own fields.
type FormError struct{ Fields []workflows.FieldError }

func (e *FormError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

// MediaError is a media file the slot cannot take; nothing was queued.
type MediaError struct {
	Slot workflows.MediaSlot
	Path string
	Err  error
}

func (e *MediaError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Slot.Label, filepath.Base(e.Path), e.Err)
}
func (e *MediaError) Unwrap() error { return e.Err }

// MissingModelsError says which model files the form's graph needs and this
// computer lacks; nothing was queued or downloaded.
type MissingModelsError struct {
	Files []models.FileStatus
	Bytes int64 // still to download
}

func (e *MissingModelsError) Error() string {
	return fmt.Sprintf("%d model files (%.1f GB) are not downloaded yet", len(e.Files), float64(e.Bytes)/1e9)
}

// FitError says the job will probably not fit the GPU (Verdict Fail) or
// will be slow (Warn); nothing was queued.
type FitError struct{ Fit Fit }

func (e *FitError) Error() string { return e.Fit.Advice }

// ErrNotRunning is Generate's answer while there is no job queue (ComfyUI
// not installed, starting or stopped).
var ErrNotRunning = errors.New("ComfyUI is not running, so nothing can be queued")

// Generate is the one way a video is made, for every face. In order it
// validates the form, probes each media file by its content, checks the
// model files, checks the job fits the GPU, resolves the seed and queues
// the job. Each refusal is a typed error and leaves nothing queued or
// downloaded; models are fetched (by the job) only once the media passed.
func (s *Studio) Generate(ctx context.Context, f workflows.Form, o GenerateOptions) (jobs.Job, error) {
	if f.Weights == "" {
		f.Weights = workflows.Weights(s.Settings().ModelWeights())
	}
	if errs := f.Validate(); len(errs) > 0 {
		return jobs.Job{}, &FormError{Fields: errs}
	}
	if err := AcceptForm(ctx, f); err != nil {
		return jobs.Job{}, err
	}
	eng := s.jobEngine()
	if eng == nil {
		return jobs.Job{}, ErrNotRunning
	}
	local := s.Settings().Backend != settings.BackendRemote && !s.foreignServer()
	if local && !o.FetchModels {
		if err := s.checkModels(ctx, f); err != nil {
			return jobs.Job{}, err
		}
	}
	if local && !o.AnyFit {
		sample := o.GPU
		if sample == nil {
			sample = s.readGPUs()
		}
		if fit, known := CheckFit(f, *sample); known && fit.Verdict != OK {
			return jobs.Job{}, &FitError{Fit: fit}
		}
	}
	f = workflows.ResolveSeed(f, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	return eng.Submit(f)
}

// AcceptForm probes every media file of the form by its content: missing,
// a folder, empty, the wrong kind or an absurd size is a *MediaError.
func AcceptForm(ctx context.Context, f workflows.Form) error {
	m, ok := workflows.Lookup(f.Mode)
	if !ok {
		return &FormError{Fields: []workflows.FieldError{{Field: "mode", Msg: fmt.Sprintf("unknown mode %q", f.Mode)}}}
	}
	for _, sl := range m.Slots {
		p := f.Media[sl.ID]
		if p == "" {
			continue // Validate already named a required slot left empty
		}
		if _, err := AcceptMedia(ctx, sl, p); err != nil {
			return &MediaError{Slot: sl, Path: p, Err: err}
		}
		if sl.Kind == workflows.MediaImage {
			if err := media.CheckImageSize(p); err != nil {
				return &MediaError{Slot: sl, Path: p, Err: err}
			}
		}
	}
	return nil
}

// checkModels is a *MissingModelsError when the form's files are not all
// here. When that cannot be known (no install yet to plan against) the job
// finds out itself.
func (s *Studio) checkModels(ctx context.Context, f workflows.Form) error {
	refs, err := FormRefs(f)
	if err != nil {
		return err
	}
	p, err := s.Plan(ctx, refs)
	if err != nil || p.Complete() {
		return nil
	}
	e := &MissingModelsError{Bytes: p.MissingBytes}
	for _, fs := range p.Files {
		if !fs.Present {
			e.Files = append(e.Files, fs)
		}
	}
	return e
}

// readGPUs is one reading of the GPUs for a face without a meter.
func (s *Studio) readGPUs() *gpu.Sample {
	out := &gpu.Sample{}
	if used, total, err := s.ram(); err == nil {
		out.RAMUsed, out.RAMTotal = used, total
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.checkWait)
	defer cancel()
	if s.listGPUs != nil {
		if ds, err := s.listGPUs(ctx); err == nil {
			out.GPUs = ds
		}
	}
	return out
}

// Package jobs turns a filled-in form into a video file: a persistent queue
// shared by one or more ComfyUI backends, progress a person can trust, and
// outputs with a provenance sidecar. The steps it does not own (building the
// graph, fetching models, hashing them) come in through small interfaces.
package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// State is where a job is in its life.
type State string

const (
	Pending   State = "pending"
	Running   State = "running"
	Done      State = "done"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

func (s State) String() string { return string(s) }

// Finished reports whether the job will not change any more.
func (s State) Finished() bool { return s == Done || s == Failed || s == Cancelled }

// Job is one generation request: a mode's form with its seed resolved. It is
// the unit stored on disk, so every field is plain data.
type Job struct {
	ID       string         `json:"id"`
	Form     workflows.Form `json:"form"`
	State    State          `json:"state"`
	Attempts int            `json:"attempts"` // times it was started
	Created  time.Time      `json:"created"`
	Started  time.Time      `json:"started,omitzero"`
	Finished time.Time      `json:"finished,omitzero"`
	Backend  string         `json:"backend,omitempty"`
	// BackendURL lets another process interrupt the job (queue cancel).
	BackendURL string `json:"backend_url,omitempty"`
	PromptID   string `json:"prompt_id,omitempty"`
	// Error is for people; Fields point at the form controls to flag.
	Error  string                 `json:"error,omitempty"`
	Fields []workflows.FieldError `json:"fields,omitempty"`
	Note   string                 `json:"note,omitempty"` // e.g. why it was re-queued
	Output string                 `json:"output,omitempty"`
	// Sidecar is the JSON provenance file beside Output.
	Sidecar string `json:"sidecar,omitempty"`
	// EnhancedPrompt is the prompt as Gemma rewrote it ("Enhance prompt"),
	// read from the history outputs; "" when the form did not ask for it.
	EnhancedPrompt string `json:"enhanced_prompt,omitempty"`
}

// Took is how long making the video took, the same figure as its sidecar's
// (see timings.took); 0 unless the job is Done.
func (j Job) Took() time.Duration {
	if j.State != Done || j.Started.IsZero() || j.Finished.Before(j.Started) {
		return 0
	}
	return j.Finished.Sub(j.Started)
}

// ModelRef names a model file as a graph loads it.
type ModelRef struct {
	Folder string `json:"folder"` // ComfyUI models sub-folder: checkpoints, loras …
	Name   string `json:"name"`
}

// Stage places a node of the graph in a named part of the job; Weight is its
// share of the expected run time (weights need not add up to 1).
type Stage struct {
	Name   workflows.StageName
	Weight float64
}

// Built is a ready-to-queue prompt.
type Built struct {
	Prompt     json.RawMessage
	Stages     map[string]Stage // node id → stage
	OutputNode string           // the node whose output is the video
	// EnhancedNode is the PreviewAny node whose text is the enhanced prompt
	// ("" when the prompt is not enhanced).
	EnhancedNode string
	Models       []ModelRef
	// Fields optionally maps "nodeID.input" to the form field it came from,
	// so a ComfyUI validation error can flag the right control.
	Fields map[string]workflows.Field
}

// Builder turns a form into a prompt. mediaNames maps each media slot to the
// name the file has in ComfyUI's input folder.
type Builder interface {
	Build(form workflows.Form, mediaNames map[string]string) (*Built, error)
}

// BuilderFunc adapts a function to Builder.
type BuilderFunc func(form workflows.Form, mediaNames map[string]string) (*Built, error)

func (f BuilderFunc) Build(form workflows.Form, media map[string]string) (*Built, error) {
	return f(form, media)
}

// ModelProgress reports a model download or link step.
type ModelProgress struct {
	File        string
	Done, Total int64
}

// ModelEnsurer makes sure the model files are where ComfyUI looks
// (downloading or linking them), reporting progress as it goes.
type ModelEnsurer interface {
	Ensure(ctx context.Context, models []ModelRef, progress func(ModelProgress)) error
}

// ModelHasher gives the sha256 of an installed model file, for sidecars.
type ModelHasher interface {
	SHA256(ctx context.Context, m ModelRef) (string, error)
}

// Backend is one ComfyUI server jobs can run on.
type Backend struct {
	Name string
	URL  string // http://127.0.0.1:8188
	// InputDir is the server's input folder when it is on this machine;
	// media are copied there. Empty means remote: media are uploaded.
	InputDir string
	// Commit is the ComfyUI commit, when the app knows it (managed install).
	Commit string
	// GPU is the index of the local GPU this ComfyUI runs on ("" for a
	// remote server, or when the app does not choose one).
	GPU string
}

package jobs

import (
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Event is something the UI may want to show. The set is closed.
type Event interface {
	JobID() string
	isEvent()
}

// Changed: the job's stored record changed (queued, started, finished,
// re-queued, failed, cancelled).
type Changed struct{ Job Job }

// Removed: a pending job was cancelled and taken off the queue.
type Removed struct{ ID string }

// ProgressUpdate carries the job's progress; sent at most every 50 ms
// apart from stage changes.
type ProgressUpdate struct {
	ID       string
	Progress Progress
}

// PreviewFrame is a preview image from ComfyUI, when the graph makes any.
type PreviewFrame struct {
	ID        string
	ImageType string
	Image     []byte
}

func (e Changed) JobID() string        { return e.Job.ID }
func (e Removed) JobID() string        { return e.ID }
func (e ProgressUpdate) JobID() string { return e.ID }
func (e PreviewFrame) JobID() string   { return e.ID }
func (Changed) isEvent()               {}
func (Removed) isEvent()               {}
func (ProgressUpdate) isEvent()        {}
func (PreviewFrame) isEvent()          {}

// Phase is the coarse step of a running job.
type Phase string

const (
	PhasePreparing Phase = "preparing"    // building the graph, hashing media
	PhaseModels    Phase = "models"       // downloading or linking model files
	PhaseUploading Phase = "uploading"    // staging media into ComfyUI's input folder
	PhaseQueued    Phase = "queued"       // submitted, waiting for ComfyUI's worker
	PhaseRunning   Phase = "running"      // ComfyUI is executing the graph
	PhaseSaving    Phase = "saving"       // copying the video, writing the sidecar
	PhaseReconnect Phase = "reconnecting" // the backend's socket dropped
)

// Progress is what the progress bar shows.
type Progress struct {
	Phase      Phase
	Stage      workflows.StageName // Label words it for a person
	StageIndex int                 // 1-based among the stages this graph has
	StageCount int
	Percent    float64 // overall, 0–100, weighted by stage, never goes back
	Step       int     // current node's step counter (sampler steps)
	Steps      int
	Rate       float64       // steps per second of the current node
	ETA        time.Duration // < 0 when unknown
	Elapsed    time.Duration // since the job started
	Model      *ModelProgress
}

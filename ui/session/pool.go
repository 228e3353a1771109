package session

import (
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/ui/progress"
)

// withBackend names the GPU or server running the job in the progress
// panel's stage line, when jobs can run on more than one.
func withBackend(eng *jobs.Engine, id string, u progress.Update) progress.Update {
	if eng == nil || len(eng.Rooms()) < 2 {
		return u
	}
	if j, ok := eng.Job(id); ok && j.State == jobs.Running && j.Backend != "" {
		u.Stage += " · on " + j.Backend
	}
	return u
}

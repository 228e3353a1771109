package session

import (
	"fmt"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
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

// gpusFound words the GPUs found at start for Settings → GPUs to use.
func gpusFound(devs []gpu.Device) []string {
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = fmt.Sprintf("%d: %s %.0f GiB", d.Index, d.Name, float64(d.TotalMiB)/1024)
	}
	return out
}

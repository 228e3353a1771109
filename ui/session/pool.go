package session

import (
	"fmt"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui/progress"
)

// withBackend names the GPU or server running the job in the progress
// panel's stage line, when jobs can run on more than one.
func withBackend(st *studio.Studio, id string, u progress.Update) progress.Update {
	if on := st.RunsOn(id); on != "" {
		u.Stage += " · on " + on
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

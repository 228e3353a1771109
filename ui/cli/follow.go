package cli

// Following one job to its end in the terminal.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// follow prints progress until the job ends. Ctrl-C cancels the job in
// ComfyUI too, so nothing keeps running behind the user's back. A job the
// server does not take within the queue wait is cancelled with a message:
// the wait for a dead server's event socket would otherwise never end.
func follow(ctx context.Context, e *studio.Studio, ch <-chan studio.Event, id string, env Env, where string) (jobs.Job, error) {
	w := env.Stdout
	var last time.Time
	var lastStage jobs.Phase
	var lastFile string
	cancelled := false
	queueWait := env.waits.Queue
	if queueWait <= 0 {
		queueWait = studio.DefaultWaits().Queue
	}
	notTaken := time.NewTimer(queueWait)
	defer notTaken.Stop()
	waiting := true // for the server to take the job
	var gaveUp error
	cancel := func(why string) {
		if cancelled {
			return
		}
		cancelled = true
		fmt.Fprintln(w, why)
		cctx, c := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = e.Cancel(cctx, id)
		c()
		ctx = context.WithoutCancel(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			cancel("cancelling…")
		case <-notTaken.C:
			gaveUp = fmt.Errorf("the ComfyUI at %s did not take the job within %s (its event connection does not open); the job was cancelled. Check that server (ltx-studio comfyui status for the app's own), then try again", where, queueWait)
			cancel("giving up: the server does not take the job")
		case sev := <-ch:
			up, ok := sev.(studio.JobUpdate)
			if !ok {
				continue // the ComfyUI's state: the job's own events say what matters
			}
			switch x := up.Event.(type) {
			case jobs.ProgressUpdate:
				p := x.Progress
				// Throttled to a line a second, but every new model file
				// being fetched gets its own line.
				newFile := p.Model != nil && p.Model.File != lastFile
				if !newFile && time.Since(last) < time.Second && p.Phase == lastStage && p.Percent < 100 {
					continue
				}
				last, lastStage = time.Now(), p.Phase
				if p.Model != nil {
					lastFile = p.Model.File
				}
				fmt.Fprintln(w, progressLine(p))
			case jobs.Changed:
				if x.Job.ID == id && x.Job.State != jobs.Pending {
					notTaken.Stop()
					waiting = false
				} else if x.Job.ID == id && !waiting && !cancelled {
					// Re-queued after its server was lost: the wait starts again.
					notTaken.Reset(queueWait)
					waiting = true
				}
				if x.Job.ID == id && x.Job.State == jobs.Running && x.Job.Backend != "" {
					fmt.Fprintf(w, "running on %s\n", x.Job.Backend)
				}
				if x.Job.ID == id && x.Job.State.Finished() {
					if gaveUp != nil && x.Job.State == jobs.Cancelled {
						return x.Job, gaveUp
					}
					return x.Job, nil
				}
			case jobs.Removed:
				if x.ID == id {
					if gaveUp != nil {
						return jobs.Job{ID: id, State: jobs.Cancelled}, gaveUp
					}
					return jobs.Job{ID: id, State: jobs.Cancelled}, nil
				}
			}
		}
	}
}

func progressLine(p jobs.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%3.0f%%] %-9s", p.Percent, p.Phase)
	if p.Stage != "" {
		fmt.Fprintf(&b, " %s (%d/%d)", p.Stage, p.StageIndex, p.StageCount)
	}
	if p.Steps > 0 {
		fmt.Fprintf(&b, " step %d/%d", p.Step, p.Steps)
	}
	if p.Rate > 0 {
		fmt.Fprintf(&b, " %.2f it/s", p.Rate)
	}
	if p.Model != nil {
		fmt.Fprintf(&b, " fetching %s", p.Model.File)
		if p.Model.Total > 0 {
			fmt.Fprintf(&b, " %.0f%%", 100*float64(p.Model.Done)/float64(p.Model.Total))
		}
	}
	fmt.Fprintf(&b, " elapsed %s", p.Elapsed.Round(time.Second))
	if p.ETA > 0 {
		fmt.Fprintf(&b, " eta %s", p.ETA)
	}
	return b.String()
}

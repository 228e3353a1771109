package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
)

func TestFailureDetailsCarryTheRawSide(t *testing.T) {
	logs := make([]string, 100)
	for i := range logs {
		logs[i] = fmt.Sprintf("line %d", i)
	}
	logs[99] = "torch.OutOfMemoryError: CUDA out of memory."
	j := jobs.Job{Error: "ComfyUI ran out of GPU memory", PromptID: "p-1", Note: "re-queued: socket dropped"}
	got := failureDetails(j, logs)
	for _, want := range []string{"ComfyUI ran out of GPU memory", "prompt p-1", "re-queued: socket dropped", "line 60", "CUDA out of memory"} {
		if !strings.Contains(got, want) {
			t.Errorf("details lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "line 59\n") {
		t.Error("details keep more than the last 40 log lines")
	}
	if got := failureDetails(jobs.Job{Error: "boom"}, nil); got != "boom" {
		t.Errorf("no logs, no extras: %q", got)
	}
}

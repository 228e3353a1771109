package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestQueueCancel(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	s, err := openStudio(Env{Stdout: io.Discard, Stderr: io.Discard}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := s.QueueDir()
	s.Close()
	e, err := jobs.New(jobs.Config{QueueDir: dir, OutputDir: t.TempDir(), Builder: jobs.WorkflowsBuilder{},
		Backends: []jobs.Backend{{Name: "x", URL: "http://127.0.0.1:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := e.Submit(workflows.Form{Mode: workflows.T2V, Prompt: "keep me"})
	drop, err := e.Submit(workflows.Form{Mode: workflows.T2V, Prompt: "drop me"})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"queue", "cancel", ""}, 1, "give the id"},
		{[]string{"queue", "cancel", "zzzz"}, 1, "no job with id"},
		{[]string{"queue", "cancel", drop.ID[:8]}, 0, "removed from the queue"},
	} {
		var out bytes.Buffer
		if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out}, tc.args); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%q: exit %d, %s", tc.args, code, out.String())
		}
	}
	list, err := jobs.ReadQueue(dir)
	if err != nil || len(list) != 1 || list[0].ID != keep.ID {
		t.Errorf("queue after cancel: %v %+v", err, list)
	}
}

package history

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func writeGen(t *testing.T, dir, base string, mode workflows.ModeID, at time.Time) {
	t.Helper()
	var s jobs.Sidecar
	s.JobID, s.Mode, s.Seed = base, mode, 42
	s.Form = workflows.DefaultForm(mode)
	s.Form.Prompt = "prompt " + base
	s.Timings.Finished = at
	s.Seconds = map[string]float64{"total": 12.5}
	s.Output.File = base + ".mp4"
	b, _ := json.Marshal(s)
	if err := os.WriteFile(filepath.Join(dir, base+".json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, base+".mp4"), []byte("video"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestListNewestFirstSkipsOrphansAndReportsDamage(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	writeGen(t, dir, "old", workflows.T2V, now.Add(-time.Hour))
	writeGen(t, dir, "new", workflows.I2V, now)
	writeGen(t, dir, "gone", workflows.Style, now)
	os.Remove(filepath.Join(dir, "gone.mp4"))
	os.WriteFile(filepath.Join(dir, "junk.json"), []byte("{"), 0o644)

	got, err := List(dir)
	if err == nil || !strings.Contains(err.Error(), "junk.json") {
		t.Errorf("want an error naming the damaged sidecar, got %v", err)
	}
	if len(got) != 2 || got[0].Meta.JobID != "new" || got[1].Meta.JobID != "old" {
		t.Fatalf("entries = %+v", got)
	}
	if got[0].Took != 12500*time.Millisecond || got[0].Meta.Mode != workflows.I2V {
		t.Fatalf("entry fields: %+v", got[0])
	}
}

func TestSidecarCannotPointOutsideItsFolder(t *testing.T) {
	dir := t.TempDir()
	writeGen(t, dir, "a", workflows.T2V, time.Now())
	var s jobs.Sidecar
	b, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	json.Unmarshal(b, &s)
	s.Output.File = "../../etc/passwd"
	b, _ = json.Marshal(s)
	os.WriteFile(filepath.Join(dir, "a.json"), b, 0o644)
	e, err := Read(filepath.Join(dir, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(e.Video) != dir {
		t.Fatalf("video path escaped the folder: %s", e.Video)
	}
}

func TestDeleteRemovesBoth(t *testing.T) {
	dir := t.TempDir()
	writeGen(t, dir, "a", workflows.T2V, time.Now())
	es, _ := List(dir)
	if err := Delete(es[0]); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	if es, _ := List(filepath.Join(dir, "missing")); es != nil {
		t.Fatal("a missing folder is an empty history")
	}
}

// The Export workflow file is the recorded prompt, built by the real
// builder, indented and still accepted by ComfyUI's checks.
func TestWorkflowIsTheRecordedPromptIndented(t *testing.T) {
	dir := t.TempDir()
	writeGen(t, dir, "a", workflows.T2V, time.Now())
	e, err := Read(filepath.Join(dir, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Workflow(); err == nil || !strings.Contains(err.Error(), "no recorded workflow") {
		t.Fatalf("a sidecar without a prompt: %v", err)
	}
	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt = "a fox"
	p, err := workflows.Build(f, workflows.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.Meta.Prompt = p.JSON
	name, data, err := e.Workflow()
	if err != nil || name != "a.workflow_api.json" {
		t.Fatalf("Workflow() = %q, %v", name, err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"") {
		t.Fatalf("not indented: %.40s", data)
	}
	s, err := workflows.EmbeddedSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := workflows.Validate(data, s, nil); err != nil {
		t.Fatal(err)
	}
}

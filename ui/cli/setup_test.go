package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// TestSetupCommandReusesFilesOnDisk: `setup --plan` lists the two files an
// existing ComfyUI holds as found on disk; `setup` installs and gets the
// rest in one go, reusing those two, and says Ready; a second `setup`
// has nothing left to do.
func TestSetupCommandReusesFilesOnDisk(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V}, workflows.FP8)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := e2e.ForTestWith(t, ctx, e2e.Options{Existing: refs[:2]})
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pin := func(o *studio.Options) {
		o.Install = func(c *install.Config) {
			c.ComfyCommit = w.Commit
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}
	}
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if code := Run(ctx, Env{Stdout: &out, Stderr: &out, studioOpts: pin}, args); code != 0 {
			t.Fatalf("$ ltx-studio %s → %d\n%s", strings.Join(args, " "), code, out.String())
		}
		return out.String()
	}
	plan := run("setup", "--mode", "t2v", "--plan")
	for _, r := range refs[:2] {
		if !strings.Contains(plan, string(studio.FoundOnDisk)+" "+strings.Repeat(" ", 19-len(studio.FoundOnDisk))+r.String()) {
			t.Errorf("plan does not show %s as found on disk:\n%s", r, plan)
		}
	}
	out := run("setup", "--mode", "t2v")
	for _, want := range []string{"[comfyui] ✓ installed", "reused (hardlink)", "[models]  ✓ all model files are in place", "Ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("setup output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "reused (hardlink)") != 2 {
		t.Errorf("want exactly the two files reused:\n%s", out)
	}
	again := run("setup", "--mode", "t2v")
	if !strings.Contains(again, "already installed") || strings.Contains(again, "reused") || !strings.Contains(again, "Download 0 B") {
		t.Errorf("a second setup should have nothing to do:\n%s", again)
	}
}

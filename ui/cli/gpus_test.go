package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

func TestGPUsListAndUse(t *testing.T) {
	home := t.TempDir()
	opts := func(o *studio.Options) {
		o.Dirs = appdirs.Under(home)
		o.ListGPUs = func(context.Context) ([]gpu.Device, error) {
			return []gpu.Device{{Index: 0, Name: "Fake GPU A", TotalMiB: 81920, UsedMiB: 1024}, {Index: 1, Name: "Fake GPU B", TotalMiB: 16384}}, nil
		}
	}
	run := func(args ...string) string {
		var out bytes.Buffer
		if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out, studioOpts: opts}, args); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, out.String())
		}
		return out.String()
	}
	got := run("gpus")
	for _, want := range []string{"Fake GPU A", "80.0 GiB", "79.0 GiB", "yes: one ComfyUI", "Fake GPU B", "GPUs to use: all that fit"} {
		if !strings.Contains(got, want) {
			t.Errorf("gpus list lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "yes: one ComfyUI") != 1 {
		t.Errorf("only the 80 GiB GPU fits fp8:\n%s", got)
	}
	if got := run("gpus", "use", "1,0"); !strings.Contains(got, "GPUs to use: 1,0") {
		t.Errorf("use: %s", got)
	}
	if got := run("gpus", "list"); strings.Count(got, "yes: one ComfyUI") != 2 || !strings.Contains(got, "GPUs to use: GPUs 1,0") {
		t.Errorf("after use 1,0:\n%s", got)
	}
	var out bytes.Buffer
	if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out, studioOpts: opts}, []string{"gpus", "use", "first"}); code == 0 || !strings.Contains(out.String(), "GPU numbers") {
		t.Errorf("a bad choice: exit %d, %s", code, out.String())
	}
}

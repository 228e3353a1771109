package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
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

// TestGPUsUnloadOne: `gpus unload 1` frees the models of GPU 1's ComfyUI
// only; `gpus unload all` frees both. The ComfyUIs are stand-ins found
// through their pidfiles, as the window leaves them.
func TestGPUsUnloadOne(t *testing.T) {
	home := t.TempDir()
	dirs := appdirs.Under(home)
	opts := func(o *studio.Options) {
		o.Dirs = dirs
		o.ListGPUs = func(context.Context) ([]gpu.Device, error) {
			return []gpu.Device{{Index: 0, Name: "A", TotalMiB: 81920}, {Index: 1, Name: "B", TotalMiB: 81920}}, nil
		}
	}
	created, err := proc.CreateTime(t.Context(), os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var fakes []*api.Server
	for _, pf := range []string{comfyui.PidFile(dirs), comfyui.PidFileGPU(dirs, 1)} {
		srv := api.New(api.Options{})
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		fakes = append(fakes, srv)
		port, _ := strconv.Atoi(ts.URL[strings.LastIndex(ts.URL, ":")+1:])
		// This test process stands in for both the ComfyUI and its owner.
		if err := proc.WritePidfile(pf, proc.Pidfile{PID: os.Getpid(), CreateTime: created, Port: port, Owner: os.Getpid(), OwnerCreate: created}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out, studioOpts: opts}, []string{"gpus"}); code != 0 || strings.Count(out.String(), "running at http://127.0.0.1:") != 2 {
		t.Errorf("gpus list does not show both running ComfyUIs (exit %d):\n%s", code, out.String())
	}
	out.Reset()
	if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out, studioOpts: opts}, []string{"gpus", "unload", "1"}); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if fakes[0].Frees() != 0 || fakes[1].Frees() != 1 || !strings.Contains(out.String(), "GPU 1: models unloaded") {
		t.Errorf("unload 1: frees %d/%d, %s", fakes[0].Frees(), fakes[1].Frees(), out.String())
	}
	out.Reset()
	if code := Run(t.Context(), Env{Stdout: &out, Stderr: &out, studioOpts: opts}, []string{"gpus", "unload", "all"}); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if fakes[0].Frees() != 1 || fakes[1].Frees() != 2 {
		t.Errorf("unload all: frees %d/%d, %s", fakes[0].Frees(), fakes[1].Frees(), out.String())
	}
}

// Without a GPU the terminal is told what it can use, not a window screen.
func TestNoGPUNamesTheTerminalsWays(t *testing.T) {
	var b bytes.Buffer
	printGPUs(&b, nil, nil, settings.GPUChoice{}, nil)
	if out := b.String(); strings.Contains(out, "Settings →") || !strings.Contains(out, "generate --backend URL") || !strings.Contains(out, `"remote_urls"`) {
		t.Errorf("no-GPU line: %q", out)
	}
}

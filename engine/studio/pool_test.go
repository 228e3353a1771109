package studio_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// fakeGPUs is a workstation with a 32 GiB, an 80 GiB and a 24 GiB card:
// the default form (about 28 GiB at fp8) fits the first two only.
func fakeGPUs(context.Context) ([]gpu.Device, error) {
	return []gpu.Device{
		{Index: 0, Name: "Fake GPU A", TotalMiB: 32768, UsedMiB: 300},
		{Index: 1, Name: "Fake GPU B", TotalMiB: 81920, UsedMiB: 300},
		{Index: 2, Name: "Fake GPU C", TotalMiB: 24576, UsedMiB: 300},
	}, nil
}

func TestChooseGPUs(t *testing.T) {
	found, _ := fakeGPUs(t.Context())
	names := func(ds []gpu.Device) (out []int) {
		for _, d := range ds {
			out = append(out, d.Index)
		}
		return out
	}
	set := settings.Defaults()
	if got := names(studio.ChooseGPUs(set, found)); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("automatic: %v, want the two that fit fp8", got)
	}
	set.GPUs = settings.GPUChoice{2, 1, 7}
	if got := names(studio.ChooseGPUs(set, found)); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("chosen 2,1,7: %v (a GPU that is not there is left out)", got)
	}
	set.GPUs = nil
	if got := names(studio.ChooseGPUs(set, found[2:])); !slices.Equal(got, []int{2}) {
		t.Errorf("only a small GPU: %v, want it anyway", got)
	}
	if got := studio.ChooseGPUs(set, nil); len(got) != 0 {
		t.Errorf("no GPU: %v", got)
	}
}

// TestPoolRunsOneComfyUIPerGPU installs the stand-in ComfyUI once and runs it
// twice, pinned to two fake GPUs: own ports, pidfiles, user/temp/output
// folders, one shared install and models. Four jobs keep both busy; a job
// too big for GPU 0 runs on GPU 1; quitting stops both.
func TestPoolRunsOneComfyUIPerGPU(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	t.Setenv("FAKECOMFY_VRAM_MIB", "0=32768/300,1=81920/300")
	w, getenv := e2e.ForTest(t, ctx)
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(w.Home), Getenv: getenv, ListGPUs: fakeGPUs, Install: func(c *install.Config) {
		c.ComfyCommit = w.Commit
		c.DriverVersion = func(context.Context) (string, error) { return "", nil }
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Install(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSetupDone([]workflows.ModeID{workflows.T2V}, workflows.FP8); err != nil {
		t.Fatal(err)
	}
	// The release setup chose, which Generate fills into the forms: the
	// jobs then find every file in place.
	refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V}, workflows.FP8, workflows.Weights(s.Settings().ModelWeights()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Download(ctx, refs, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pool := s.Pool()
	if len(pool) != 2 || pool[0].Name != "GPU 0" || pool[1].Name != "GPU 1" || pool[1].GPU == nil || pool[1].GPU.Name != "Fake GPU B" {
		t.Fatalf("pool %+v", pool)
	}
	argvs := map[string][]string{}
	for _, m := range pool {
		st, err := comfyapi.New(m.URL, nil).SystemStats(ctx)
		if err != nil {
			t.Fatalf("%s at %q: %v", m.Name, m.URL, err)
		}
		argvs[m.Name] = st.System.Argv
	}
	flag := func(argv []string, f string) string {
		if i := slices.Index(argv, f); i >= 0 && i+1 < len(argv) {
			return argv[i+1]
		}
		return ""
	}
	a0, a1 := argvs["GPU 0"], argvs["GPU 1"]
	if flag(a0, "--cuda-device") != "0" || flag(a1, "--cuda-device") != "1" {
		t.Errorf("cuda devices: %q and %q", flag(a0, "--cuda-device"), flag(a1, "--cuda-device"))
	}
	if flag(a0, "--base-directory") != flag(a1, "--base-directory") || flag(a0, "--input-directory") != flag(a1, "--input-directory") {
		t.Errorf("the install, models and inputs must be shared: %v / %v", a0, a1)
	}
	for _, f := range []string{"--port", "--user-directory", "--temp-directory", "--output-directory"} {
		if flag(a0, f) == flag(a1, f) {
			t.Errorf("both ComfyUIs share %s %q", f, flag(a0, f))
		}
	}
	for _, pf := range []string{comfyui.PidFile(s.Dirs()), comfyui.PidFileGPU(s.Dirs(), 1)} {
		if _, err := os.Stat(pf); err != nil {
			t.Errorf("pidfile: %v", err)
		}
	}

	ch, unsub := s.Subscribe()
	defer unsub()
	var ids []string
	for i := range 4 {
		f := workflows.DefaultForm(workflows.T2V)
		f.Prompt = "fakecomfy:slow a lighthouse, take " + string(rune('1'+i))
		j, err := s.Generate(ctx, f, studio.GenerateOptions{FetchModels: true, AnyFit: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	big := workflows.DefaultForm(workflows.T2V)
	big.Prompt, big.Seconds = "a long shot of the sea", workflows.MaxSeconds
	if studio.EstimatePeak(big) <= 32<<30 {
		t.Fatalf("the big form needs only %d bytes", studio.EstimatePeak(big))
	}
	bj, err := s.Generate(ctx, big, studio.GenerateOptions{FetchModels: true, AnyFit: true})
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, bj.ID)
	final := map[string]jobs.Job{}
	running, mostAtOnce := map[string]bool{}, 0
	for len(final) < len(ids) {
		select {
		case ev := <-ch:
			c, ok := jobChange(ev)
			if !ok {
				continue
			}
			if c.Job.State == jobs.Running {
				running[c.Job.ID] = true
				mostAtOnce = max(mostAtOnce, len(running))
			}
			if c.Job.State.Finished() {
				delete(running, c.Job.ID)
				final[c.Job.ID] = c.Job
			}
		case <-ctx.Done():
			t.Fatalf("jobs did not finish: %d of %d", len(final), len(ids))
		}
	}
	if mostAtOnce < 2 {
		t.Errorf("at most %d jobs ran at once on two GPUs", mostAtOnce)
	}
	for _, id := range ids {
		j := final[id]
		if j.State != jobs.Done {
			t.Fatalf("job %q: %s %s", j.Form.Prompt, j.State, j.Error)
		}
		raw, err := os.ReadFile(j.Sidecar)
		var sc jobs.Sidecar
		if err != nil || json.Unmarshal(raw, &sc) != nil {
			t.Fatalf("sidecar: %v", err)
		}
		if sc.ComfyUI.Backend != j.Backend || !strings.HasSuffix(j.Backend, sc.ComfyUI.GPU) {
			t.Errorf("sidecar names %q (gpu %q), job ran on %q", sc.ComfyUI.Backend, sc.ComfyUI.GPU, j.Backend)
		}
	}
	if final[bj.ID].Backend != "GPU 1" {
		t.Errorf("the 40 GiB job ran on %q, want the 80 GiB GPU 1", final[bj.ID].Backend)
	}
	// A failure's details come from the log of the ComfyUI that ran the job.
	for _, m := range pool {
		port := flag(argvs[m.Name], "--port")
		if logs := strings.Join(s.LogsFor(m.Name), "\n"); !strings.Contains(logs, "127.0.0.1:"+port) {
			t.Errorf("%s's log does not show its own port %s:\n%s", m.Name, port, logs)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pf := range comfyui.PidFiles(s.Dirs()) {
		if _, err := os.Stat(pf); err == nil {
			t.Errorf("pidfile %s left after quit", pf)
		}
	}
	if _, _, running := comfyui.Running(context.Background(), s.Dirs()); running {
		t.Error("ComfyUI still running after Close")
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// The multi-GPU check (`gpucheck pool`, run by pool.sh on a two-GPU
// machine): one ComfyUI per GPU, the app's job engine over both with
// fit-aware dispatch. A warm-up job on each GPU loads the weights; then the
// same number of jobs runs on one GPU and on both, and the wall times give
// the throughput ratio (target ≥ 1.8×).

// poolResult is one job of the pool check.
type poolResult struct {
	Phase   string  `json:"phase"`
	Seed    int64   `json:"seed"`
	Backend string  `json:"backend"`
	Sidecar string  `json:"sidecar_backend"`
	State   string  `json:"state"`
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

type poolReport struct {
	Jobs        int          `json:"jobs"`
	OneGPU      float64      `json:"one_gpu_seconds"`
	AllGPUs     float64      `json:"all_gpus_seconds"`
	Speedup     float64      `json:"speedup"`
	MostAtOnce  int          `json:"most_running_at_once"`
	DispatchAvg float64      `json:"dispatch_ms_avg"`
	Results     []poolResult `json:"results"`
}

func runPool(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("pool", flag.ContinueOnError)
	urls := fs.String("urls", "http://127.0.0.1:8188,http://127.0.0.1:8189", "one ComfyUI per GPU, comma-separated")
	comfy := fs.String("comfyui", "", "the ComfyUI folder they share (its input/ is used)")
	out := fs.String("out", "", "folder for the videos and pool.json")
	n := fs.Int("jobs", 4, "jobs per timed phase")
	// Off by default: with random Gemma weights the enhancer writes a random
	// number of tokens (2-12 s a job), which would measure luck, not dispatch.
	enhance := fs.Bool("enhance", false, "run the prompt enhancer in each job")
	preset := fs.String("preset", string(workflows.Fast), "the jobs' preset (balanced is two-stage: more GPU work per job)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	list := strings.Split(*urls, ",")
	if *comfy == "" || *out == "" || len(list) < 2 {
		return errors.New("pool needs -comfyui, -out and two or more -urls")
	}
	var all []jobs.Backend
	for i, u := range list {
		all = append(all, jobs.Backend{Name: fmt.Sprintf("GPU %d", i), URL: strings.TrimSpace(u), InputDir: filepath.Join(*comfy, "input"), GPU: fmt.Sprint(i)})
	}
	rep := poolReport{Jobs: *n}
	// Warm-up: one job per GPU, so both phases run with the weights loaded.
	if _, _, err := poolPhase(ctx, &rep, "warm-up", *out, all, len(all), 1, *enhance, workflows.Preset(*preset)); err != nil {
		return err
	}
	one, _, err := poolPhase(ctx, &rep, "one GPU", *out, all[:1], *n, 100, *enhance, workflows.Preset(*preset))
	if err != nil {
		return err
	}
	both, most, err := poolPhase(ctx, &rep, "all GPUs", *out, all, *n, 200, *enhance, workflows.Preset(*preset))
	if err != nil {
		return err
	}
	rep.OneGPU, rep.AllGPUs, rep.MostAtOnce = one.Seconds(), both.Seconds(), most
	rep.Speedup = one.Seconds() / both.Seconds()
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "pool.json"), b, 0o644); err != nil {
		return err
	}
	fmt.Printf("\n| phase | jobs | wall s | jobs/min |\n|---|---|---|---|\n")
	fmt.Printf("| one GPU | %d | %.1f | %.2f |\n| %d GPUs | %d | %.1f | %.2f |\n", *n, rep.OneGPU, 60*float64(*n)/rep.OneGPU,
		len(all), *n, rep.AllGPUs, 60*float64(*n)/rep.AllGPUs)
	fmt.Printf("\nspeedup %.2f× (target ≥ 1.8×), at most %d jobs at once, dispatch %.1f ms per job\n", rep.Speedup, rep.MostAtOnce, rep.DispatchAvg)
	for _, r := range rep.Results {
		if r.State != string(jobs.Done) || r.Backend != r.Sidecar {
			return fmt.Errorf("job seed %d (%s): %s on %q, sidecar %q: %s", r.Seed, r.Phase, r.State, r.Backend, r.Sidecar, r.Error)
		}
	}
	if rep.Speedup < 1.8 || rep.MostAtOnce < 2 {
		return fmt.Errorf("speedup %.2f× with at most %d jobs at once", rep.Speedup, rep.MostAtOnce)
	}
	return nil
}

// poolPhase runs count t2v jobs on backends through the app's job engine and
// returns the wall time and how many ran at once at most.
func poolPhase(ctx context.Context, rep *poolReport, phase, out string, backends []jobs.Backend, count int, seed0 int64, enhance bool, preset workflows.Preset) (time.Duration, int, error) {
	qdir, err := os.MkdirTemp("", "gpucheck-pool-*")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(qdir)
	eng, err := jobs.New(jobs.Config{QueueDir: qdir, OutputDir: filepath.Join(out, "pool"), Builder: jobs.WorkflowsBuilder{},
		Backends: backends, AppVersion: studio.Version, Need: studio.EstimatePeak, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, 0, err
	}
	defer eng.Close()
	ch, unsub := eng.Subscribe()
	defer unsub()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = eng.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	for online := 0; online < len(backends); {
		select {
		case ev := <-ch:
			if s, ok := ev.(jobs.BackendState); ok && s.Online {
				online++
			}
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
	start := time.Now()
	submitted := map[string]time.Time{}
	for i := range count {
		f := workflows.DefaultForm(workflows.T2V)
		f.Prompt = "a slow dolly in on a lighthouse at dusk, waves, wind"
		f.Width, f.Height, f.FPS, f.Seconds = checkWidth, checkHeight, checkFPS, checkSeconds
		f.Preset, f.Seed, f.RandomSeed, f.Enhance = preset, seed0+int64(i), false, enhance
		j, err := eng.Submit(f)
		if err != nil {
			return 0, 0, err
		}
		submitted[j.ID] = time.Now()
	}
	running, most, finished := map[string]bool{}, 0, 0
	var claims []float64 // ms from Submit to claim, in claim order
	for finished < count {
		select {
		case ev := <-ch:
			c, ok := ev.(jobs.Changed)
			if !ok {
				continue
			}
			j := c.Job
			switch {
			case j.State == jobs.Running && !running[j.ID]:
				running[j.ID] = true
				most = max(most, len(running))
				claims = append(claims, float64(j.Started.Sub(submitted[j.ID]).Microseconds())/1000)
			case j.State.Finished():
				delete(running, j.ID)
				finished++
				r := poolResult{Phase: phase, Seed: j.Form.Seed, Backend: j.Backend, State: string(j.State), Error: j.Error,
					Seconds: j.Finished.Sub(j.Started).Seconds()}
				if b, err := os.ReadFile(j.Sidecar); err == nil {
					var sc jobs.Sidecar
					if json.Unmarshal(b, &sc) == nil {
						r.Sidecar = sc.ComfyUI.Backend
					}
				}
				rep.Results = append(rep.Results, r)
				fmt.Printf("== %-8s seed %-4d %-6s on %-6s %6.1fs %s\n", phase, r.Seed, r.State, r.Backend, r.Seconds, r.Error)
			}
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
	if phase == "all GPUs" {
		// The first jobs are claimed by idle GPUs at once; later ones wait
		// for a GPU, so only the first len(backends) claims measure dispatch.
		k := min(len(claims), len(backends))
		var sum float64
		for _, c := range claims[:k] {
			sum += c
		}
		rep.DispatchAvg = sum / float64(max(k, 1))
	}
	return time.Since(start), most, nil
}

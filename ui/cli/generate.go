package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func init() {
	register(Command{Name: "generate", Summary: "make one video from the terminal (same engine as the window)", Run: runGenerate})
	register(Command{Name: "queue", Summary: "list or cancel jobs: queue list | queue cancel ID", Run: runQueue})
}

// genFlags are the generate command's options.
type genFlags struct {
	mode, prompt, negative, preset, camera, precision string
	media                                             map[string]*string
	seed                                              int64
	width, height, fps                                int
	seconds                                           float64
	out, backend, inputDir                            string
}

func parseGenerate(args []string, stderr io.Writer) (*genFlags, *flag.FlagSet, error) {
	g := &genFlags{media: map[string]*string{}}
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&g.mode, "mode", "t2v", "t2v, i2v, a2v, lipsync, keyframe or style")
	fs.StringVar(&g.prompt, "prompt", "", "what the video shows (required)")
	fs.StringVar(&g.negative, "negative", workflows.DefaultNegative, "what to avoid")
	for _, m := range []struct{ name, help string }{
		{"image", "start image (i2v), portrait (lipsync) or style image (style)"},
		{"audio", "audio track (a2v) or speech (lipsync)"},
		{"video", "source video (style)"}, {"first", "first frame (keyframe)"}, {"last", "last frame (keyframe)"},
	} {
		g.media[m.name] = fs.String(m.name, "", m.help)
	}
	fs.StringVar(&g.preset, "preset", string(workflows.Balanced), "fast, balanced or quality")
	fs.StringVar(&g.camera, "camera", string(workflows.CameraAuto), "camera motion (auto, none, static, dolly_in …)")
	fs.StringVar(&g.precision, "precision", string(workflows.FP8), "fp8 or bf16 weights")
	fs.Int64Var(&g.seed, "seed", -1, "seed (default: random)")
	fs.IntVar(&g.width, "width", 0, "width in pixels (default: the mode's default)")
	fs.IntVar(&g.height, "height", 0, "height in pixels")
	fs.IntVar(&g.fps, "fps", 0, "frames per second")
	fs.Float64Var(&g.seconds, "seconds", 0, "duration in seconds")
	fs.StringVar(&g.out, "out", "", "also place the video here (a .mp4 path; the sidecar goes beside it)")
	fs.StringVar(&g.backend, "backend", os.Getenv("LTX_STUDIO_COMFYUI_URL"), "ComfyUI address, e.g. http://127.0.0.1:8188 (or set LTX_STUDIO_COMFYUI_URL)")
	fs.StringVar(&g.inputDir, "input-dir", "", "that ComfyUI's input folder, if it is on this machine (else media are uploaded)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return g, fs, nil
}

// form turns the flags into a validated form.
func (g *genFlags) form() (workflows.Form, error) {
	m, ok := workflows.Lookup(workflows.ModeID(g.mode))
	if !ok {
		return workflows.Form{}, fmt.Errorf("unknown mode %q (t2v, i2v, a2v, lipsync, keyframe or style)", g.mode)
	}
	f := workflows.DefaultForm(m.ID)
	f.Prompt, f.Negative = g.prompt, g.negative
	f.Preset, f.Camera, f.Precision = workflows.Preset(g.preset), workflows.Camera(g.camera), workflows.Precision(g.precision)
	if g.seed >= 0 {
		f.Seed, f.RandomSeed = g.seed, false
	}
	for _, v := range []struct {
		dst *int
		v   int
	}{{&f.Width, g.width}, {&f.Height, g.height}, {&f.FPS, g.fps}} {
		if v.v != 0 {
			*v.dst = v.v
		}
	}
	if g.seconds != 0 {
		f.Seconds = g.seconds
	}
	for _, s := range m.Slots {
		p := g.mediaFor(s)
		if p == "" {
			return f, fmt.Errorf("%s needs --%s (%s)", m.Label, flagFor(s), s.Label)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return f, err
		}
		f.Media[s.ID] = abs
	}
	if errs := f.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = "--" + strings.ReplaceAll(e.Field, "media.", "") + ": " + e.Msg
		}
		return f, errors.New(strings.Join(msgs, "; "))
	}
	return f, nil
}

// flagFor is the flag that fills a media slot: the slot's own name, or the
// flag of its kind.
func flagFor(s workflows.MediaSlot) string {
	switch s.ID {
	case "image", "audio", "video", "first", "last":
		return s.ID
	}
	return string(s.Kind)
}

func (g *genFlags) mediaFor(s workflows.MediaSlot) string {
	if p := g.media[flagFor(s)]; p != nil {
		return *p
	}
	return ""
}

func runGenerate(ctx context.Context, env Env, args []string) error {
	g, _, err := parseGenerate(args, env.Stderr)
	if err != nil {
		return err
	}
	f, err := g.form()
	if err != nil {
		return err
	}
	if g.backend == "" {
		return errors.New("no ComfyUI to run on: pass --backend http://127.0.0.1:8188 or set LTX_STUDIO_COMFYUI_URL")
	}
	dirs := appdirs.Default()
	if err := dirs.Ensure(); err != nil {
		return fmt.Errorf("create app folders: %w", err)
	}
	var mine string
	e, err := jobs.New(jobs.Config{
		QueueDir: queueDir(dirs), OutputDir: dirs.Videos, Builder: jobs.WorkflowsBuilder{},
		Backends: []jobs.Backend{{Name: "cli", URL: strings.TrimRight(g.backend, "/"), InputDir: g.inputDir}},
		Claim:    func(j jobs.Job) bool { return j.ID == mine },
	})
	if errors.Is(err, jobs.ErrQueueBusy) {
		return fmt.Errorf("%w: the window (or another generate) is running; queue the video there or close it first", err)
	}
	if err != nil {
		return err
	}
	defer e.Close()
	ch, stop := e.Subscribe()
	defer stop()
	job, err := e.Submit(f)
	if err != nil {
		return err
	}
	mine = job.ID
	fmt.Fprintf(env.Stdout, "job %s: %s, seed %d, on %s\n", shortID(job.ID), f.Mode, job.Form.Seed, g.backend)
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { _ = e.Run(runCtx); close(done) }()
	defer func() { cancelRun(); <-done }()
	final, err := follow(ctx, e, ch, job.ID, env.Stdout)
	if err != nil {
		return err
	}
	return report(env, final, g.out)
}

func queueDir(d appdirs.Dirs) string { return filepath.Join(d.Data, "jobs") }

// follow prints progress until the job ends. Ctrl-C cancels the job in
// ComfyUI too, so nothing keeps running behind the user's back.
func follow(ctx context.Context, e *jobs.Engine, ch <-chan jobs.Event, id string, w io.Writer) (jobs.Job, error) {
	var last time.Time
	var lastStage jobs.Phase
	cancelled := false
	for {
		select {
		case <-ctx.Done():
			if !cancelled {
				cancelled = true
				fmt.Fprintln(w, "cancelling…")
				cctx, c := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = e.Cancel(cctx, id)
				c()
				ctx = context.WithoutCancel(ctx)
			}
		case ev := <-ch:
			switch x := ev.(type) {
			case jobs.ProgressUpdate:
				p := x.Progress
				if time.Since(last) < time.Second && p.Phase == lastStage && p.Percent < 100 {
					continue
				}
				last, lastStage = time.Now(), p.Phase
				fmt.Fprintln(w, progressLine(p))
			case jobs.Changed:
				if x.Job.ID == id && x.Job.State.Finished() {
					return x.Job, nil
				}
			case jobs.Removed:
				if x.ID == id {
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
	if p.Model != nil && p.Model.Total > 0 {
		fmt.Fprintf(&b, " %s %.0f%%", p.Model.File, 100*float64(p.Model.Done)/float64(p.Model.Total))
	}
	fmt.Fprintf(&b, " elapsed %s", p.Elapsed.Round(time.Second))
	if p.ETA > 0 {
		fmt.Fprintf(&b, " eta %s", p.ETA)
	}
	return b.String()
}

func report(env Env, j jobs.Job, out string) error {
	switch j.State {
	case jobs.Done:
	case jobs.Cancelled:
		return errors.New("cancelled")
	default:
		msg := j.Error
		for _, f := range j.Fields {
			if f.Field != "" && !strings.Contains(msg, f.Msg) {
				msg += "; " + f.Field + ": " + f.Msg
			}
		}
		return errors.New(msg)
	}
	video, side := j.Output, j.Sidecar
	if out != "" {
		var err error
		if video, side, err = place(j, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "saved %s\nsidecar %s\n", video, side)
	return nil
}

// place moves the finished video and its sidecar to --out, never over an
// existing file.
func place(j jobs.Job, out string) (string, string, error) {
	if filepath.Ext(out) == "" {
		out += ".mp4"
	}
	side := strings.TrimSuffix(out, filepath.Ext(out)) + ".json"
	for _, p := range []string{out, side} {
		if _, err := os.Stat(p); err == nil {
			return j.Output, j.Sidecar, fmt.Errorf("%s already exists; the video is at %s", p, j.Output)
		}
	}
	if err := moveFile(j.Output, out); err != nil {
		return j.Output, j.Sidecar, fmt.Errorf("place the video at %s: %w (it is at %s)", out, err, j.Output)
	}
	if err := moveFile(j.Sidecar, side); err != nil {
		return out, j.Sidecar, fmt.Errorf("place the sidecar at %s: %w", side, err)
	}
	return out, side, nil
}

func moveFile(from, to string) error {
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	// Another filesystem: copy to a temp name, then rename, then delete.
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), ".ltx-*.partial")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), to)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Remove(from)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

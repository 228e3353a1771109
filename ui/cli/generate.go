package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func init() {
	register(Command{Name: "generate", Summary: "make one video from the terminal (same engine as the window)", Run: runGenerate})
	register(Command{Name: "queue", Summary: "list or cancel jobs: queue list | queue cancel ID", Run: runQueue})
}

// genFlags are the generate command's options.
type genFlags struct {
	mode                                        modeFlag
	prompt, negative, preset, camera, precision string
	media                                       map[string]*string
	seed                                        seedFlag
	width, height, fps                          int
	seconds                                     float64
	out, backend, inputDir                      string
	enhance, noEnhance                          bool
	weights                                     string
}

func parseGenerate(args []string, env Env) (*genFlags, error) {
	g := &genFlags{media: map[string]*string{}}
	g.mode.m, _ = workflows.Lookup(workflows.T2V)
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: ltx-studio generate --mode NAME --prompt TEXT [media files] [flags]")
		fs.PrintDefaults()
	}
	fs.Var(&g.mode, "mode", "the mode's `name`, its id or the name the window shows: "+studio.ModeNames())
	fs.StringVar(&g.prompt, "prompt", "", "what the video shows (required)")
	fs.StringVar(&g.negative, "negative", workflows.DefaultNegative, "what to avoid")
	for _, fl := range mediaFlags() {
		g.media[fl.name] = fs.String(fl.name, "", fl.help)
	}
	fs.StringVar(&g.preset, "preset", string(workflows.Balanced), "fast, balanced or quality")
	fs.StringVar(&g.camera, "camera", string(workflows.CameraAuto), "camera motion (auto, none, static, dolly_in …)")
	fs.StringVar(&g.precision, "precision", string(workflows.FP8), "fp8 or bf16 weights")
	fs.Var(&g.seed, "seed", "a whole `number` 0 or more for a repeatable video, or "+randomSeed+" (the default)")
	fs.IntVar(&g.width, "width", 0, "width in pixels (0: the mode's own)")
	fs.IntVar(&g.height, "height", 0, "height in pixels")
	fs.IntVar(&g.fps, "fps", 0, "frames per second")
	fs.Float64Var(&g.seconds, "seconds", 0, "duration in seconds (style: the source video's, by default)")
	fs.BoolVar(&g.enhance, "enhance", false, "rewrite the prompt with Gemma before generating (default for t2v, i2v, a2v, lipsync)")
	fs.BoolVar(&g.noEnhance, "no-enhance", false, "use the prompt exactly as written")
	fs.StringVar(&g.weights, "weights", "", "LTX-2.3 release of the distilled files, 1.0 or 1.1 (default: the app's setting)")
	fs.StringVar(&g.out, "out", "", "also copy the video here (a .mp4 path; the sidecar goes beside it)")
	fs.StringVar(&g.backend, "backend", os.Getenv("LTX_STUDIO_COMFYUI_URL"), "use this ComfyUI instead of the app's own, e.g. http://127.0.0.1:8188 (or set LTX_STUDIO_COMFYUI_URL)")
	fs.StringVar(&g.inputDir, "input-dir", "", "that ComfyUI's input folder, if it is on this machine (else media are uploaded)")
	if err := parseFlags(fs, env, args); err != nil {
		return nil, err
	}
	return g, nil
}

// form turns the flags into a validated form. Each media file is checked by
// its content with the same rule the window applies (studio.AcceptMedia).
func (g *genFlags) form(ctx context.Context) (workflows.Form, error) {
	m := g.mode.m
	f := workflows.DefaultForm(m.ID)
	f.Prompt, f.Negative = g.prompt, g.negative
	f.Preset, f.Camera, f.Precision = workflows.Preset(g.preset), workflows.Camera(g.camera), workflows.Precision(g.precision)
	if g.seed.set {
		f.Seed, f.RandomSeed = g.seed.v, false
	}
	f.Weights = workflows.Weights(g.weights) // "" = the settings' choice, filled in once they are read
	switch {
	case g.enhance && g.noEnhance:
		return f, errors.New("--enhance and --no-enhance contradict each other; give one")
	case g.enhance:
		f.Enhance = true
	case g.noEnhance:
		f.Enhance = false
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
		if p == "" && s.Optional {
			continue
		}
		if p == "" {
			return f, fmt.Errorf("%s needs --%s (%s)", m.Label, flagFor(s), s.Label)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return f, err
		}
		if _, err := studio.AcceptMedia(ctx, s, abs); err != nil {
			return f, fmt.Errorf("--%s %s: %w", flagFor(s), p, err)
		}
		f.Media[s.ID] = abs
	}
	if err := g.fromSource(ctx, m, &f); err != nil {
		return f, err
	}
	if errs := f.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = "--" + strings.ReplaceAll(string(e.Field), "media.", "") + ": " + e.Msg
		}
		return f, errors.New(strings.Join(msgs, "; "))
	}
	return f, nil
}

// mediaFlag is one media flag and the slots it fills, in the registry's words.
type mediaFlag struct{ name, help string }

// mediaFlags derives the media flags and their help from the modes' slots:
// "--image: Start image (i2v), Portrait (lipsync), Style image (style)".
func mediaFlags() []mediaFlag {
	var out []mediaFlag
	at := map[string]int{}
	for _, m := range workflows.Modes() {
		for _, s := range m.Slots {
			name := flagFor(s)
			i, ok := at[name]
			if !ok {
				i, at[name] = len(out), len(out)
				out = append(out, mediaFlag{name: name, help: "the `file` for "})
			} else {
				out[i].help += ", "
			}
			out[i].help += fmt.Sprintf("%s (%s)", s.Label, m.ID)
		}
	}
	return out
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
	g, err := parseGenerate(args, env)
	if err != nil {
		return err
	}
	f, err := g.form(ctx)
	if err != nil {
		return err
	}
	// Checked now, not after minutes of generating.
	if err := checkOut(g.out); err != nil {
		return err
	}
	if g.backend != "" {
		// A server the user named: only the app's queue and output folder
		// are used (it has its own models; nothing is started here).
		addr := strings.TrimRight(g.backend, "/")
		fmt.Fprintf(env.Stdout, "checking the ComfyUI at %s…\n", shownHost(addr))
		if _, err := studio.CheckServer(ctx, addr, env.waits); err != nil {
			return err
		}
		s, err := openStudio(env, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		// It still holds the app's queue for the whole job: the window
		// waits for it rather than failing to open the queue.
		if err := s.Own(ctx); err != nil {
			return err
		}
		f = withSettingsWeights(f, s.Settings())
		return generateOn(ctx, env, jobs.Config{QueueDir: s.QueueDir(), OutputDir: s.OutputDir(),
			Backends: []jobs.Backend{{Name: "cli", URL: addr, InputDir: g.inputDir}}}, f, g.out)
	}
	// Only jobs submitted from now on are this run's; older pending ones
	// stay queued for the window. The queue is locked by this process
	// before Submit, so nobody else can add jobs in between.
	opened := time.Now()
	s, err := openStudio(env, func(o *studio.Options) {
		o.Claim = func(j jobs.Job) bool { return !j.Created.Before(opened) }
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Close(); err != nil {
			fmt.Fprintf(env.Stderr, "stopping ComfyUI: %v\n", err)
		}
	}()
	return generateWith(ctx, env, s, f, g.out)
}

// generateWith runs one job on the app's own ComfyUI, as the window would:
// same settings, model linking, automatic model downloads, queue and
// output folder. The caller closes s, which stops ComfyUI.
func generateWith(ctx context.Context, env Env, s *studio.Studio, f workflows.Form, out string) error {
	set := s.Settings()
	f = withSettingsWeights(f, set)
	if !s.Installed() {
		switch set.Backend {
		case settings.BackendManaged:
			return errors.New("ComfyUI is not installed yet: run `ltx-studio comfyui install` or open the app")
		case settings.BackendFolder:
			return fmt.Errorf("the app's settings (%s) name the ComfyUI folder %s, which is not a usable ComfyUI; pass --backend URL (or set LTX_STUDIO_COMFYUI_URL) to use a running ComfyUI",
				s.SettingsStore().Path(), set.FolderPath)
		default:
			return fmt.Errorf("the app's settings (%s) name no ComfyUI server; pass --backend URL (or set LTX_STUDIO_COMFYUI_URL)", s.SettingsStore().Path())
		}
	}
	// One process owns a data folder (its ComfyUI and queue): a window or
	// another generate that owns it is named, and nothing is started.
	if err := s.Own(ctx); err != nil {
		return err
	}
	if err := checkQueueFree(s.QueueDir()); err != nil {
		return err
	}
	if set.Backend != settings.BackendRemote {
		// A ComfyUI from `ltx-studio comfyui start` in another terminal: use
		// it rather than stop it (starting ours would).
		if pid, url, ok := comfyui.Running(ctx, s.Dirs()); ok {
			fmt.Fprintf(env.Stdout, "using the ComfyUI already running at %s (pid %d)\n", url, pid)
			return generateOn(ctx, env, jobs.Config{QueueDir: s.QueueDir(), OutputDir: s.OutputDir(),
				Backends: []jobs.Backend{{Name: "local", URL: url, InputDir: filepath.Join(comfyui.Root(s.Dirs(), set), "input")}},
				Models:   studioModels{s}}, f, out)
		}
	}
	fmt.Fprintln(env.Stdout, "starting ComfyUI…")
	if err := s.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return errors.New("cancelled")
		}
		return queueBusy(fmt.Errorf("starting ComfyUI: %w (see: ltx-studio comfyui logs)", err))
	}
	e := s.Jobs()
	if e == nil {
		return errors.New("the job queue did not start")
	}
	ch, stop := e.Subscribe()
	defer stop()
	job, err := e.Submit(f)
	if err != nil {
		return err
	}
	where := shownHost(s.Backend().URL())
	if pool := s.Pool(); len(pool) > 1 {
		// One ComfyUI per GPU (and remote servers): the first idle one with
		// room takes the job; "running on" names it.
		names := make([]string, len(pool))
		for i, m := range pool {
			names[i] = m.Name
		}
		where = strings.Join(names, ", ")
	}
	fmt.Fprintf(env.Stdout, "job %s: %s, seed %d, on ComfyUI at %s\n", shortID(job.ID), modeName(f.Mode), job.Form.Seed, where)
	final, err := follow(ctx, e, ch, job.ID, env, where)
	if err != nil {
		return err
	}
	return report(env, final, out)
}

// generateOn runs one job on a given ComfyUI with an engine of its own that
// runs only that job.
func generateOn(ctx context.Context, env Env, cfg jobs.Config, f workflows.Form, out string) error {
	var mine atomic.Value // the engine may look at jobs before Submit returns
	mine.Store("")
	cfg.Builder = jobs.WorkflowsBuilder{}
	cfg.AppVersion = studio.Version
	cfg.Face = face.Terminal
	cfg.DeadAfter = env.waits.Lost // zero: the engine's default
	cfg.Claim = func(j jobs.Job) bool { return j.ID == mine.Load().(string) }
	e, err := jobs.New(cfg)
	if err != nil {
		return queueBusy(err)
	}
	defer e.Close()
	ch, stop := e.Subscribe()
	defer stop()
	job, err := e.Submit(f)
	if err != nil {
		return err
	}
	mine.Store(job.ID)
	where := shownHost(cfg.Backends[0].URL)
	fmt.Fprintf(env.Stdout, "job %s: %s, seed %d, on ComfyUI at %s\n", shortID(job.ID), modeName(f.Mode), job.Form.Seed, where)
	// Run starts after Submit, so the claim above already names the job.
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { _ = e.Run(runCtx); close(done) }()
	defer func() { cancelRun(); <-done }()
	final, err := follow(ctx, e, ch, job.ID, env, where)
	if err != nil {
		return err
	}
	return report(env, final, out)
}

// studioModels lets a job on an already running ComfyUI fetch and link its
// missing model files through the app's model store.
type studioModels struct{ s *studio.Studio }

func (m studioModels) Ensure(ctx context.Context, refs []jobs.ModelRef, progress func(jobs.ModelProgress)) error {
	mr := make([]models.Ref, len(refs))
	for i, r := range refs {
		mr[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	return m.s.Download(ctx, mr, func(p models.Progress) {
		if progress != nil {
			progress(jobs.ModelProgress{File: p.File.String(), Done: p.AllDone, Total: p.AllTotal})
		}
	})
}

// follow prints progress until the job ends. Ctrl-C cancels the job in
// ComfyUI too, so nothing keeps running behind the user's back. A job the
// server does not take within the queue wait is cancelled with a message:
// the wait for a dead server's event socket would otherwise never end.
func follow(ctx context.Context, e *jobs.Engine, ch <-chan jobs.Event, id string, env Env, where string) (jobs.Job, error) {
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
		case ev := <-ch:
			switch x := ev.(type) {
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

func report(env Env, j jobs.Job, out string) error {
	switch j.State {
	case jobs.Done:
	case jobs.Cancelled:
		return errors.New("cancelled")
	default:
		msg := j.Error
		for _, f := range j.Fields {
			if f.Field != "" && !strings.Contains(msg, f.Msg) {
				msg += "; " + string(f.Field) + ": " + f.Msg
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
	if j.EnhancedPrompt != "" {
		fmt.Fprintf(env.Stdout, "enhanced prompt: %s\n", j.EnhancedPrompt)
	}
	fmt.Fprintf(env.Stdout, "saved %s (took %s)\nsidecar %s\n", video, j.Took().Round(time.Second), side)
	return nil
}

// outPaths is where --out puts the video and its sidecar.
func outPaths(out string) (video, side string) {
	if filepath.Ext(out) == "" {
		out += ".mp4"
	}
	return out, strings.TrimSuffix(out, filepath.Ext(out)) + ".json"
}

// checkOut refuses an --out that would overwrite a file or whose folder is missing.
func checkOut(out string) error {
	if out == "" {
		return nil
	}
	video, side := outPaths(out)
	for _, p := range []string{video, side} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("--out: %s already exists; choose another name or move it away", p)
		}
	}
	if st, err := os.Stat(filepath.Dir(video)); err != nil || !st.IsDir() {
		return fmt.Errorf("--out: the folder %s does not exist; create it first", filepath.Dir(video))
	}
	return nil
}

// place copies the finished video and its sidecar to --out, never over an
// existing file. The originals stay in the output folder, where the history
// (the window's and `ltx-studio history`) finds them.
func place(j jobs.Job, out string) (string, string, error) {
	out, side := outPaths(out)
	for _, p := range []string{out, side} {
		if _, err := os.Stat(p); err == nil {
			return j.Output, j.Sidecar, fmt.Errorf("%s already exists; the video is at %s", p, j.Output)
		}
	}
	if err := copyFile(j.Output, out); err != nil {
		return j.Output, j.Sidecar, fmt.Errorf("copy the video to %s: %w (it is at %s)", out, err, j.Output)
	}
	if err := copyFile(j.Sidecar, side); err != nil {
		return out, j.Sidecar, fmt.Errorf("copy the sidecar to %s: %w (it is at %s)", side, err, j.Sidecar)
	}
	return out, side, nil
}

// copyFile writes to a temporary name and renames it, so an interrupted copy
// never leaves a partial file under the final name.
func copyFile(from, to string) error {
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
	}
	return err
}

// shownHost names a server by host:port, never with a password from its address.
func shownHost(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "the given address"
}

// modeName is how the terminal names a mode: the window's label and the id
// that --mode takes, "Keyframes (keyframe)".
func modeName(id workflows.ModeID) string {
	if m, ok := workflows.Lookup(id); ok {
		return m.Label + " (" + string(id) + ")"
	}
	return string(id)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

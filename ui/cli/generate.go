package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
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
	anyway, noDownload                          bool
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
	fs.BoolVar(&g.anyway, "anyway", false, "queue the job even when it will probably not fit the GPU's memory")
	fs.BoolVar(&g.noDownload, "no-download", false, "refuse instead of downloading missing model files")
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
		f.Media[s.ID] = abs
	}
	// The studio's own media check, before anything is opened, started,
	// queued or downloaded (Generate repeats it).
	if err := studio.AcceptForm(ctx, f); err != nil {
		return f, cliWords(err)
	}
	if err := g.fromSource(ctx, m, &f); err != nil {
		return f, err
	}
	if errs := f.Validate(); len(errs) > 0 {
		return f, flagErrors(errs)
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

// flagFor is the flag that fills a media slot, from the mode registry
func flagFor(s workflows.MediaSlot) string { return s.Flag }

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
	// Only jobs submitted from now on are this run's; older pending ones
	// stay queued for the window. The queue is locked by this process
	// before Generate, so nobody else can add jobs in between.
	opened := time.Now()
	adjust := func(o *studio.Options) {
		o.Claim = func(j jobs.Job) bool { return !j.Created.Before(opened) }
		o.DeadAfter = env.waits.Lost // zero: the engine's default
	}
	if g.backend != "" {
		// A server the user named: only the app's queue and output folder
		// are used (it has its own models; nothing is started here).
		addr := strings.TrimRight(g.backend, "/")
		fmt.Fprintf(env.Stdout, "checking the ComfyUI at %s…\n", shownHost(addr))
		if _, err := studio.CheckServer(ctx, addr, env.waits); err != nil {
			return err
		}
		adjust = func(o *studio.Options) {
			o.Claim = func(j jobs.Job) bool { return !j.Created.Before(opened) }
			o.DeadAfter = env.waits.Lost
			o.Server = &studio.Server{Name: "cli", URL: addr, InputDir: g.inputDir}
		}
	}
	s, err := openStudio(env, adjust)
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Close(); err != nil {
			fmt.Fprintf(env.Stderr, "stopping ComfyUI: %v\n", err)
		}
	}()
	return generateWith(ctx, env, s, f, g)
}

// generateWith runs one job through the studio, as the window does: same
// settings, media, model and fit checks, queue and output folder. The
// caller closes s, which stops the ComfyUI it started.
func generateWith(ctx context.Context, env Env, s *studio.Studio, f workflows.Form, g *genFlags) error {
	set := s.Settings()
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
	if err := s.QueueFree(); err != nil {
		return queueBusy(err)
	}
	if g.backend == "" && set.Backend != settings.BackendRemote {
		// A ComfyUI from `ltx-studio comfyui start` in another terminal: use
		// it rather than stop it (starting ours would).
		if pid, url, ok := comfyui.Running(ctx, s.Dirs()); ok {
			fmt.Fprintf(env.Stdout, "using the ComfyUI already running at %s (pid %d)\n", url, pid)
			s.RunOn(studio.Server{Name: "local", URL: url, InputDir: filepath.Join(comfyui.Root(s.Dirs(), set), "input"), SharesModels: true})
		} else {
			fmt.Fprintln(env.Stdout, "starting ComfyUI…")
		}
	}
	if err := s.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return errors.New("cancelled")
		}
		if g.backend != "" {
			return queueBusy(err)
		}
		return queueBusy(fmt.Errorf("starting ComfyUI: %w (see: ltx-studio comfyui logs)", err))
	}
	ch, stop := s.Subscribe()
	defer stop()
	job, err := submit(ctx, env, s, f, g)
	if err != nil {
		return err
	}
	where := s.Where()
	fmt.Fprintf(env.Stdout, "job %s: %s, seed %d, on ComfyUI at %s\n", shortID(job.ID), modeName(f.Mode), job.Form.Seed, where)
	final, err := follow(ctx, s, ch, job.ID, env, where)
	if err != nil {
		return err
	}
	return report(env, final, g.out)
}

// submit asks the studio to queue the form and answers its refusals the
// terminal's way: missing model files are fetched by the job (said first,
// with the command that fetches them ahead) unless --no-download; a job
// that will be slow goes ahead with a warning; one that will not fit needs
// --anyway.
func submit(ctx context.Context, env Env, s *studio.Studio, f workflows.Form, g *genFlags) (jobs.Job, error) {
	opt := studio.GenerateOptions{AnyFit: g.anyway}
	for {
		job, err := s.Generate(ctx, f, opt)
		var missing *studio.MissingModelsError
		var fit *studio.FitError
		switch {
		case errors.As(err, &missing):
			pull := "ltx-studio models pull --mode " + string(f.Mode)
			if g.noDownload {
				return job, fmt.Errorf("%w; download them with: %s", err, pull)
			}
			fmt.Fprintf(env.Stdout, "%s; the job downloads them first (`%s` fetches them ahead)\n", missing.Error(), pull)
			opt.FetchModels = true
		case errors.As(err, &fit) && fit.Fit.Verdict == studio.Warn:
			fmt.Fprintln(env.Stdout, "warning: "+fit.Fit.Advice)
			opt.AnyFit = true
		case errors.As(err, &fit):
			return job, fmt.Errorf("%w\nTo try anyway, pass --anyway", err)
		case err != nil:
			return job, cliWords(err)
		default:
			return job, nil
		}
	}
}

// cliWords names the form's fields as the flags that set them.
func cliWords(err error) error {
	var fe *studio.FormError
	if errors.As(err, &fe) {
		return flagErrors(fe.Fields)
	}
	var me *studio.MediaError
	if errors.As(err, &me) {
		return fmt.Errorf("--%s %s: %w", flagFor(me.Slot), me.Path, me.Err)
	}
	if errors.Is(err, studio.ErrNotRunning) {
		return errors.New("the job queue did not start")
	}
	return err
}

// flagErrors words field errors with the flags' names.
func flagErrors(errs []workflows.FieldError) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "--" + strings.ReplaceAll(string(e.Field), "media.", "") + ": " + e.Msg
	}
	return errors.New(strings.Join(msgs, "; "))
}

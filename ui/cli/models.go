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

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/models/link"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func init() {
	register(Command{Name: "models", Summary: "model files: status | pull | verify | repair | update | link", Run: runModels})
}

const modelsUsage = `usage: ltx-studio models <status|pull|verify|repair|update|link> [flags]
  status   which files the chosen modes need, what is missing, free disk space
  pull     download what is missing (resumable; Ctrl-C pauses) and link it into ComfyUI
  verify   read every downloaded file and check its sha256 (changes nothing)
  repair   verify, then delete and download again what is damaged
  update   move the lock file's pins to the hub's current commits (downloads nothing)
  link     link already-downloaded files into ComfyUI
flags:`

// fileList collects repeated --file folder/name flags.
type fileList []models.Ref

func (f *fileList) String() string { return fmt.Sprint(*f) }
func (f *fileList) Set(v string) error {
	folder, name, ok := strings.Cut(v, "/")
	if !ok || folder == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("want folder/name, e.g. loras/x.safetensors, got %q", v)
	}
	*f = append(*f, models.Ref{Folder: folder, Name: name})
	return nil
}

type modelsFlags struct {
	mode, preset, precision, comfyui, lock string
	weights                                string // "" = the app's setting
	all                                    bool
	files                                  fileList
}

func runModels(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(env.Stdout, modelsUsage)
		newModelsFlagSet(env.Stdout, &modelsFlags{}).PrintDefaults()
		return nil
	}
	sub := args[0]
	var mf modelsFlags
	fs := newModelsFlagSet(env.Stderr, &mf)
	if err := parseFlags(fs, env, args[1:]); err != nil {
		return err
	}
	if mf.weights == "" { // the files the window and generate would use
		if s, err := openStudio(env, nil); err == nil {
			mf.weights = string(s.Settings().ModelWeights())
			s.Close()
		}
	}
	refs, scope, err := modelRefs(mf)
	if err != nil {
		return err
	}
	st, offline, err := modelStore(env, mf, false)
	if err != nil {
		return err
	}
	// The hub is asked first, once, so an unreachable one is one sentence
	// rather than a raw network error under every file; the cache is then
	// looked at alone.
	var hubDown error
	if !offline && (sub == "status" || sub == "pull" || sub == "update") {
		if hubDown = studio.CheckHub(ctx, hfcache.FromEnv(os.Getenv).Endpoint, env.waits); hubDown != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if sub == "update" {
				return fmt.Errorf("%v; the pins were not changed", hubDown)
			}
			if st, _, err = modelStore(env, mf, true); err != nil {
				return err
			}
		}
	}
	if sub == "pull" || sub == "link" {
		if lk := st.Linker(); lk != nil {
			fmt.Fprintf(env.Stdout, "Linking into %s\n", lk.ModelsDir)
		} else {
			fmt.Fprintln(env.Stdout, "ComfyUI is not installed yet: files are only downloaded; they are linked when it is (ltx-studio comfyui install), or pass --comfyui DIR")
		}
	}
	switch sub {
	case "status":
		if err := modelsStatus(ctx, env.Stdout, st, refs, scope, hubDown != nil); err != nil || hubDown == nil {
			return err
		}
		return fmt.Errorf("%v. The sizes of the missing files are unknown; run this again when online, or set HF_HUB_OFFLINE=1 to look at the cache alone", hubDown)
	case "pull":
		if hubDown != nil {
			if plan, err := st.Plan(ctx, refs); err != nil || !plan.Complete() {
				return fmt.Errorf("nothing can be downloaded: %v", hubDown)
			}
		}
		return modelsPull(ctx, env.Stdout, st, refs, scope)
	case "verify", "repair":
		return modelsVerify(ctx, env.Stdout, st, refs, scope, sub == "repair")
	case "update":
		changed, err := st.UpdateLocks(ctx, refs)
		for _, r := range changed {
			fmt.Fprintf(env.Stdout, "new version pinned: %s\n", r)
		}
		if len(changed) == 0 && err == nil {
			fmt.Fprintln(env.Stdout, "all pins are current")
		}
		return err
	case "link":
		rep, err := st.Link(refs)
		printModelLinks(env.Stdout, rep.Results, rep.YAMLPath)
		return err
	default:
		return fmt.Errorf("unknown models command %q (status, pull, verify, repair, update, link)", sub)
	}
}

func newModelsFlagSet(out io.Writer, mf *modelsFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("models", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&mf.mode, "mode", "", "one mode, by id or by the name the window shows ("+studio.ModeNames()+"); default: all six")
	fs.StringVar(&mf.preset, "preset", string(workflows.Balanced), "preset: fast, balanced, quality")
	fs.StringVar(&mf.precision, "precision", string(workflows.FP8), "weights: fp8 or bf16")
	fs.StringVar(&mf.weights, "weights", "", "LTX-2.3 release of the distilled files, 1.0 or 1.1 (default: the app's setting)")
	fs.BoolVar(&mf.all, "all", false, "every file of the registry, whatever the modes use")
	fs.Var(&mf.files, "file", "a single file as folder/name (repeatable)")
	fs.StringVar(&mf.comfyui, "comfyui", os.Getenv("LTX_COMFYUI_BASE"), "ComfyUI base folder to link into (env LTX_COMFYUI_BASE); default: the app's ComfyUI")
	fs.StringVar(&mf.lock, "lock", "", "lock file pinning each file's commit and sha256; default: the app's")
	return fs
}

// modelStore is the app's own model store (the cache, token and offline
// choice from Settings, linking into the app's ComfyUI) unless --comfyui or
// --lock point elsewhere. forceOffline keeps it off the network; offline
// says whether the user's own settings (HF_HUB_OFFLINE, Settings) already do.
func modelStore(env Env, mf modelsFlags, forceOffline bool) (st *models.Store, offline bool, err error) {
	s, err := openStudio(env, func(o *studio.Options) { o.Offline = forceOffline })
	if err != nil {
		return nil, false, err
	}
	defer s.Close() // nothing was started; this only keeps the pairing obvious
	henv := hfcache.FromEnv(os.Getenv)
	offline = henv.Offline || s.Settings().Offline
	if mf.comfyui == "" && mf.lock == "" {
		st, err = s.Models()
		return st, offline, err
	}
	if mf.lock == "" {
		mf.lock = filepath.Join(s.Dirs().Data, "models.lock.json")
	}
	henv.Offline = henv.Offline || forceOffline
	return models.New(models.Options{Env: henv, LockPath: mf.lock, ComfyUI: mf.comfyui}), offline, nil
}

// modelRefs turns the flags into the files to look at, and says in words
// what was chosen.
func modelRefs(mf modelsFlags) ([]models.Ref, string, error) {
	if mf.all {
		return models.LTX23().Refs(), "every registry file", nil
	}
	if len(mf.files) > 0 && mf.mode == "" {
		return mf.files, fmt.Sprintf("%d file(s)", len(mf.files)), nil
	}
	var modes []workflows.ModeID
	if mf.mode != "" {
		m, err := studio.ParseMode(mf.mode)
		if err != nil {
			return nil, "", err
		}
		modes = []workflows.ModeID{m.ID}
		mf.mode = string(m.ID)
	} else {
		for _, m := range workflows.Modes() {
			modes = append(modes, m.ID)
		}
	}
	seen := map[models.Ref]bool{}
	var refs []models.Ref
	for _, r := range mf.files { // --mode plus --file: both
		seen[r] = true
		refs = append(refs, r)
	}
	for _, id := range modes {
		rs, err := requiredFor(id, workflows.Preset(mf.preset), workflows.Precision(mf.precision), workflows.Weights(mf.weights))
		if err != nil {
			return nil, "", err
		}
		for _, r := range rs {
			if !seen[r] {
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	release := workflows.Weights(mf.weights)
	if release == "" {
		release = workflows.Weights10
	}
	scope := fmt.Sprintf("mode %s, preset %s, %s, LTX-2.3 %s", mf.mode, mf.preset, mf.precision, release)
	if mf.mode == "" {
		scope = fmt.Sprintf("all modes, preset %s, %s, LTX-2.3 %s", mf.preset, mf.precision, release)
	}
	return refs, scope, nil
}

// requiredFor builds the mode's graph from a default form (placeholder prompt
// and media names: only the loaders matter) and walks it for model files.
func requiredFor(id workflows.ModeID, preset workflows.Preset, prec workflows.Precision, w ...workflows.Weights) ([]models.Ref, error) {
	f := workflows.DefaultForm(id)
	if len(w) > 0 {
		f.Weights = w[0]
	}
	f.Prompt = "model check"
	f.Preset = preset
	f.Precision = prec
	f.Camera = workflows.CameraNone
	m, _ := workflows.Lookup(id)
	for _, s := range m.Slots {
		ext := map[workflows.MediaKind]string{workflows.MediaImage: ".png", workflows.MediaAudio: ".wav", workflows.MediaVideo: ".mp4"}[s.Kind]
		f.Media[s.ID] = "placeholder" + ext
	}
	p, err := workflows.Build(f, workflows.BuildOptions{})
	if err != nil {
		return nil, fmt.Errorf("build the %s graph: %w", id, err)
	}
	wr, err := workflows.RequiredModels(p.JSON)
	if err != nil {
		return nil, err
	}
	out := make([]models.Ref, len(wr))
	for i, r := range wr {
		out[i] = models.Ref{Folder: r.Folder, Name: r.Name}
	}
	return out, nil
}

// modelsStatus prints the plan. hubDown leaves out the per-file "offline"
// notes: the one reason, that the hub cannot be reached, is said once.
func modelsStatus(ctx context.Context, w io.Writer, st *models.Store, refs []models.Ref, scope string, hubDown bool) error {
	plan, err := st.Plan(ctx, refs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Models for %s (cache %s%s):\n", scope, plan.CacheDir, map[bool]string{true: ", offline"}[plan.Offline && !hubDown])
	for _, f := range plan.Files {
		state := "present"
		if !f.Present {
			state = "MISSING (size unknown)"
			if f.Size >= 0 {
				state = "MISSING " + download.HumanBytes(f.Missing)
			}
		}
		fmt.Fprintf(w, "  %-60s %s\n", f.Folder+"/"+f.Name, state)
		if f.Problem != "" && !hubDown {
			fmt.Fprintf(w, "      ! %s\n", f.Problem)
		}
	}
	fmt.Fprintf(w, "Missing: %s", download.HumanBytes(plan.MissingBytes))
	if plan.UnknownSizes > 0 {
		fmt.Fprintf(w, " + %d file(s) of unknown size", plan.UnknownSizes)
	}
	fmt.Fprintf(w, "; free on disk: %s", download.HumanBytes(int64(plan.FreeBytes)))
	if !plan.Fits() {
		fmt.Fprint(w, " — NOT ENOUGH SPACE")
	}
	fmt.Fprintln(w)
	return nil
}

func modelsPull(ctx context.Context, w io.Writer, st *models.Store, refs []models.Ref, scope string) error {
	fmt.Fprintf(w, "Fetching models for %s\n", scope)
	var last time.Time
	var barShown bool
	err := st.Ensure(ctx, refs, func(p models.Progress) {
		switch p.Phase {
		case models.PhaseDownloading, models.PhaseVerifying:
			if time.Since(last) < 200*time.Millisecond {
				return
			}
			last = time.Now()
			fmt.Fprintf(w, "\r%s", modelsProgressLine(p))
			barShown = true
		case models.PhaseDone:
			if barShown {
				fmt.Fprintln(w)
				barShown = false
			}
			fmt.Fprintf(w, "✓ %s (%s)\n", p.File, download.HumanBytes(p.Total))
		case models.PhaseFailed:
			if barShown {
				fmt.Fprintln(w)
				barShown = false
			}
			fmt.Fprintf(w, "✗ %s: %v\n", p.File, p.Err)
		case models.PhaseLinked:
			printModelLinks(w, p.Link.Results, p.Link.YAMLPath)
		}
	})
	if barShown {
		fmt.Fprintln(w)
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "Paused. Run the same command again to resume where it stopped.")
	}
	return err
}

func modelsProgressLine(p models.Progress) string {
	const width = 30
	frac := 0.0
	if p.AllTotal > 0 {
		frac = float64(p.AllDone) / float64(p.AllTotal)
	}
	n := min(int(frac*width), width)
	bar := strings.Repeat("#", n) + strings.Repeat(".", width-n)
	eta := "--:--"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	verb := ""
	if p.Phase == models.PhaseVerifying {
		verb = " verifying"
	}
	return fmt.Sprintf("[%s] %3.0f%% %s/%s %s/s ETA %s %s%s   ", bar, frac*100,
		download.HumanBytes(p.AllDone), download.HumanBytes(p.AllTotal), download.HumanBytes(int64(p.Rate)), eta, p.File.Name, verb)
}

func printModelLinks(w io.Writer, results []link.Result, yamlPath string) {
	for _, r := range results {
		fmt.Fprintf(w, "  %-13s %-17s %s\n", r.Action, r.Method, r.Path)
	}
	if yamlPath != "" {
		fmt.Fprintf(w, "ComfyUI must be started with --extra-model-paths-config %s\n", yamlPath)
	}
}

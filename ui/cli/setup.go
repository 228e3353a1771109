package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func init() {
	register(Command{Name: "setup", Summary: "first-run setup: install ComfyUI and get the models at the same time", Run: runSetup})
}

const setupUsage = `usage: ltx-studio setup [--mode t2v,i2v] [--precision fp8|bf16] [--move-found] [--plan]
Installs the app's ComfyUI (venv, PyTorch) while it gets the chosen modes' model files,
so the first run takes about as long as the longer of the two. Files you already have
(another ComfyUI, ComfyUI Desktop, Stability Matrix, extra_model_paths.yaml folders,
LTX_COMFYUI_DIRS) are checked against the hub's sha256 and reused without a copy.
Ctrl-C stops; the same command resumes both where they stopped.
flags:`

type setupFlags struct {
	modes, precision string
	moveFound, plan  bool
}

func newSetupFlagSet(out io.Writer, sf *setupFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&sf.modes, "mode", "", "modes, comma-separated ("+studio.ModeNames()+"); default: the saved choice, else t2v,i2v")
	fs.StringVar(&sf.precision, "precision", "", "weights: fp8 or bf16; default: the saved choice")
	fs.BoolVar(&sf.moveFound, "move-found", false, "move files found on another drive into the model cache (a link is left behind) instead of linking to them")
	fs.BoolVar(&sf.plan, "plan", false, "only show what would be downloaded, found on disk or already cached")
	return fs
}

func runSetup(ctx context.Context, env Env, args []string) error {
	var sf setupFlags
	fs := newSetupFlagSet(env.Stderr, &sf)
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "help" {
			fmt.Fprintln(env.Stdout, setupUsage)
			newSetupFlagSet(env.Stdout, &setupFlags{}).PrintDefaults()
			return nil
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := openStudio(env, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	choice, err := setupChoice(sf, s)
	if err != nil {
		return err
	}
	sv, err := s.SurveyModels(ctx)
	if err != nil {
		return err
	}
	printSurvey(env.Stdout, sv, choice)
	if sf.plan {
		return nil
	}
	res := s.FirstRun(ctx, choice, setupPrinter(env.Stdout))
	if err := res.Err(); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(env.Stdout, "Stopped. Run the same command again to resume both where they stopped.")
		}
		return err
	}
	fmt.Fprintln(env.Stdout, "Ready: ComfyUI is installed and the models are in place. Try: ltx-studio generate --prompt \"…\"")
	return nil
}

// setupChoice reads the flags, falling back to the saved choice.
func setupChoice(sf setupFlags, s *studio.Studio) (studio.SetupChoice, error) {
	set := s.Settings()
	c := studio.SetupChoice{Precision: set.Precision, AllowMove: sf.moveFound}
	names := set.Modes
	if sf.modes != "" {
		names = nil
		for _, n := range strings.Split(sf.modes, ",") {
			names = append(names, workflows.ModeID(strings.TrimSpace(n)))
		}
	}
	if len(names) == 0 {
		names = []workflows.ModeID{workflows.T2V, workflows.I2V}
	}
	for _, id := range names {
		if _, ok := workflows.Lookup(id); !ok {
			return c, fmt.Errorf("unknown mode %q (%s)", id, studio.ModeNames())
		}
		c.Modes = append(c.Modes, id)
	}
	if sf.precision != "" {
		c.Precision = workflows.Precision(sf.precision)
	}
	if c.Precision != workflows.FP8 && c.Precision != workflows.BF16 {
		return c, fmt.Errorf("precision must be fp8 or bf16, not %q", c.Precision)
	}
	return c, nil
}

func printSurvey(w io.Writer, sv studio.Survey, c studio.SetupChoice) {
	files, total := sv.For(c.Modes, c.Precision)
	for _, f := range files {
		line := fmt.Sprintf("  %-19s %-60s %10s", f.State, f.Ref, download.HumanBytes(max(f.Size, 0)))
		if f.FoundAt != "" {
			line += fmt.Sprintf("  ← %s (%s)", f.FoundAt, f.From)
		}
		if f.Problem != "" {
			line += "  (" + f.Problem + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "Download %s · %s free\n", download.HumanBytes(total), download.HumanBytes(int64(sv.FreeBytes)))
}

// setupPrinter prints both tracks as they go, one line per event of
// note; byte progress is thinned to one line per second per track.
func setupPrinter(w io.Writer) studio.SetupReport {
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", a...)
	}
	var lastModels time.Time
	return studio.SetupReport{
		Install: func(ev install.Event) {
			switch ev.Kind {
			case install.StepStarted:
				say("[comfyui] %d/%d %s…", ev.Index, ev.Total, ev.Title)
			case install.StepSkipped:
				say("[comfyui] %d/%d %s: already done", ev.Index, ev.Total, ev.Title)
			case install.Failed:
				say("[comfyui] ✗ %s", ev.Message)
			case install.Finished:
				say("[comfyui] %s", ev.Message)
			}
		},
		InstallDone: func(err error) {
			if err == nil {
				say("[comfyui] ✓ installed")
			}
		},
		Adopt: func(e studio.AdoptEvent) {
			switch {
			case e.Err != nil:
				say("[found]   ✗ %s: %v", e.Path, e.Err)
			case e.Method != "":
				say("[found]   ✓ %s reused (%s), not downloaded", e.Ref, e.Method)
			}
		},
		Models: func(p models.Progress) {
			switch p.Phase {
			case models.PhaseDone:
				say("[models]  ✓ %s (%s)", p.File, download.HumanBytes(p.Total))
			case models.PhaseFailed:
				say("[models]  ✗ %s: %v", p.File, p.Err)
			case models.PhaseDownloading:
				mu.Lock()
				due := time.Since(lastModels) >= time.Second
				if due {
					lastModels = time.Now()
				}
				mu.Unlock()
				if due {
					say("[models]  %s", strings.TrimSpace(modelsProgressLine(p)))
				}
			}
		},
		ModelsDone: func(err error) {
			if err == nil {
				say("[models]  ✓ all model files are in place")
			}
		},
	}
}

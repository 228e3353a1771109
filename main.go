// Command ltx-studio is LTX 2.3 Studio: with no arguments it opens the
// window; with a subcommand (see `ltx-studio help`) it runs in the terminal.
// main only wires: every piece of logic lives in ui, engine, workflows, models.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/cli"
	"github.com/ltxstudio/ltx-studio/ui/session"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// appID must match FyneApp.toml: preferences and the .desktop file use it.
const appID = "io.github.ltxstudio.studio"

func main() { os.Exit(run(os.Args[1:])) }

// start is when main began; the start-up log line measures from it.
var start = time.Now()

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	if len(args) > 0 && cli.IsCommand(args[0]) {
		return cli.Run(ctx, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}, args)
	}

	a := app.NewWithID(appID)
	a.Settings().SetTheme(topaz.Theme{})
	a.SetIcon(topaz.AppIcon())
	w := a.NewWindow("LTX 2.3 Studio")
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()

	st, err := studio.Open(studio.Options{Log: log})
	if err != nil {
		log.Error("LTX 2.3 Studio cannot start", "err", err)
		return 1
	}
	// The shell and the session need each other: the shell's Generate goes
	// to the session, which in turn drives the shell's panels.
	var sess *session.Session
	samples := session.NewSampleTap(gpu.New(log))
	shell := ui.New(ctx, w, ui.Deps{
		Sampler:    samples,
		Probe:      ui.ProbeWith(media.Probe),
		OnGenerate: func(f workflows.Form) { sess.Generate(f) },
		Log:        log,
	})
	sess = session.New(ctx, st, session.Options{App: a, Win: w, Shell: shell, Log: log, Samples: samples})

	// Closing the window (or Ctrl+C in the terminal) stops ComfyUI's whole
	// process tree before the app exits: no Python is left behind.
	var quitting sync.Once
	quit := func() {
		quitting.Do(func() {
			shell.SetBackendStatus("Stopping ComfyUI…", false)
			sess.Shutdown()
			go func() {
				if err := st.Close(); err != nil {
					log.Warn("stopping ComfyUI", "err", err)
				}
				fyne.Do(a.Quit)
			}()
		})
	}
	w.SetCloseIntercept(quit)
	go func() {
		<-ctx.Done()
		fyne.Do(quit)
	}()
	a.Lifecycle().SetOnStarted(func() {
		log.Info("window started", "since_start", time.Since(start).Round(time.Millisecond))
		sess.Begin()
	})
	w.ShowAndRun()
	_ = st.Close() // idempotent safety net if the loop ended another way
	return 0
}

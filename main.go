// Command ltx-studio is LTX 2.3 Studio: with no arguments it opens the
// window; with a subcommand (see `ltx-studio help`) it runs in the terminal.
// main only wires: every piece of logic lives in ui, engine, workflows, models.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/cli"
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

	ui.New(ctx, w, ui.Deps{
		Sampler: gpu.New(log),
		Probe:   ui.ProbeWith(media.Probe),
		// TODO(lead): hand the form to the job queue (engine/jobs).
		OnGenerate: func(f workflows.Form) {
			log.Info("generate requested", "mode", f.Mode, "frames", workflows.Frames(f.Seconds, f.FPS))
		},
		Log: log,
	})

	// Ctrl+C in the terminal closes the window like the close button does.
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	a.Lifecycle().SetOnStarted(func() {
		log.Info("window started", "since_start", time.Since(start).Round(time.Millisecond))
	})
	w.ShowAndRun()
	return 0
}

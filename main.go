// Command ltx-studio is LTX 2.3 Studio: with no arguments it opens the
// window; with a subcommand (see `ltx-studio help`) it runs in the terminal.
// main only wires: every piece of logic lives in ui, engine, workflows, models.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/cli"
	"github.com/ltxstudio/ltx-studio/ui/lifecycle"
	"github.com/ltxstudio/ltx-studio/ui/session"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// appID must match FyneApp.toml: preferences and the .desktop file use it.
const appID = "io.github.ltxstudio.studio"

// fyneApp is FyneApp.toml, the one place the version lives (`fyne package`
// stamps it); --version prints it.
//
//go:embed FyneApp.toml
var fyneApp []byte

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// start is when main began; the start-up log line measures from it.
var start = time.Now()

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		return terminal(args, stdout, stderr)
	}
	if why := lifecycle.NoDisplay(os.Getenv); why != "" {
		fmt.Fprintf(stderr, "ltx-studio: %s, so the window cannot open.\n"+
			"Start it from a desktop session, or use the terminal commands:\n\n", why)
		cli.Run(context.Background(), cli.Env{Stdout: stderr, Stderr: stderr}, []string{"help"})
		return 1
	}
	return window(stderr)
}

// terminal runs a subcommand, --version, or says the command is unknown
// (exit 2, usage) rather than opening the window.
func terminal(args []string, stdout, stderr io.Writer) int {
	switch args[0] {
	case "--version", "-version", "version":
		m, err := lifecycle.ParseAppMetadata(fyneApp)
		if err != nil {
			fmt.Fprintln(stderr, "ltx-studio:", err)
			return 1
		}
		fmt.Fprint(stdout, lifecycle.VersionText(m, install.ComfyUICommit))
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// cli.Run answers an unknown command with usage and exit status 2.
	return cli.Run(ctx, cli.Env{Stdout: stdout, Stderr: stderr}, args)
}

func window(stderr io.Writer) (code int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A display that answers the check but that GLFW still cannot use
	// (no GLX, a server going away) panics inside Fyne: say it in a
	// sentence instead of a C trace, and leave no ComfyUI behind.
	stopBackend := func() {}
	defer func() {
		if r := recover(); r != nil {
			stopBackend()
			fmt.Fprintf(stderr, "ltx-studio: the window could not open on display %q (%v).\n"+
				"The terminal commands work without one: ltx-studio help\n", os.Getenv("DISPLAY"), r)
			code = 1
		}
	}()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	lifecycle.WarmFonts()
	if err := lifecycle.PrepareFyneDirs(); err != nil {
		log.Warn("preparing Fyne's folders", "err", err)
	}
	lifecycle.AvoidBusAutolaunch(os.Getenv, os.Setenv)

	// phases times the start-up steps for the "window started" line, so a
	// slow start can be pinned on one of them.
	phases := []any{}
	lap := time.Now()
	phase := func(name string) {
		phases = append(phases, name, time.Since(lap).Round(time.Millisecond))
		lap = time.Now()
	}
	a := app.NewWithID(appID)
	a.Settings().SetTheme(topaz.Theme{})
	a.SetIcon(topaz.AppIcon())
	phase("app")
	w := a.NewWindow("LTX 2.3 Studio")
	w.Resize(fyne.NewSize(1280, 800))
	w.SetMaster()
	phase("window")

	st, err := studio.Open(studio.Options{Log: log})
	if err != nil {
		log.Error("LTX 2.3 Studio cannot start", "err", err)
		return 1
	}
	phase("engine")
	// Closing the window, Ctrl+Q and SIGTERM/SIGINT all take this one path:
	// it stops ComfyUI's whole process tree (no Python is left behind) and
	// ends the process within a deadline even if Fyne's loop does not.
	var (
		sess  *session.Session
		shell *ui.Shell
	)
	q := &lifecycle.Quitter{
		// A UI call that races the loop's end runs off the main thread and
		// GLFW panics: it is only a goodbye, so it is dropped, not fatal.
		OnUI: func(f func()) {
			fyne.Do(func() {
				defer func() {
					if r := recover(); r != nil {
						log.Warn("the window was already gone while quitting", "panic", r)
					}
				}()
				f()
			})
		},
		Leave: func() {
			shell.SetBackendStatus("Stopping ComfyUI…", false)
			sess.Shutdown()
		},
		Stop: st.Close,
		Quit: a.Quit,
		Exit: os.Exit,
		Log:  log,
	}
	stopBackend = func() { _ = q.StopBackend() }
	// The shell and the session need each other: the shell's Generate goes
	// to the session, which in turn drives the shell's panels.
	samples := session.NewSampleTap(gpu.New(log))
	shell = ui.New(ctx, w, ui.Deps{
		Sampler:    samples,
		Probe:      ui.ProbeWith(media.Probe),
		OnGenerate: func(f workflows.Form) { sess.Generate(f) },
		OnQuit:     func() { q.Begin("Ctrl+Q") },
		Log:        log,
	})
	sess = session.New(ctx, st, session.Options{App: a, Win: w, Shell: shell, Log: log, Samples: samples})
	phase("content")
	w.SetCloseIntercept(func() { q.Begin("window closed") })
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-signals
		q.Signal(s.String())
		s = <-signals // a second Ctrl+C: no more waiting
		q.Now("second " + s.String())
	}()
	a.Lifecycle().SetOnStarted(func() {
		phase("show")
		log.Info("window started", append([]any{"since_start", time.Since(start).Round(time.Millisecond)}, phases...)...)
		sess.Begin()
	})
	hookTestDriver(a, w, log)
	w.ShowAndRun()
	q.LoopEnded()
	// The loop also ends without our quit path (SIGTERM, which Fyne handles
	// itself; the desktop logging out): close the player's ffmpeg and
	// ffplay, and stop ComfyUI (this waits for a stop already under way).
	func() {
		defer func() { _ = recover() }() // the widgets' GL side is gone; the processes are what matter
		sess.Shutdown()
	}()
	_ = q.StopBackend()
	return 0
}

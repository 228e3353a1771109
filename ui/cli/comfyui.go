package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

func init() {
	register(Command{
		Name:    "comfyui",
		Summary: "install, repair, start, stop and inspect the bundled ComfyUI (install|repair|status|start|stop|logs|rollback)",
		Run:     runComfyUI,
	})
}

const comfyUsage = `usage: ltx-studio comfyui <install|repair|status|start|stop|logs|rollback> [flags]
  install [-v]      install ComfyUI at the pinned commit (resumes an interrupted install)
  repair [-v]       check the install (files at the pinned commit, Python, packages, start-up
                    test) and redo exactly the steps that fail
  status            show the installed builds and whether ComfyUI runs
  start             run ComfyUI in the foreground until Ctrl-C
  stop              stop a ComfyUI started by the app or by "start"
  logs [-n N]       print the last N lines of the ComfyUI log (default 100)
  rollback          go back to the previous install
Mirrors and offline wheels: LTX_COMFYUI_GIT_URL, LTX_PACK_<NAME>_GIT_URL, LTX_PIP_INDEX_URL,
LTX_PIP_FIND_LINKS, LTX_PIP_NO_INDEX=1, LTX_TORCH_INDEX_URL.`

func runComfyUI(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, comfyUsage)
		return errors.New("missing subcommand")
	}
	if isHelp(args[0]) {
		fmt.Fprintln(env.Stdout, comfyUsage)
		return flag.ErrHelp
	}
	// The same engine the window opens: its settings, folders and ComfyUI.
	s, err := openStudio(env, nil)
	if err != nil {
		return err
	}
	dirs := s.Dirs()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	sub, rest := args[0], args[1:]
	switch sub {
	case "install", "repair":
		fs := flag.NewFlagSet("comfyui "+sub, flag.ContinueOnError)
		verbose := fs.Bool("v", false, "show the output of every step")
		if err := parseFlags(fs, env, rest); err != nil {
			return err
		}
		run := s.Install
		if sub == "repair" {
			run = s.Repair
		}
		return cliInstall(ctx, env.Stdout, run, *verbose)
	case "status":
		return cliStatus(ctx, env.Stdout, dirs, s, env.waits)
	case "start":
		return cliStart(ctx, env.Stdout, s.ComfyUI())
	case "stop":
		stopped, err := comfyui.StopDetached(ctx, dirs)
		if err != nil {
			return err
		}
		if stopped {
			fmt.Fprintln(env.Stdout, "ComfyUI stopped.")
		} else {
			fmt.Fprintln(env.Stdout, "ComfyUI was not running.")
		}
		return nil
	case "logs":
		fs := flag.NewFlagSet("comfyui logs", flag.ContinueOnError)
		n := countFlag(100)
		fs.Var(&n, "n", "number of lines (0: all)")
		if err := parseFlags(fs, env, rest); err != nil {
			return err
		}
		return cliLogs(env.Stdout, comfyui.LogPath(dirs), int(n))
	case "rollback":
		if _, _, running := comfyui.Running(ctx, dirs); running {
			return errors.New("ComfyUI is running; stop it first (ltx-studio comfyui stop)")
		}
		build, err := s.RollBack()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Now using install %s (ComfyUI %s).\n", build.ID, short(build.ComfyCommit))
		return nil
	}
	fmt.Fprintln(env.Stderr, comfyUsage)
	return fmt.Errorf("unknown subcommand %q", sub)
}

func short(c string) string {
	if len(c) > 10 {
		return c[:10]
	}
	return c
}

// cliInstall runs the studio's Install or Repair, printing its steps.
func cliInstall(ctx context.Context, w io.Writer, run func(context.Context, chan<- install.Event) error, verbose bool) error {
	events := make(chan install.Event, 64)
	done := make(chan error, 1)
	go func() { done <- run(ctx, events); close(events) }()
	for e := range events {
		switch e.Kind {
		case install.StepStarted:
			if e.Message != "" && e.Message != e.Title { // a repair says what it mends
				fmt.Fprintf(w, "[%d/%d] %s… (%s)\n", e.Index, e.Total, e.Title, e.Message)
				continue
			}
			fmt.Fprintf(w, "[%d/%d] %s…\n", e.Index, e.Total, e.Title)
		case install.StepSkipped:
			if what, ok := strings.CutPrefix(e.Message, install.CheckedPrefix); ok {
				fmt.Fprintf(w, "[%d/%d] %s: ok, %s\n", e.Index, e.Total, e.Title, what)
				continue
			}
			fmt.Fprintf(w, "[%d/%d] %s (done earlier)\n", e.Index, e.Total, e.Title)
		case install.Warning:
			fmt.Fprintf(w, "warning: %s\n", e.Message)
		case install.Failed:
			// The why is the error Install returns, printed once by Run.
			if e.Title != "" {
				fmt.Fprintf(w, "[%d/%d] %s failed\n", e.Index, e.Total, e.Title)
			}
		case install.Finished:
			fmt.Fprintln(w, e.Message)
		case install.Output:
			if verbose {
				fmt.Fprintf(w, "    %s\n", e.Line)
			}
		}
	}
	return <-done
}

func cliStatus(ctx context.Context, w io.Writer, dirs appdirs.Dirs, sd *studio.Studio, waits studio.Waits) error {
	s := sd.Settings()
	fmt.Fprintf(w, "backend:   %s\n", s.Backend)
	if s.Backend == settings.BackendManaged {
		st, err := sd.InstallStatus()
		if err != nil {
			return err
		}
		show := func(label string, b *install.Build) {
			if b == nil {
				fmt.Fprintf(w, "%-10s none\n", label+":")
				return
			}
			fmt.Fprintf(w, "%-10s %s  ComfyUI %s  torch %s  packages via %s\n", label+":", b.ID, short(b.ComfyCommit), b.Torch,
				install.PipMode(b.PythonMode).Words())
			if !b.Completed {
				fmt.Fprintf(w, "           unfinished, steps done: %s (run install to continue)\n", strings.Join(b.Done, ", "))
			}
		}
		fmt.Fprintf(w, "location:  %s\n", comfyui.Root(dirs, s))
		show("current", st.Current)
		show("previous", st.Previous)
		if st.Pending != nil {
			show("pending", st.Pending)
		}
	}
	if pid, url, ok := comfyui.Running(ctx, dirs); ok {
		health := "answers"
		if info, err := studio.CheckServer(ctx, url, waits); err != nil {
			health = "but " + err.Error()
		} else {
			health = "ComfyUI " + info.ComfyUIVersion + " answers"
		}
		fmt.Fprintf(w, "server:    running (pid %d) at %s, %s\n", pid, url, health)
	} else {
		fmt.Fprintln(w, "server:    not running")
	}
	return nil
}

func cliStart(ctx context.Context, w io.Writer, b studio.ComfyUIOnly) error {
	ch, cancel := b.Subscribe()
	defer cancel()
	<-ch // the state before Start
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for e := range ch {
			fmt.Fprintf(w, "%s: %s\n", e.State, e.Message)
			if e.State == status.Crashed {
				for _, l := range e.Tail {
					fmt.Fprintf(w, "    %s\n", l)
				}
			}
			// Stopped from outside, or crashed for good: nothing left to wait for.
			if e.State == status.Stopped || (e.State == status.Crashed && e.Final) {
				return
			}
		}
	}()
	if err := b.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "ComfyUI runs at %s; press Ctrl-C to stop it.\n", b.URL())
	select {
	case <-ctx.Done():
	case <-ended:
	}
	return b.Stop(context.WithoutCancel(ctx))
}

func cliLogs(w io.Writer, path string, n int) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return errors.New("there is no ComfyUI log yet; start ComfyUI first")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if n > 0 && len(lines) > n {
			lines = lines[1:]
		}
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return sc.Err()
}

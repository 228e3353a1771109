package session

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// waitFor polls the UI state (the engine works on its own goroutines).
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func resultIs[T any](s *Session) bool {
	var ok bool
	fyne.DoAndWait(func() {
		if len(s.result.Objects) == 1 {
			_, ok = s.result.Objects[0].(T)
		}
	})
	return ok
}

// The session's followers call fyne.Do from their goroutines: the tests use
// uitest.NewSerialApp, which runs those one at a time as the real driver does,
// and act on the window through fyne.DoAndWait, as a click would on the UI
// goroutine.

func TestFreshDataDirShowsSetup(t *testing.T) {
	a := uitest.NewSerialApp(t)
	w := a.NewWindow("t")
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), Getenv: func(string) string { return "" },
		Install: func(c *install.Config) { c.DriverVersion = func(context.Context) (string, error) { return "", nil } }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var shell *ui.Shell
	var s *Session
	fyne.DoAndWait(func() {
		shell = ui.New(ctx, w, ui.Deps{})
		s = New(ctx, st, Options{App: a, Win: w, Shell: shell})
		s.Begin()
	})
	defer func() { cancel(); s.waitFollowers() }()
	waitFor(t, "the setup flow", func() bool {
		var c fyne.CanvasObject
		fyne.DoAndWait(func() { c = w.Content() })
		return c != shell.Content()
	})
	// Generate before setup says plainly what to do (not "wait until ready":
	// that never comes before setup).
	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt = "a fox" // the form checks its fields before the studio is asked
	fyne.DoAndWait(func() { s.Generate(f) })
	waitFor(t, "the not-installed message", func() bool {
		var m errorview.Message
		fyne.DoAndWait(func() { m = s.errv.Message() })
		return strings.Contains(m.What, "not installed") && strings.Contains(m.Do, "Finish setup")
	})
	// So does Unload models.
	fyne.DoAndWait(s.unload)
	waitFor(t, "the unload notice", func() bool { return strings.Contains(errorShown(s), "holds no models") })
}

// errorShown is what the error view says now.
func errorShown(s *Session) string {
	var what string
	fyne.DoAndWait(func() { what = s.errv.Message().What })
	return what
}

// TestGenerateProgressDonePlayer is the window's whole loop against the
// stand-ins: ComfyUI installed and started by the engine, Generate, the
// progress panel, then the result card with the player, and history.
func TestGenerateProgressDonePlayer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	world, getenv := e2e.ForTest(t, ctx)
	st, err := studio.Open(studio.Options{Dirs: appdirs.Under(world.Home), Getenv: getenv,
		Install: func(c *install.Config) {
			c.ComfyCommit = world.Commit
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Install(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSetupDone([]workflows.ModeID{workflows.T2V}, workflows.FP8); err != nil {
		t.Fatal(err)
	}
	// The release setup chose: Generate fills it into a form without one.
	refs, _ := studio.RefsFor([]workflows.ModeID{workflows.T2V}, workflows.FP8, workflows.Weights(st.Settings().ModelWeights()))
	if err := st.Download(ctx, refs, nil); err != nil {
		t.Fatal(err)
	}

	a := uitest.NewSerialApp(t)
	w := a.NewWindow("t")
	var s *Session
	fyne.DoAndWait(func() {
		shell := ui.New(ctx, w, ui.Deps{})
		s = New(ctx, st, Options{App: a, Win: w, Shell: shell})
		s.Begin()
	})
	defer func() { cancel(); s.waitFollowers() }()
	waitFor(t, "the job queue", st.QueueRunning)

	f := workflows.DefaultForm(workflows.T2V)
	f.Prompt = "a red kite over dunes fakecomfy:slow"
	fyne.DoAndWait(func() { s.Generate(f) })
	waitFor(t, "the progress panel", func() bool {
		var ok bool
		fyne.DoAndWait(func() { ok = len(s.result.Objects) == 1 && s.result.Objects[0] == s.prog.Content() })
		return ok
	})
	// The queue's bar follows the running job (fakecomfy:slow gives it time).
	barMoved := false
	waitFor(t, "the result card", func() bool {
		fyne.DoAndWait(func() {
			for _, j := range s.queue.Jobs() {
				barMoved = barMoved || j.Progress > 0
			}
		})
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.player != nil
	})
	if !barMoved {
		t.Error("the queue's running row never showed progress")
	}
	if resultIs[*errorview.View](s) {
		t.Fatalf("job failed: %s", errorShown(s))
	}
	items, err := s.loadHistory()
	if err != nil || len(items) != 1 || !strings.Contains(items[0].Prompt, "red kite") {
		t.Fatalf("history = %+v, %v", items, err)
	}
	s.Close()
}

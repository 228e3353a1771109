// Package ui is the desktop window: header (mode tag, backend status, VRAM
// meter), the mode sidebar, the active mode's form and the output area. It
// presents and forwards; everything it needs comes in through Deps so tests
// run with fakes and no engine.
package ui

import (
	"log/slog"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/ui/modeform"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Deps is everything the window uses from outside ui.
type Deps struct {
	// Sampler feeds the VRAM meter once a second; nil leaves the meter at
	// "Reading GPU…".
	Sampler gpu.Sampler
	// Probe checks media files by content; nil rejects every file with a
	// plain message.
	Probe modeform.Prober
	// OnGenerate receives the form when the person presses Generate (or
	// Ctrl+Enter) and the form is valid.
	OnGenerate func(workflows.Form)
	// OnQuit is Ctrl+Q: quit the app (stopping ComfyUI); nil ignores it.
	OnQuit func()
	// Go runs background work; nil means a new goroutine. Tests pass a
	// function that runs work at once, so results arrive before it returns.
	Go func(func())
	// Log is for diagnostics; nil discards.
	Log *slog.Logger
}

func (d *Deps) defaults() {
	if d.Go == nil {
		d.Go = func(f func()) { go f() }
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
}

// OnGenerate sets where Generate sends a valid form. The session that
// handles it is built after the shell (it drives the shell's panels), so it
// plugs itself in here rather than through Deps. UI goroutine.
func (s *Shell) OnGenerate(f func(workflows.Form)) { s.deps.OnGenerate = f }

// OnQuit sets what Ctrl+Q does (the quitter, built after the window's
// parts). UI goroutine.
func (s *Shell) OnQuit(f func()) { s.deps.OnQuit = f }

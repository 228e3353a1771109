package studio

import (
	"context"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
)

// Repair verifies the managed ComfyUI (checkouts at their pins with no
// changed files, the venv's Python, every step's packages installed and
// whole, torch importing, the start-up test) and does again exactly the
// steps that fail; a healthy install reports "Nothing to repair" and what
// was checked. With no install yet it installs. `ltx-studio comfyui
// repair` calls it; the window's Settings → Repair reaches it through
// RequestRepair and setup's install track.
func (s *Studio) Repair(ctx context.Context, events chan<- install.Event) error {
	s.stopJobEngine()
	return s.Backend().Repair(ctx, events)
}

// RequestRepair makes setup's next install track (InstallComfyUI) a
// Repair, until one succeeds: the window's Settings → Repair opens setup
// after calling it, so pressing Install there mends a finished install
// instead of answering that it is up to date.
func (s *Studio) RequestRepair() { s.repairNext.Store(true) }

// CanRollBack reports whether the managed install keeps a previous build
// to go back to.
func (s *Studio) CanRollBack() bool {
	st, err := s.InstallStatus()
	return err == nil && st.Previous != nil
}

// InstallStatus is the managed install's builds: current, previous, one
// under way.
func (s *Studio) InstallStatus() (install.Status, error) { return s.Backend().Installer().Status() }

// RollBack makes the previous managed build current again and returns it;
// the caller restarts ComfyUI (Stop, then Start) to use it.
func (s *Studio) RollBack() (install.Build, error) { return s.Backend().Installer().Rollback() }

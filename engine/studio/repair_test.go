package studio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
)

// TestRequestRepairMakesSetupsInstallARepair: the window's Settings →
// Repair calls RequestRepair and reopens setup, whose install track is
// InstallComfyUI. On a finished install that track then verifies it
// (instead of answering "up to date"), once: the next track installs again.
func TestRequestRepairMakesSetupsInstallARepair(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	w, getenv := e2e.ForTest(t, ctx)
	s := openStandins(t, w, getenv)
	track := func() (checked int, finished string) {
		t.Helper()
		err := s.InstallComfyUI(ctx, func(e install.Event) {
			switch {
			case e.Kind == install.StepSkipped && strings.HasPrefix(e.Message, install.CheckedPrefix):
				checked++
			case e.Kind == install.Finished:
				finished = e.Message
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return checked, finished
	}
	if _, msg := track(); !strings.Contains(msg, "is installed") {
		t.Fatalf("first install: %q", msg)
	}
	if n, msg := track(); n != 0 || !strings.Contains(msg, "already installed and up to date") {
		t.Fatalf("plain install of a finished build: %d checks, %q", n, msg)
	}
	s.RequestRepair()
	if n, msg := track(); n == 0 || !strings.HasPrefix(msg, "Nothing to repair. Checked: ") {
		t.Fatalf("after RequestRepair: %d checks, %q", n, msg)
	}
	if n, msg := track(); n != 0 || !strings.Contains(msg, "already installed") {
		t.Fatalf("the repair request outlived its repair: %d checks, %q", n, msg)
	}
}

package session

// The ComfyUI side of the window: the header's backend state, the meter's
// per-ComfyUI memory, the Logs tab, unloading and rolling back.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/meter"
)

// followComfyVRAM feeds the meter ComfyUI's own share of the GPU (what torch
// holds, from /api/system_stats) every two seconds, so the sparkline can tell
// ComfyUI's memory from other programs'.
func (s *Session) followComfyVRAM() {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if !s.st.QueueRunning() || s.shell == nil {
			continue
		}
		// One share per ComfyUI (one per GPU with several), for the
		// meter's per-GPU bars.
		ctx, cancel := context.WithTimeout(s.ctx, time.Second)
		shares := s.st.ComfyVRAM(ctx)
		cancel()
		if len(shares) == 0 {
			continue
		}
		owners := make([]meter.Owner, len(shares))
		for i, sh := range shares {
			owners[i] = meter.Owner{GPU: sh.GPU, Name: sh.Backend, MiB: sh.Bytes >> 20}
		}
		fyne.Do(func() { s.shell.Meter().SetOwners(owners) })
	}
}

// startBackend starts ComfyUI and follows the job engine it brings.
func (s *Session) startBackend() {
	// While a terminal `generate` owns the data folder the header says so and
	// the window starts as soon as it is done.
	if err := s.st.StartWhenFree(s.ctx); err != nil {
		if s.ctx.Err() != nil {
			return // the window is closing
		}
		s.log.Error("starting ComfyUI", "err", err)
		s.showError("ComfyUI did not start", err, "Open the Logs tab for its last lines; Settings → Repair reinstalls it.")
		return
	}
	s.refreshQueue() // jobs resumed from the persisted queue
}

// showBackend mirrors the ComfyUI's state into the header and the Logs
// tab's Unload.
func (s *Session) showBackend(ev status.Event) {
	text := "ComfyUI: " + ev.State.String()
	if ev.Message != "" {
		text = ev.Message
	}
	ok := ev.State == status.Ready
	key := fmt.Sprintf("%t %s", ok, text)
	s.mu.Lock()
	same := key == s.lastBackend
	s.mu.Unlock()
	if same { // the follower re-reads the state every second: repaint only on a change
		return
	}
	defer func() { // after the UI has it (tests wait on this)
		s.mu.Lock()
		s.lastBackend = key
		s.mu.Unlock()
	}()
	fyne.Do(func() {
		// Unload is offered only while a ComfyUI holds models.
		if ok {
			s.logsUnload.Enable()
		} else {
			s.logsUnload.Disable()
		}
		if s.shell == nil {
			return
		}
		s.shell.SetBackendStatus(text, ok)
		if ok {
			s.shell.SetUnload(s.unload)
		} else {
			s.shell.SetUnload(nil)
		}
	})
}

func (s *Session) refreshLogs() {
	lines := s.st.BackendLogs()
	if len(lines) > 500 {
		lines = lines[len(lines)-500:]
	}
	text := strings.Join(lines, "\n")
	if text == "" {
		text = "ComfyUI has not written anything yet."
	}
	fyne.Do(func() { s.logs.SetText(text); s.logs.CursorRow = len(lines) })
}

func (s *Session) unload() {
	if !s.st.QueueRunning() {
		s.showMessage(errorview.Message{What: "ComfyUI is not running, so it holds no models.", Notice: true})
		return
	}
	go func() {
		if err := s.st.Unload(s.ctx); err != nil {
			s.showError("Unloading models failed", err, "ComfyUI may be busy; try again after the job.")
		}
	}()
}

func (s *Session) rollBack() {
	go func() {
		if _, err := s.st.RollBack(); err != nil {
			s.showMessage(errorview.Message{What: "Roll back failed: " + jobs.Human(err), Do: "Nothing was changed; the current install stays."})
			return
		}
		_ = s.st.Stop(s.ctx)
		s.startBackend()
	}()
}

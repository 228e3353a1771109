package studio

import (
	"context"
	"net/url"
	"strconv"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// portOf is the port of a base URL (0 when it has none).
func portOf(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}

// followPort keeps the job engine on the port the managed ComfyUI really
// listens on. The supervisor keeps one port per run so job URLs stay valid
// across restarts, but when another program took it ("port in use") it
// starts again on a new one; then the job engine is reopened on that port
// (jobs re-queue themselves, nothing is lost).
func (s *Studio) followPort() {
	if s.Settings().Backend == settings.BackendRemote {
		return
	}
	b := s.Backend()
	if p := portOf(b.URL()); p > 0 {
		s.mu.Lock()
		s.port = p
		s.mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.stopPortWatch != nil {
		s.stopPortWatch()
	}
	s.stopPortWatch = cancel
	s.mu.Unlock()
	ch, unsub := b.Subscribe()
	go func() {
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-ch:
				if !ok {
					return
				}
				p := portOf(ev.URL)
				if ev.State != status.Ready || p == 0 {
					continue
				}
				s.mu.Lock()
				moved := p != s.port
				s.port = p
				s.mu.Unlock()
				if moved && s.Backend() == b {
					s.log.Info("ComfyUI moved to a new port; reopening the job queue on it", "port", p)
					s.stopJobEngine()
					if err := s.startJobEngine(ctx); err != nil {
						s.log.Error("reopening the job queue", "err", err)
					}
				}
			}
		}
	}()
}

// stopFollowingPort ends followPort's watcher.
func (s *Studio) stopFollowingPort() {
	s.mu.Lock()
	stop := s.stopPortWatch
	s.stopPortWatch = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

package studio

import (
	"context"
	"net/url"
	"strconv"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
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
	s.watchPort(ctx, b, &s.port, func() bool { return s.Backend() == b }, nil)
}

// watchPort reopens the job queue whenever b comes up ready on a port other
// than *port (a taken port makes its supervisor pick another one), while
// current says b still serves jobs. seen, when set, sees every event first.
func (s *Studio) watchPort(ctx context.Context, b *comfyui.Backend, port *int, current func() bool, seen func(status.Event), logArgs ...any) {
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
				if seen != nil {
					seen(ev)
				}
				p := portOf(ev.URL)
				if ev.State != status.Ready || p == 0 {
					continue
				}
				s.mu.Lock()
				moved := p != *port
				*port = p
				s.mu.Unlock()
				if moved && current() {
					s.log.Info("a ComfyUI moved to a new port; reopening the job queue on it", append(logArgs, "port", p)...)
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

package session

// The Result tab: progress, a message, or the finished video with its
// actions.

import (
	"context"
	"net/url"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/player"
)

// showProgress puts the progress panel in the Result tab and shows the tab.
func (s *Session) showProgress() {
	fyne.Do(func() {
		s.closePlayer()
		s.result.Objects = []fyne.CanvasObject{s.prog.Content()}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
	})
}

func (s *Session) showMessage(m errorview.Message) {
	s.errv.Set(m)
	fyne.Do(func() {
		s.closePlayer()
		s.result.Objects = []fyne.CanvasObject{container.NewPadded(s.errv.Content())}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
	})
}

func (s *Session) showError(what string, err error, do string) {
	s.showMessage(errorview.Message{What: what + ": " + jobs.Human(err), Do: do, Details: err.Error()})
}

// closePlayer stops the shown video (kills its ffmpeg). UI goroutine.
func (s *Session) closePlayer() {
	s.mu.Lock()
	p := s.player
	s.player = nil
	s.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// showVideo plays a finished video in the Result tab with its actions.
func (s *Session) showVideo(path string, seed int64, took time.Duration, sidecar string) {
	var open player.Opener
	if s.ffmpeg != "" {
		open = func() (player.Frames, error) {
			d, err := media.Open(s.ctx, s.ffmpeg, path, media.Options{MaxW: 960, MaxH: 540, FFprobe: s.ffprobe})
			if err != nil {
				return nil, err
			}
			return d.Owned(), nil
		}
	}
	fyne.Do(func() {
		s.closePlayer()
		p := player.New(path, open)
		if s.ffplay != "" {
			p.Audio = &media.SoundPlayer{FFplay: s.ffplay, File: path}
		}
		p.OpenURL = func(u *url.URL) error { s.openWithDesktop(u.Path, "videos"); return nil }
		go func() { // the length for the player's clock and bar
			ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
			defer cancel()
			if info, err := media.Probe(ctx, path); err == nil && info.Duration > 0 {
				fyne.Do(func() { p.SetLength(info.Duration) })
			}
		}()
		card := player.NewResultCard(player.Result{Path: path, Seed: seed, Took: took}, p, player.Actions{
			OpenFolder:     func() { s.openFolder(path) },
			Rerun:          func() { s.rerun(sidecar, 0) },
			RerunNextSeed:  func() { s.rerun(sidecar, 1) },
			LoadSettings:   func() { s.loadSettings(sidecar) },
			ExportWorkflow: func() { s.exportWorkflow(sidecar) },
			PlaySystem:     func() { s.openWithDesktop(path, "videos") },
		})
		s.mu.Lock()
		s.player = p
		s.mu.Unlock()
		s.result.Objects = []fyne.CanvasObject{card.Content()}
		s.result.Refresh()
		s.tabs.SelectIndex(0)
		if open != nil {
			p.Play()
		}
	})
}

func (s *Session) openFolder(path string) { s.openWithDesktop(filepath.Dir(path), "folders") }

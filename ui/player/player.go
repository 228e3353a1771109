// Package player plays a finished video inside the window: decoded RGBA
// frames are painted into a canvas.Image at the video's frame rate. Decoding
// is someone else's job (engine/media runs ffmpeg); the player only paces and
// paints what a Frames source hands it. Without a decoder it says so and
// offers the system's player instead.
package player

import (
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Frames is a video decoder positioned at the first frame.
//
// Next returns the next frame, or io.EOF after the last. The player owns each
// returned frame (a source must not reuse its pixels) and calls Next from one
// goroutine at a time; Next should return within about a frame's time. Close
// releases the decoder (kills ffmpeg); it is called once, after the last Next.
type Frames interface {
	Next() (*image.RGBA, error)
	FPS() float64
	Close() error
}

// Audio plays the video's sound beside the picture (e.g. ffplay -nodisp -ss
// at). Both methods run on the player's controller goroutine and must not
// block: start or kill a process and return. Stop may be called when not
// playing.
type Audio interface {
	Start(at time.Duration) error
	Stop()
}

// Opener starts a fresh decode from the first frame; Restart calls it again.
type Opener func() (Frames, error)

// State is where playback is.
type State int

const (
	Stopped State = iota // nothing decoded yet
	Playing
	Paused
	Ended       // the last frame is shown
	Unavailable // no decoder; only the system player is offered
)

func (s State) String() string {
	return [...]string{"stopped", "playing", "paused", "ended", "unavailable"}[s]
}

// Player is the in-window video player. Build it with New and Close it when
// the view goes away.
//
// One controller goroutine (started by the first Play) owns the decoder and
// the ticker; the exported methods hand it a command and wait until it ran,
// so they are safe from any goroutine and the state is settled on return.
type Player struct {
	// OpenURL opens a file URL in the system's handler. It defaults to the
	// current app's OpenURL; tests replace it.
	OpenURL func(*url.URL) error
	// Audio, when set before the first Play, follows play, pause, restart,
	// the end and Close. Nil = silent playback.
	Audio Audio

	path string
	open Opener

	img              *canvas.Image
	playBtn, restart *widget.Button
	sysBtn           *widget.Button
	clock, msg       *widget.Label
	seek             *widget.Slider // where playback is in the video; shown once the length is known
	length           time.Duration  // 0 until SetLength
	controls         *fyne.Container
	fallback         *fyne.Container
	root             *fyne.Container

	state     atomic.Int32
	startOnce sync.Once
	cmds      chan func()
	exited    chan struct{} // closed when the controller goroutine returned

	// Owned by the controller goroutine.
	src     Frames
	next    *image.RGBA // decoded ahead, painted on the next tick
	ticker  *time.Ticker
	shown   int
	fps     float64
	closed  bool
	onFrame func(n int) // test hook, called after frame n is painted
}

// New builds a player for the video at path. open may be nil when no decoder
// exists (no ffmpeg); then the player shows a plain message and a "Play with
// system player" button. Playback starts with Play.
func New(path string, open Opener) *Player {
	p := &Player{path: path, open: open, cmds: make(chan func()), exited: make(chan struct{})}
	p.OpenURL = func(u *url.URL) error { return fyne.CurrentApp().OpenURL(u) }
	p.img = canvas.NewImageFromImage(nil)
	p.img.FillMode = canvas.ImageFillContain
	p.img.ScaleMode = canvas.ImageScaleFastest // frames change 24-30×/s; smoothing costs CPU for little gain
	p.img.SetMinSize(fyne.NewSize(320, 180))
	p.playBtn = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), p.onPlayPause)
	p.restart = widget.NewButtonWithIcon("", theme.MediaReplayIcon(), func() { go p.Restart() })
	p.clock = widget.NewLabelWithStyle("0:00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.msg = widget.NewLabel("")
	p.msg.Alignment = fyne.TextAlignCenter

	// The bar shows the position; it does not seek (the decoder starts only
	// from the first frame), so dragging it does nothing and it is read-only.
	p.seek = widget.NewSlider(0, 1)
	p.seek.Step = 0.001
	p.seek.Disable()
	p.seek.Hide()
	p.controls = container.NewBorder(nil, nil, container.NewHBox(p.playBtn, p.restart, p.clock), nil, p.seek)
	p.sysBtn = widget.NewButtonWithIcon("Play with system player", theme.MediaVideoIcon(), p.playSystem)
	p.sysBtn.Importance = widget.HighImportance
	p.fallback = container.NewCenter(container.NewVBox(p.msg, container.NewCenter(p.sysBtn)))
	p.fallback.Hide()
	p.root = container.NewBorder(nil, p.controls, nil, nil, container.NewStack(p.img, p.fallback))
	if open == nil {
		p.showUnavailable(errors.New("playing inside the app needs ffmpeg, which was not found"))
	}
	return p
}

// SetLength tells the player how long the video is (from ffprobe), so the
// clock reads "0:03 / 0:05" and the position bar appears. UI goroutine.
func (p *Player) SetLength(d time.Duration) {
	p.length = d
	if d > 0 {
		p.seek.Show()
	}
	p.showPosition(0)
}

// showPosition updates the clock and the bar. UI goroutine.
func (p *Player) showPosition(at time.Duration) {
	if p.length <= 0 {
		p.clock.SetText(clock(at))
		return
	}
	p.clock.SetText(clock(at) + " / " + clock(p.length))
	p.seek.SetValue(min(1, at.Seconds()/p.length.Seconds()))
}

// Content is the player's root object.
func (p *Player) Content() fyne.CanvasObject { return p.root }

// Path is the video file the player shows.
func (p *Player) Path() string { return p.path }

// State reports the playback state. Safe from any goroutine.
func (p *Player) State() State { return State(p.state.Load()) }

// Play starts playback, resumes after Pause, or starts over after the end.
func (p *Player) Play() { p.send(p.play) }

// Pause stops painting and keeps the position.
func (p *Player) Pause() {
	p.send(func() {
		if p.State() == Playing {
			p.stopTicker()
			p.setState(Paused)
		}
	})
}

// Restart plays from the first frame with a fresh decoder.
func (p *Player) Restart() {
	p.send(func() {
		if p.State() == Unavailable {
			return
		}
		p.stopTicker()
		p.closeSource()
		p.setState(Stopped)
		p.play()
	})
}

// Close stops playback, releases the decoder and ends the controller
// goroutine, waiting for it. Idempotent.
func (p *Player) Close() {
	p.send(func() {
		p.stopTicker()
		p.closeSource()
		p.closed = true
		if p.State() != Unavailable {
			p.setState(Stopped)
		}
	})
	<-p.exited
}

// send runs f on the controller goroutine and waits for it; after Close it
// does nothing.
func (p *Player) send(f func()) {
	p.startOnce.Do(func() { go p.run() })
	done := make(chan struct{})
	select {
	case p.cmds <- func() { defer close(done); f() }:
		<-done
	case <-p.exited:
	}
}

func (p *Player) run() {
	defer close(p.exited)
	for !p.closed {
		var tick <-chan time.Time
		if p.ticker != nil {
			tick = p.ticker.C
		}
		select {
		case f := <-p.cmds:
			f()
		case <-tick:
			p.step()
		}
	}
}

func (p *Player) play() {
	switch p.State() {
	case Playing, Unavailable:
		return
	case Ended:
		p.closeSource()
	}
	if p.src == nil {
		src, err := p.open()
		if err != nil {
			p.showUnavailable(fmt.Errorf("the video could not be decoded: %w", err))
			return
		}
		p.src, p.shown, p.fps = src, 0, sanitizeFPS(src.FPS())
		if !p.decode() {
			return
		}
	}
	p.ticker = time.NewTicker(time.Duration(float64(time.Second) / p.fps))
	p.setState(Playing)
	if p.Audio != nil {
		if err := p.Audio.Start(p.position()); err != nil {
			fyne.LogError("starting audio playback", err) // the picture still plays
		}
	}
	if p.shown == 0 {
		p.step() // show the first frame now, not one tick later
	}
}

// step paints the frame decoded ahead and decodes the one after it, so the
// decode time is spent inside the wait for the next tick.
func (p *Player) step() {
	if p.next == nil {
		return
	}
	frame := p.next
	p.shown++
	// The clock and bar show where the frame on screen ends, so the last
	// frame reads as the video's length ("0:05 / 0:05"), not a frame short.
	at := p.position()
	fyne.Do(func() {
		p.img.Image = frame
		p.img.Refresh()
		p.showPosition(at)
	})
	if p.onFrame != nil {
		p.onFrame(p.shown)
	}
	p.decode()
}

// decode fills p.next; at the end (or on a decode error) it stops, keeps the
// last frame on screen and releases the decoder at once.
func (p *Player) decode() bool {
	frame, err := p.src.Next()
	if err == nil {
		p.next = frame
		return true
	}
	p.next = nil
	p.stopTicker()
	p.closeSource()
	p.setState(Ended)
	if !errors.Is(err, io.EOF) {
		fyne.LogError("decoding video", err)
		fyne.Do(func() { p.clock.SetText(p.clock.Text + " · stopped: the video could not be decoded further") })
	}
	return false
}

// stopTicker stops the picture and, with it, the sound.
func (p *Player) stopTicker() {
	if p.ticker != nil {
		p.ticker.Stop()
		p.ticker = nil
		if p.Audio != nil {
			p.Audio.Stop()
		}
	}
}

// position is the time of the next frame to paint.
func (p *Player) position() time.Duration {
	return time.Duration(float64(p.shown) / p.fps * float64(time.Second))
}

func (p *Player) closeSource() {
	if p.src != nil {
		_ = p.src.Close() // finished with it either way; ffmpeg's exit status tells nothing new
		p.src, p.next = nil, nil
	}
}

func (p *Player) setState(s State) {
	p.state.Store(int32(s))
	fyne.Do(func() {
		if s == Playing {
			p.playBtn.SetIcon(theme.MediaPauseIcon())
		} else {
			p.playBtn.SetIcon(theme.MediaPlayIcon())
		}
	})
}

func (p *Player) onPlayPause() {
	// Pause waits for the decoder goroutine, so keep it off the UI goroutine.
	if p.State() == Playing {
		go p.Pause()
	} else {
		go p.Play()
	}
}

func (p *Player) showUnavailable(err error) {
	p.state.Store(int32(Unavailable))
	fyne.Do(func() {
		p.msg.SetText(capitalise(err.Error()) + ".\nThe system's video player can show it instead.")
		p.img.Hide()
		p.controls.Hide()
		p.fallback.Show()
		p.root.Refresh()
	})
}

func (p *Player) playSystem() {
	if err := OpenInSystemPlayer(p.OpenURL, p.path); err != nil {
		fyne.LogError("open video in system player", err)
	}
}

// OpenInSystemPlayer hands path to the desktop's handler for video files
// through openURL (normally fyne.App.OpenURL).
func OpenInSystemPlayer(openURL func(*url.URL) error, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	u, err := url.Parse(storage.NewFileURI(abs).String())
	if err != nil {
		return err
	}
	return openURL(u)
}

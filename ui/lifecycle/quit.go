// Package lifecycle ends the app: one quit path for the window's close
// button, Ctrl+Q and SIGTERM/SIGINT, which always stops ComfyUI and always
// ends the process within a deadline, even when Fyne's event loop does not
// come back.
package lifecycle

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Timings of a quit.
const (
	// DefaultDeadline bounds a whole quit: past it the process stops
	// ComfyUI itself and exits. Stopping ComfyUI takes up to ~5 s (SIGTERM,
	// then SIGKILL to the tree), so this leaves room for a normal quit.
	DefaultDeadline = 15 * time.Second
	// uiGrace is how long the quit waits for the UI goroutine to take its
	// leave (stop following jobs, close the player) before stopping ComfyUI
	// anyway.
	uiGrace = 2 * time.Second
	// stopGrace is how long the watchdog gives a last ComfyUI stop before
	// it exits regardless (the process tree is in its own group and the
	// next start cleans up after a pidfile).
	stopGrace = 5 * time.Second
)

// ExitStuck is the exit status when the event loop did not end in time.
const ExitStuck = 3

// Quitter runs the quit once, whoever asks first.
type Quitter struct {
	// Deadline bounds the quit; DefaultDeadline when zero.
	Deadline time.Duration
	// OnUI runs f on the UI goroutine (fyne.Do); it may never run when
	// the event loop is stuck.
	OnUI func(f func())
	// Leave runs on the UI goroutine first: status text, session shutdown.
	Leave func()
	// Stop stops ComfyUI; idempotent, called from any goroutine.
	Stop func() error
	// Quit ends the event loop (app.Quit), called through OnUI.
	Quit func()
	// Exit ends the process when the deadline passes (os.Exit).
	Exit func(code int)
	Log  *slog.Logger

	once    sync.Once
	ended   atomic.Bool // the event loop has returned: OnUI must not be called
	mu      sync.Mutex
	stopped chan struct{} // closed when the one ComfyUI stop has returned
	stopErr error         // written before stopped is closed
}

// Begin starts the quit; later calls do nothing. Safe from any goroutine.
func (q *Quitter) Begin(why string) {
	q.once.Do(func() {
		q.log().Info("quitting", "why", why)
		go q.watchdog()
		go q.run()
	})
}

// Signal is SIGTERM or SIGINT. Fyne's own driver also catches these and
// ends the event loop at once; calling into the UI (OnUI) while it shuts
// down runs the function off the main thread after GLFW is gone, which
// panics. So a signal only arms the deadline and lets Fyne end the loop
// (main then stops ComfyUI); only if the loop is still running after the
// grace period does it take the full quit path.
func (q *Quitter) Signal(why string) {
	q.once.Do(func() {
		q.log().Info("quitting", "why", why)
		go q.watchdog()
		go func() {
			time.Sleep(uiGrace)
			if !q.ended.Load() {
				q.run()
			}
		}()
	})
}

// LoopEnded tells the quitter the event loop has returned (main calls it
// right after ShowAndRun): from then on nothing is sent to the UI.
func (q *Quitter) LoopEnded() { q.ended.Store(true) }

// Now is a second request (a second Ctrl+C): stop ComfyUI and exit at once.
func (q *Quitter) Now(why string) {
	q.log().Warn("quitting now", "why", why)
	q.StopBackend()
	q.Exit(1)
}

// StopBackend stops ComfyUI once; a caller that comes while the stop is
// under way waits for it (on a channel, not a lock, so the watchdog's own
// bound on that wait still fires) and gets the same error.
func (q *Quitter) StopBackend() error {
	q.mu.Lock()
	if q.stopped != nil {
		done := q.stopped
		q.mu.Unlock()
		<-done
		return q.stopErr
	}
	q.stopped = make(chan struct{})
	q.mu.Unlock()
	if q.Stop != nil {
		q.stopErr = q.Stop()
	}
	if q.stopErr != nil {
		q.log().Warn("stopping ComfyUI", "err", q.stopErr)
	}
	close(q.stopped)
	return q.stopErr
}

func (q *Quitter) run() {
	left := make(chan struct{})
	q.onUI(func() {
		if q.Leave != nil {
			q.Leave()
		}
		close(left)
	})
	select {
	case <-left:
	case <-time.After(uiGrace):
		q.log().Warn("the window did not answer; stopping ComfyUI anyway")
	}
	q.StopBackend()
	q.onUI(q.Quit)
}

// onUI hands f to the UI unless the loop has already ended.
func (q *Quitter) onUI(f func()) {
	if !q.ended.Load() {
		q.OnUI(f)
	}
}

func (q *Quitter) watchdog() {
	d := q.Deadline
	if d <= 0 {
		d = DefaultDeadline
	}
	time.Sleep(d)
	q.log().Error("the window did not close in time; stopping ComfyUI and exiting", "deadline", d)
	stopped := make(chan struct{})
	go func() {
		q.StopBackend()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(stopGrace):
		q.log().Error("ComfyUI did not stop in time; exiting anyway")
	}
	q.Exit(ExitStuck)
}

func (q *Quitter) log() *slog.Logger {
	if q.Log == nil {
		return slog.Default()
	}
	return q.Log
}

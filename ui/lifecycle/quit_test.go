package lifecycle

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// record is what a quit did, in order.
type record struct {
	mu     sync.Mutex
	events []string
	exit   int
}

func (r *record) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *record) get() ([]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...), r.exit
}

func newQuitter(r *record, loopAlive bool, stop func() error) *Quitter {
	return &Quitter{
		OnUI: func(f func()) {
			if loopAlive {
				go f() // the event loop runs it a little later
			}
		},
		Leave: func() { r.add("leave") },
		Stop: func() error {
			r.add("stop")
			return stop()
		},
		Quit: func() { r.add("quit") },
		Exit: func(code int) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.events = append(r.events, "exit")
			r.exit = code
		},
	}
}

func TestQuitLeavesStopsThenQuitsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &record{}
		q := newQuitter(r, true, func() error { return nil })
		q.Begin("window closed")
		q.Begin("Ctrl+Q") // a second request is the same quit
		synctest.Wait()
		got, _ := r.get()
		want := []string{"leave", "stop", "quit"}
		if len(got) != len(want) {
			t.Fatalf("quit did %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("quit did %v, want %v", got, want)
			}
		}
		// The watchdog is still armed; in the app the process has ended by
		// now. Let it fire to end the bubble and check it stops nothing twice.
		time.Sleep(DefaultDeadline)
		synctest.Wait()
		got, code := r.get()
		if got[len(got)-1] != "exit" || code != ExitStuck {
			t.Fatalf("after the deadline: %v (exit %d)", got, code)
		}
		if n := count(got, "stop"); n != 1 {
			t.Fatalf("ComfyUI stopped %d times: %v", n, got)
		}
	})
}

// The event loop that never runs what it is given (the hang seen after
// SIGTERM): ComfyUI is still stopped, and the process exits at the deadline.
func TestStuckEventLoopStillStopsComfyUIAndExits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &record{}
		q := newQuitter(r, false, func() error { return nil })
		q.Begin("SIGTERM")
		time.Sleep(uiGrace)
		synctest.Wait()
		if got, _ := r.get(); len(got) != 1 || got[0] != "stop" {
			t.Fatalf("after the UI grace: %v, want ComfyUI stopped", got)
		}
		time.Sleep(DefaultDeadline)
		synctest.Wait()
		if got, code := r.get(); got[len(got)-1] != "exit" || code != ExitStuck {
			t.Fatalf("after the deadline: %v (exit %d), want exit %d", got, code, ExitStuck)
		}
	})
}

// A ComfyUI stop that never returns does not keep the process alive.
func TestHangingStopDoesNotBlockTheExit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &record{}
		release := make(chan struct{})
		q := newQuitter(r, true, func() error { <-release; return nil })
		q.Begin("SIGTERM")
		time.Sleep(DefaultDeadline + stopGrace)
		synctest.Wait()
		got, code := r.get()
		if got[len(got)-1] != "exit" || code != ExitStuck {
			t.Fatalf("with a hanging stop: %v (exit %d)", got, code)
		}
		close(release)
	})
}

func TestNowStopsAndExits(t *testing.T) {
	r := &record{}
	q := newQuitter(r, false, func() error { return nil })
	q.Now("second SIGINT")
	if got, code := r.get(); len(got) != 2 || got[0] != "stop" || code != 1 {
		t.Fatalf("Now did %v (exit %d)", got, code)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, e := range list {
		if e == s {
			n++
		}
	}
	return n
}

// SIGTERM: Fyne ends the loop itself; the quitter sends nothing to the UI
// (that panicked in GLFW once the loop was gone) and leaves the ComfyUI stop
// to main, after the loop.
func TestSignalLeavesTheLoopToFyne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &record{}
		q := newQuitter(r, true, func() error { return nil })
		q.Signal("terminated")
		q.LoopEnded() // Fyne's own handler ended the loop
		time.Sleep(uiGrace)
		synctest.Wait()
		if got, _ := r.get(); len(got) != 0 {
			t.Fatalf("after the loop ended the quitter still did %v", got)
		}
		q.StopBackend() // main, after ShowAndRun
		time.Sleep(DefaultDeadline)
		synctest.Wait()
		if got, _ := r.get(); count(got, "stop") != 1 || count(got, "leave") != 0 {
			t.Fatalf("signal quit did %v", got)
		}
	})
}

// A signal the toolkit did not act on still quits through the window.
func TestSignalQuitsTheWindowWhenTheLoopRunsOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &record{}
		q := newQuitter(r, true, func() error { return nil })
		q.Signal("terminated")
		time.Sleep(uiGrace)
		synctest.Wait()
		got, _ := r.get()
		if len(got) != 3 || got[0] != "leave" || got[1] != "stop" || got[2] != "quit" {
			t.Fatalf("signal with a live loop did %v", got)
		}
		time.Sleep(DefaultDeadline)
		synctest.Wait()
	})
}

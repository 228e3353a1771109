package uitest

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// NewSerialApp is a Fyne test app (test.NewApp) with one difference: fyne.Do and
// fyne.DoAndWait hand their functions to one UI goroutine, as the real driver
// does. Fyne's test driver runs them at once on the caller's goroutine, so a
// view fed by background goroutines (job events, backend state) would touch
// its widgets from several goroutines at the same time in a test, which never
// happens in the app and which the race detector rightly reports. Tests drive
// such views through fyne.DoAndWait too, as a click does on the UI goroutine.
//
// As in the real driver, fyne.Do only queues (from the UI goroutine too), and
// fyne.DoAndWait waits; a DoAndWait on the UI goroutine itself, a deadlock in
// the app, runs at once here. When the test ends, the function running
// finishes and later ones are dropped, as a closed window's would be, and the
// app stays the current one until the next test makes its own: a goroutine
// the test did not wait for must not touch Fyne (its caches are shared) while
// the next test builds its window. Fyne's helpers that type-assert the current app
// (test.ApplyTheme, the notification assertions) do not work with it.
func NewSerialApp(t testing.TB) fyne.App {
	t.Helper()
	a := test.NewApp()
	d := &serialDriver{Driver: a.Driver(), wake: make(chan struct{}, 1), done: make(chan struct{}), ended: make(chan struct{})}
	started := make(chan struct{})
	go d.loop(started)
	<-started
	t.Cleanup(d.stop)
	s := &serialApp{App: a, drv: d}
	fyne.SetCurrentApp(s)
	return s
}

type serialApp struct {
	fyne.App
	drv *serialDriver
}

func (a *serialApp) Driver() fyne.Driver { return a.drv }

type serialDriver struct {
	fyne.Driver
	ui    uint64 // id of the UI goroutine
	wake  chan struct{}
	done  chan struct{} // closed when the test ends
	ended chan struct{} // closed when the UI goroutine has returned

	mu      sync.Mutex
	queue   []func()
	stopped bool
}

func (d *serialDriver) loop(started chan<- struct{}) {
	d.ui = goroutineID()
	close(started)
	defer close(d.ended)
	for {
		select {
		case <-d.wake:
		case <-d.done:
			return
		}
		for {
			d.mu.Lock()
			if len(d.queue) == 0 || d.stopped {
				d.mu.Unlock()
				break
			}
			f := d.queue[0]
			d.queue = d.queue[1:]
			d.mu.Unlock()
			f()
		}
	}
}

// stop ends the UI goroutine when the test ends, after the function it is
// running; what is queued or comes later is dropped.
func (d *serialDriver) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	close(d.done)
	<-d.ended
}

func (d *serialDriver) DoFromGoroutine(f func(), wait bool) {
	onUI := goroutineID() == d.ui
	if wait && onUI {
		f()
		return
	}
	ran := make(chan struct{})
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, func() {
		defer close(ran)
		f()
	})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	if wait {
		select {
		case <-ran:
		case <-d.done:
		}
	}
}

// goroutineID is the number runtime.Stack prints as "goroutine N [...]".
// Tests only: it is how the driver knows a nested call from another goroutine.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

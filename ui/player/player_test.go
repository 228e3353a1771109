package player

import (
	"errors"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"image"
	"image/color"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/ui/progress"
)

func shot(t *testing.T, w fyne.Window, name string) { t.Helper(); uitest.Shot(t, w, name) }

var palette = []color.RGBA{{200, 40, 40, 255}, {40, 200, 40, 255}, {40, 40, 200, 255}, {220, 180, 60, 255}}

// solid is a fake decoder: n solid-colour frames cycling through palette.
type solid struct {
	n, i   int
	fps    float64
	closed int
	failAt int // 0 = never; otherwise Next fails at this frame
}

func (s *solid) Next() (*image.RGBA, error) {
	if s.failAt > 0 && s.i+1 == s.failAt {
		return nil, errors.New("corrupt packet")
	}
	if s.i >= s.n {
		return nil, io.EOF
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	c := palette[s.i%len(palette)]
	for p := 0; p < len(img.Pix); p += 4 {
		img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = c.R, c.G, c.B, c.A
	}
	s.i++
	return img, nil
}
func (s *solid) FPS() float64 { return s.fps }
func (s *solid) Close() error { s.closed++; return nil }

// opener hands out fresh solid sources and remembers them.
type opener struct {
	mu      sync.Mutex
	n       int
	fps     float64
	failAt  int
	sources []*solid
}

func (o *opener) open() (Frames, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := &solid{n: o.n, fps: o.fps, failAt: o.failAt}
	o.sources = append(o.sources, s)
	return s, nil
}

// hooked returns a player whose painted frame numbers arrive on a channel.
func hooked(t *testing.T, o *opener) (*Player, chan int) {
	t.Helper()
	p := New(filepath.Join(t.TempDir(), "out.mp4"), o.open)
	ch := make(chan int, 1024)
	p.onFrame = func(n int) { ch <- n }
	t.Cleanup(p.Close)
	return p, ch
}

func waitFrame(t *testing.T, ch chan int, want int) {
	t.Helper()
	timeout := time.After(5 * time.Second) // guard only; frames come every few ms
	for {
		select {
		case n := <-ch:
			if n == want {
				return
			}
		case <-timeout:
			t.Fatalf("frame %d never painted", want)
		}
	}
}

func pixel(p *Player) color.RGBA {
	img, _ := p.img.Image.(*image.RGBA)
	if img == nil {
		return color.RGBA{}
	}
	return img.RGBAAt(1, 1)
}

func TestPlaysEveryFrameThenEnds(t *testing.T) {
	test.NewTempApp(t)
	o := &opener{n: 6, fps: 200}
	p, ch := hooked(t, o)
	seen := map[color.RGBA]bool{}
	p.onFrame = func(n int) { seen[pixel(p)] = true; ch <- n } // fyne.Do is synchronous under the test driver
	p.Play()
	waitFrame(t, ch, 6)
	p.send(func() {}) // let the controller finish the step that hit EOF
	if p.State() != Ended {
		t.Fatalf("state %v, want ended", p.State())
	}
	if len(seen) != len(palette) {
		t.Fatalf("canvas showed %d distinct colours, want %d", len(seen), len(palette))
	}
	if s := o.sources[0]; s.closed != 1 {
		t.Fatalf("decoder closed %d times at the end, want 1", s.closed)
	}
	p.Play() // after the end, Play starts over with a fresh decoder
	waitFrame(t, ch, 1)
	if len(o.sources) != 2 {
		t.Fatalf("replay opened %d decoders", len(o.sources))
	}
}

func TestPauseResumeRestartClose(t *testing.T) {
	test.NewTempApp(t)
	o := &opener{n: 1000, fps: 200}
	p, ch := hooked(t, o)
	p.Play()
	waitFrame(t, ch, 3)
	p.Pause()
	if p.State() != Paused {
		t.Fatalf("state %v", p.State())
	}
	var at int
	p.send(func() { at = p.shown })
	for len(ch) > 0 {
		<-ch
	}
	p.send(func() {}) // a full controller round: no tick may paint while paused
	if len(ch) != 0 {
		t.Fatal("painted while paused")
	}
	p.Play()
	waitFrame(t, ch, at+1) // resumes where it stopped
	p.Restart()
	waitFrame(t, ch, 1)
	if len(o.sources) != 2 || o.sources[0].closed != 1 {
		t.Fatalf("restart must close the old decoder and open a new one: %d sources", len(o.sources))
	}
	p.Close()
	select {
	case <-p.exited:
	default:
		t.Fatal("controller goroutine still running after Close")
	}
	if o.sources[1].closed != 1 {
		t.Fatal("Close must release the decoder")
	}
	p.Play()
	p.Close() // no-ops after Close, no panic, no new decoder
	if len(o.sources) != 2 || p.State() != Stopped {
		t.Fatalf("Play after Close did something: %v", p.State())
	}
}

type audioLog struct{ calls []string }

func (a *audioLog) Start(at time.Duration) error {
	a.calls = append(a.calls, "start "+at.String())
	return nil
}
func (a *audioLog) Stop() { a.calls = append(a.calls, "stop") }

func TestAudioFollowsPicture(t *testing.T) {
	test.NewTempApp(t)
	o := &opener{n: 1000, fps: 100}
	p, ch := hooked(t, o)
	a := &audioLog{}
	p.Audio = a
	p.Play()
	waitFrame(t, ch, 5)
	p.Pause()
	var at time.Duration
	p.send(func() { at = p.position() })
	p.Play()
	p.Restart()
	p.Close()
	want := []string{"start 0s", "stop", "start " + at.String(), "stop", "start 0s", "stop"}
	if strings.Join(a.calls, ",") != strings.Join(want, ",") {
		t.Fatalf("audio calls %v, want %v", a.calls, want)
	}
}

func TestDecodeErrorKeepsLastFrame(t *testing.T) {
	test.NewTempApp(t)
	o := &opener{n: 10, fps: 200, failAt: 3}
	p, ch := hooked(t, o)
	p.Play()
	waitFrame(t, ch, 2)
	p.send(func() {})
	if p.State() != Ended || !strings.Contains(p.clock.Text, "could not be decoded") {
		t.Fatalf("state %v, clock %q", p.State(), p.clock.Text)
	}
}

func TestNoDecoderOffersSystemPlayer(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "t2v 0001.mp4")
	p := New(path, nil)
	defer p.Close()
	var got *url.URL
	p.OpenURL = func(u *url.URL) error { got = u; return nil }
	w := test.NewTempWindow(t, p.Content())
	w.Resize(fyne.NewSize(480, 300))
	if p.State() != Unavailable || !p.fallback.Visible() || p.controls.Visible() {
		t.Fatal("no decoder must show the fallback")
	}
	if !strings.Contains(p.msg.Text, "needs ffmpeg") {
		t.Fatalf("message %q", p.msg.Text)
	}
	shot(t, w, "player-no-ffmpeg.png")
	test.Tap(p.sysBtn)
	if got == nil || got.Scheme != "file" || got.Path != path {
		t.Fatalf("system player got %v, want file://%s", got, path)
	}
	p.Play() // must not panic or open anything
}

func TestOpenErrorFallsBack(t *testing.T) {
	test.NewTempApp(t)
	p := New("x.mp4", func() (Frames, error) { return nil, errors.New("moov atom not found") })
	defer p.Close()
	p.Play()
	if p.State() != Unavailable || !strings.Contains(p.msg.Text, "moov atom not found") {
		t.Fatalf("%v %q", p.State(), p.msg.Text)
	}
}

// TestGenerateProgressDonePlayer walks the output area the lead builds:
// progress panel while the job runs, then the result card with the player.
func TestGenerateProgressDonePlayer(t *testing.T) {
	test.NewTempApp(t)
	out := container.NewStack()
	w := test.NewTempWindow(t, out)
	w.Resize(fyne.NewSize(640, 480))

	panel := progress.New(func() {})
	out.Objects = []fyne.CanvasObject{panel.Content()}
	out.Refresh()
	for step := 1; step <= 30; step += 10 {
		panel.Update(progress.Update{Stage: "Sampling", Percent: float64(step) / 30, Step: step, Steps: 30, Elapsed: time.Duration(step) * time.Second})
	}
	shot(t, w, "flow-1-progress.png")

	o := &opener{n: 1000, fps: 100}
	p, ch := hooked(t, o)
	colours := make(chan color.RGBA, 1024)
	p.onFrame = func(n int) { colours <- pixel(p); ch <- n } // runs where the frame was painted
	rerun := 0
	card := NewResultCard(Result{Path: p.Path(), Seed: 42, Took: 83 * time.Second}, p, Actions{
		Rerun: func() { rerun++ }, RerunNextSeed: func() {}, LoadSettings: func() {},
		OpenFolder: func() {}, ExportWorkflow: func() {},
	})
	out.Objects = []fyne.CanvasObject{card.Content()}
	out.Refresh()
	p.Play()
	waitFrame(t, ch, 3)
	p.Pause()
	if a, b := <-colours, <-colours; a == b || a == (color.RGBA{}) {
		t.Fatalf("the canvas image did not change between frames: %v %v", a, b)
	}
	if card.info.Text != "seed 42 · took 1:23 · out.mp4" {
		t.Fatalf("summary %q", card.info.Text)
	}
	if b := card.buttons["next"]; b == nil || b.Text != "Re-run with seed + 1" {
		t.Fatal("missing seed+1 button")
	}
	test.Tap(card.buttons["rerun"])
	if rerun != 1 {
		t.Fatal("Re-run not forwarded")
	}
	if card.buttons["system"] == nil {
		t.Fatal("system player button defaults to the player's")
	}
	shot(t, w, "flow-2-result.png")
}

// endless is a decoder that hands out 1280×720 frames from a small pool
// forever (a benchmark may reuse pixels; the player never writes them).
type endless struct {
	pool []*image.RGBA
	i    int
}

func (e *endless) Next() (*image.RGBA, error) { e.i++; return e.pool[e.i%len(e.pool)], nil }
func (e *endless) FPS() float64               { return 30 }
func (e *endless) Close() error               { return nil }

// BenchmarkStep720p is the player's own cost per 720p frame (paint + decode
// call) on the test driver, i.e. everything except ffmpeg and the GPU upload.
func BenchmarkStep720p(b *testing.B) {
	test.NewTempApp(b)
	src := &endless{}
	for range 3 {
		src.pool = append(src.pool, image.NewRGBA(image.Rect(0, 0, 1280, 720)))
	}
	p := New("bench.mp4", func() (Frames, error) { return src, nil })
	w := test.NewTempWindow(b, p.Content())
	w.Resize(fyne.NewSize(1280, 800))
	p.send(func() {
		p.src, p.fps = src, 30
		p.decode()
	})
	b.ReportAllocs()
	for b.Loop() {
		p.send(p.step)
	}
	p.Close()
}

// With the length known the clock says "position / length" and the bar shows.
func TestLengthShowsInTheClockAndBar(t *testing.T) {
	test.NewTempApp(t)
	p := New("v.mp4", nil)
	p.SetLength(5 * time.Second)
	if p.clock.Text != "0:00 / 0:05" || !p.seek.Visible() {
		t.Fatalf("clock %q, bar shown %v", p.clock.Text, p.seek.Visible())
	}
	p.showPosition(2500 * time.Millisecond)
	if p.clock.Text != "0:02 / 0:05" || p.seek.Value != 0.5 {
		t.Fatalf("clock %q, bar at %v", p.clock.Text, p.seek.Value)
	}
}

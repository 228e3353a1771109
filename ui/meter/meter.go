// Package meter is the header's VRAM meter: GPU name, used/total memory, a
// bar and a one-minute sparkline, plus system RAM. It shows samples; it does
// not take them (Run feeds it from a gpu.Sampler).
package meter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
)

// HistoryLen is how many samples the sparkline keeps (one minute at 1 Hz).
const HistoryLen = 60

// Point is one sparkline sample in MiB. Comfy is the share ComfyUI holds,
// when a later sampler can tell (0 = unknown); it is drawn as its own line.
type Point struct {
	T                  time.Time
	Used, Comfy, Total uint64
}

// MarkKind says what happened at a marked instant.
type MarkKind int

const (
	JobStart MarkKind = iota
	JobEnd
)

func (k MarkKind) String() string {
	if k == JobStart {
		return "job start"
	}
	return "job end"
}

// Mark is a vertical tick on the sparkline.
type Mark struct {
	T    time.Time
	Kind MarkKind
}

// state is the meter's view model: plain values, no Fyne.
type state struct {
	name          string // "NVIDIA H200", "2 × NVIDIA H200"
	used, total   uint64 // MiB, summed over GPUs
	noGPU         string // set when there is no GPU reading
	ramUsed, ramT uint64 // bytes
	stopped       string // why sampling stopped
	hist          []Point
	marks         []Mark
	seen          bool
	gpus          []gpu.Device // the last sample's GPUs, one bar each when several (gpus.go)
	owners        []Owner      // what the app's ComfyUIs hold, per GPU
}

func (s *state) apply(smp gpu.Sample) {
	s.seen = true
	s.ramUsed, s.ramT = smp.RAMUsed, smp.RAMTotal
	if len(smp.GPUs) == 0 {
		s.noGPU = smp.NoGPU
		if s.noGPU == "" {
			s.noGPU = "no NVIDIA GPU found"
		}
		s.name, s.used, s.total = "", 0, 0
		s.keepGPUs(nil)
		return
	}
	s.keepGPUs(smp.GPUs)
	s.noGPU = ""
	s.used, s.total = 0, 0
	for _, d := range smp.GPUs {
		s.used += d.UsedMiB
		s.total += d.TotalMiB
	}
	s.name = smp.GPUs[0].Name
	if n := len(smp.GPUs); n > 1 {
		s.name = fmt.Sprintf("%d × %s", n, s.name)
	}
	s.push(Point{T: smp.Time, Used: s.used, Total: s.total})
}

func (s *state) push(p Point) {
	if len(s.hist) == HistoryLen {
		copy(s.hist, s.hist[1:])
		s.hist = s.hist[:HistoryLen-1]
	}
	s.hist = append(s.hist, p)
	// Marks older than the window can no longer be drawn.
	if len(s.hist) > 0 {
		oldest := s.hist[0].T
		keep := s.marks[:0]
		for _, m := range s.marks {
			if !m.T.Before(oldest) {
				keep = append(keep, m)
			}
		}
		s.marks = keep
	}
}

// look sums up what the meter draws, at pixel resolution: the texts, the
// bar lengths, and each sparkline point's height.
func (s *state) look() string {
	var b strings.Builder
	b.WriteString(s.gpuText())
	b.WriteString(s.ramText())
	fmt.Fprintf(&b, "|%d|%d|%d|%d|", int(frac(s.used, s.total)*gpuW), int(frac(s.ramUsed, s.ramT)*ramW), len(s.hist), len(s.marks))
	for _, p := range s.hist {
		b.WriteByte(byte(frac(p.Used, p.Total)*sparkH) + 'A')
		b.WriteByte(byte(frac(p.Comfy, p.Total)*sparkH) + 'A')
	}
	for _, mk := range s.marks {
		fmt.Fprintf(&b, "%d,", mk.T.Unix())
	}
	s.gpuLook(&b)
	return b.String()
}

func gib(mib uint64) float64 { return float64(mib) / 1024 }

func (s *state) gpuText() string {
	switch {
	case s.stopped != "":
		return "GPU reading stopped: " + s.stopped
	case !s.seen:
		return "Reading GPU…"
	case s.noGPU != "":
		return upperFirst(s.noGPU)
	}
	return fmt.Sprintf("%s  %.1f / %.1f GiB", s.name, gib(s.used), gib(s.total))
}

func (s *state) ramText() string {
	if s.ramT == 0 {
		return "RAM —"
	}
	const g = 1 << 30
	return fmt.Sprintf("RAM %.1f / %.1f GiB", float64(s.ramUsed)/g, float64(s.ramT)/g)
}

func frac(a, b uint64) float32 {
	if b == 0 {
		return 0
	}
	return min(float32(float64(a)/float64(b)), 1)
}

// Meter is the widget. Its methods must be called on the UI goroutine; Run
// does that for samples arriving from a sampler.
type Meter struct {
	widgetBase
	st   state
	last string // what was last drawn, see look
}

// Set shows a new sample. It redraws only when something visible changed: a
// redraw repaints the whole window, which is most of an idle app's CPU under
// software GL.
func (m *Meter) Set(s gpu.Sample) {
	m.st.apply(s)
	if k := m.st.look(); k != m.last {
		m.last = k
		m.Refresh()
	}
}

// AddMark ticks the sparkline (job start and end, from the job layer).
func (m *Meter) AddMark(t time.Time, k MarkKind) {
	m.st.marks = append(m.st.marks, Mark{T: t, Kind: k})
	m.Refresh()
}

// SetComfy records how much of the newest sample ComfyUI's processes hold
// (gpu.SplitVRAM); the sparkline draws it as a second, amber line.
func (m *Meter) SetComfy(mib uint64) {
	if n := len(m.st.hist); n > 0 && m.st.hist[n-1].Comfy != mib {
		m.st.hist[n-1].Comfy = mib
		m.last = m.st.look()
		m.Refresh()
	}
}

// Stopped shows that sampling ended with err.
func (m *Meter) Stopped(err error) {
	m.st.stopped = strings.TrimSpace(err.Error())
	m.Refresh()
}

// Text is the meter's reading in words (tests, accessibility).
func (m *Meter) Text() string { return m.st.gpuText() + " · " + m.st.ramText() }

// History is a copy of the sparkline points.
func (m *Meter) History() []Point { return append([]Point(nil), m.st.hist...) }

// Run feeds m from sampler until ctx ends, hopping onto the UI goroutine for
// each sample. It blocks; start it on its own goroutine.
func Run(ctx context.Context, sampler gpu.Sampler, m *Meter, interval time.Duration) {
	err := sampler.Run(ctx, interval, func(s gpu.Sample) {
		fyne.Do(func() { m.Set(s) })
	})
	if err != nil && ctx.Err() == nil {
		fyne.Do(func() { m.Stopped(err) })
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package meter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

const gibBytes = 1 << 30

func h200(usedMiB uint64, at time.Time) gpu.Sample {
	return gpu.Sample{
		Time:    at,
		GPUs:    []gpu.Device{{Name: "NVIDIA H200", UsedMiB: usedMiB, TotalMiB: 143771}},
		RAMUsed: 6 * gibBytes, RAMTotal: 24 * gibBytes,
	}
}

func newTestMeter(t *testing.T) (*Meter, *renderer) {
	m, r, _ := newTestMeterWindow(t)
	return m, r
}

func newTestMeterWindow(t *testing.T) (*Meter, *renderer, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, topaz.Theme{})
	m := New()
	w := test.NewTempWindow(t, m)
	w.Resize(fyne.NewSize(600, 40))
	return m, test.TempWidgetRenderer(t, m).(*renderer), w
}

func TestMeterShowsASample(t *testing.T) {
	m, r := newTestMeter(t)
	if !strings.HasPrefix(m.Text(), "Reading GPU") {
		t.Errorf("before a sample: %q", m.Text())
	}
	m.Set(h200(71885, time.Now()))
	if got, want := m.Text(), "NVIDIA H200  70.2 / 140.4 GiB · RAM 6.0 / 24.0 GiB"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if !r.gpuFill.Visible() || !near(r.gpuFill.Size().Width, gpuW/2.0) {
		t.Errorf("bar fill %v, want half of %d", r.gpuFill.Size().Width, gpuW)
	}
	if !near(r.ramFill.Size().Width, ramW/4.0) {
		t.Errorf("ram fill %v, want a quarter of %d", r.ramFill.Size().Width, ramW)
	}
	if r.gpuLabel.Text != "NVIDIA H200  70.2 / 140.4 GiB" {
		t.Errorf("label %q", r.gpuLabel.Text)
	}
}

func TestMeterSparklineAndMarks(t *testing.T) {
	m, r := newTestMeter(t)
	t0 := time.Unix(1000, 0)
	for i := 0; i < HistoryLen+5; i++ {
		m.Set(h200(uint64(i*1000), t0.Add(time.Duration(i)*time.Second)))
	}
	if n := len(m.History()); n != HistoryLen {
		t.Fatalf("history %d, want %d", n, HistoryLen)
	}
	visible := 0
	for _, l := range r.used {
		if l.Visible() {
			visible++
		}
	}
	if visible != HistoryLen-1 {
		t.Errorf("%d sparkline segments, want %d", visible, HistoryLen-1)
	}
	// Rising usage: the newest point sits higher (smaller y) than the oldest.
	if first, last := r.used[0].Position1.Y, r.used[len(r.used)-1].Position2.Y; last >= first {
		t.Errorf("sparkline does not rise: %v → %v", first, last)
	}
	if r.comfy[len(r.comfy)-1].Visible() {
		t.Error("ComfyUI line drawn without a split")
	}
	m.SetComfy(30000)
	if !r.comfy[len(r.comfy)-1].Visible() {
		t.Error("ComfyUI share not drawn")
	}
	m.AddMark(t0.Add(50*time.Second), JobStart)
	m.AddMark(t0.Add(62*time.Second), JobEnd)
	if !r.marks[0].Visible() || !r.marks[1].Visible() || r.marks[2].Visible() {
		t.Error("marks not drawn")
	}
	if r.marks[0].Position1.X >= r.marks[1].Position1.X {
		t.Error("marks out of order")
	}
}

func TestMeterNoGPU(t *testing.T) {
	m, r := newTestMeter(t)
	m.Set(gpu.Sample{Time: time.Now(), NoGPU: "no NVIDIA GPU found (nvidia-smi not on PATH)", RAMUsed: 2 * gibBytes, RAMTotal: 8 * gibBytes})
	if got, want := m.Text(), "No NVIDIA GPU found (nvidia-smi not on PATH) · RAM 2.0 / 8.0 GiB"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if r.gpuFill.Visible() || r.gpuBack.Visible() || r.sparkBack.Visible() || r.used[0].Visible() {
		t.Error("GPU bar or sparkline shown without a GPU")
	}
	if !r.ramFill.Visible() || !near(r.ramFill.Size().Width, ramW/4.0) {
		t.Error("RAM not shown")
	}
	// A GPU appearing later (driver loaded) brings the bar back.
	m.Set(h200(1024, time.Now()))
	if !r.gpuFill.Visible() {
		t.Error("bar hidden after a GPU sample")
	}
}

// emitter is a Sampler that emits its samples at once, then fails or returns.
type emitter struct {
	samples []gpu.Sample
	err     error
}

func (e emitter) Run(_ context.Context, _ time.Duration, emit func(gpu.Sample)) error {
	for _, s := range e.samples {
		emit(s)
	}
	return e.err
}

func TestRunFeedsTheMeter(t *testing.T) {
	m, _ := newTestMeter(t)
	Run(t.Context(), emitter{samples: []gpu.Sample{h200(2048, time.Now())}}, m, time.Second)
	if !strings.HasPrefix(m.Text(), "NVIDIA H200  2.0 / 140.4 GiB") {
		t.Errorf("text %q", m.Text())
	}
	Run(t.Context(), emitter{err: errors.New("nvidia-smi exited 9")}, m, time.Second)
	if !strings.Contains(m.Text(), "GPU reading stopped: nvidia-smi exited 9") {
		t.Errorf("text %q", m.Text())
	}
}

// BenchmarkMeterSample is the UI-side cost of one sample (state + re-layout).
func BenchmarkMeterSample(b *testing.B) {
	test.NewApp()
	m := New()
	w := test.NewWindow(m)
	defer w.Close()
	w.Resize(fyne.NewSize(600, 40))
	t0 := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Set(h200(uint64(i%140000), t0.Add(time.Duration(i)*time.Second)))
	}
}

func near(a, b float32) bool { return a-b < 0.5 && b-a < 0.5 }

// TestMeterRowPerGPU: two GPUs get a bar each, with the share each GPU's
// ComfyUI holds drawn over the memory in use, and a line each in words.
func TestMeterRowPerGPU(t *testing.T) {
	m, r, w := newTestMeterWindow(t)
	m.Set(gpu.Sample{Time: time.Now(), RAMUsed: 6 * gibBytes, RAMTotal: 24 * gibBytes, GPUs: []gpu.Device{
		{Index: 0, Name: "NVIDIA H200", UsedMiB: 71885, TotalMiB: 143771},
		{Index: 1, Name: "NVIDIA H200", UsedMiB: 35942, TotalMiB: 143771},
	}})
	m.SetOwners([]Owner{{GPU: 0, Name: "GPU 0", MiB: 65536}, {GPU: 1, Name: "GPU 1", MiB: 30720}})
	if r.gpuFill.Visible() || !r.gpuBars[0].used.Visible() || !r.gpuBars[1].comfy.Visible() || r.gpuBars[2].back.Visible() {
		t.Fatal("two GPUs must show two bars instead of the summed one")
	}
	if !near(r.gpuBars[0].used.Size().Width, gpuW/2.0) || !near(r.gpuBars[1].used.Size().Width, gpuW/4.0) {
		t.Errorf("used bars %v and %v", r.gpuBars[0].used.Size().Width, r.gpuBars[1].used.Size().Width)
	}
	if r.gpuBars[1].back.Position().Y <= r.gpuBars[0].back.Position().Y {
		t.Error("the second GPU's bar must be below the first")
	}
	rows := m.Rows()
	if len(rows) != 2 || rows[1] != "GPU 1 NVIDIA H200  35.1 / 140.4 GiB · GPU 1's ComfyUI 30.0 GiB" {
		t.Errorf("rows %q", rows)
	}
	if got := m.History()[0].Comfy; got != 65536+30720 {
		t.Errorf("sparkline's ComfyUI line %d MiB, want both GPUs' sum", got)
	}
	if !strings.HasPrefix(m.Text(), "2 × NVIDIA H200  105.3 / 280.8 GiB") {
		t.Errorf("text %q", m.Text())
	}
	uitest.Shot(t, w, "meter-2gpus.png")
	m.Set(h200(1000, time.Now()))
	if !r.gpuFill.Visible() || r.gpuBars[0].back.Visible() {
		t.Error("back to one GPU: one bar")
	}
}

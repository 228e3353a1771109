package meter

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

// With several GPUs the meter draws one thin bar per GPU under the summary
// label instead of one bar for all: grey for memory in use, amber over it for
// the share the app's ComfyUI on that GPU holds. Rows says the same in words.

// maxGPUBars is how many GPUs get a bar of their own; a machine with more
// shows the first ones (the label still sums them all).
const maxGPUBars = 8

// Owner is how much of one GPU one of the app's ComfyUIs holds.
type Owner struct {
	GPU  int    // the GPU's index
	Name string // the backend's name, as jobs show it ("GPU 1")
	MiB  uint64
}

// gpuBar is one GPU's bar: background, memory in use, the app's share.
type gpuBar struct{ back, used, comfy *canvas.Rectangle }

func newGPUBars() []gpuBar {
	out := make([]gpuBar, maxGPUBars)
	for i := range out {
		out[i] = gpuBar{canvas.NewRectangle(topaz.Raised), canvas.NewRectangle(topaz.TextDim), canvas.NewRectangle(topaz.Amber)}
	}
	return out
}

func (b gpuBar) objects() []fyne.CanvasObject { return []fyne.CanvasObject{b.back, b.used, b.comfy} }

// SetOwners records what each of the app's ComfyUIs holds, per GPU; the
// sparkline's amber line is their sum.
func (m *Meter) SetOwners(owners []Owner) {
	m.st.owners = append(m.st.owners[:0], owners...)
	var sum uint64
	for _, o := range owners {
		sum += o.MiB
	}
	if n := len(m.st.hist); n > 0 {
		m.st.hist[n-1].Comfy = sum
	}
	if k := m.st.look(); k != m.last {
		m.last = k
		m.Refresh()
	}
}

// ownedMiB is what the app's ComfyUIs hold on GPU index.
func (s *state) ownedMiB(index int) uint64 {
	var sum uint64
	for _, o := range s.owners {
		if o.GPU == index {
			sum += o.MiB
		}
	}
	return sum
}

// Rows is one line per GPU: which it is, memory in use, and what the app's
// ComfyUI there holds (tests, accessibility, the meter's tooltip text).
func (m *Meter) Rows() []string {
	var out []string
	for _, d := range m.st.gpus {
		line := fmt.Sprintf("GPU %d %s  %.1f / %.1f GiB", d.Index, d.Name, gib(d.UsedMiB), gib(d.TotalMiB))
		var names []string
		for _, o := range m.st.owners {
			if o.GPU == d.Index {
				names = append(names, fmt.Sprintf("%s's ComfyUI %.1f GiB", o.Name, gib(o.MiB)))
			}
		}
		if len(names) > 0 {
			line += " · " + strings.Join(names, ", ")
		}
		out = append(out, line)
	}
	return out
}

// gpuLook adds each GPU bar's pixel lengths to look's key.
func (s *state) gpuLook(b *strings.Builder) {
	if len(s.gpus) < 2 {
		return
	}
	for _, d := range s.gpus {
		fmt.Fprintf(b, "g%d:%d:%d", d.Index, int(frac(d.UsedMiB, d.TotalMiB)*gpuW), int(frac(s.ownedMiB(d.Index), d.TotalMiB)*gpuW))
	}
}

// placeGPUBars stacks one bar per GPU in the space of the single bar and the
// gap above it; with one GPU (or none) they are hidden.
func (r *renderer) placeGPUBars(x, top, bottom float32, show bool) {
	st := &r.m.st
	n := min(len(st.gpus), maxGPUBars)
	if n < 2 || !show {
		n = 0
	}
	h := float32(0)
	if n > 0 {
		h = max((bottom-top-float32(n-1))/float32(n), 1)
	}
	for i, b := range r.gpuBars {
		if i >= n {
			for _, o := range b.objects() {
				o.Hide()
			}
			continue
		}
		d := st.gpus[i]
		y := top + float32(i)*(h+1)
		b.back.Move(fyne.NewPos(x, y))
		b.back.Resize(fyne.NewSize(gpuW, h))
		b.used.Move(fyne.NewPos(x, y))
		b.used.Resize(fyne.NewSize(gpuW*frac(d.UsedMiB, d.TotalMiB), h))
		b.comfy.Move(fyne.NewPos(x, y))
		b.comfy.Resize(fyne.NewSize(gpuW*frac(min(st.ownedMiB(d.Index), d.UsedMiB), d.TotalMiB), h))
		for _, o := range b.objects() {
			o.Show()
		}
	}
}

// keepGPUs remembers each GPU of a sample for the bars and Rows.
func (s *state) keepGPUs(devs []gpu.Device) { s.gpus = append(s.gpus[:0], devs...) }

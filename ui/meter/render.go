package meter

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

type widgetBase = widget.BaseWidget

// New returns an empty meter ("Reading GPU…").
func New() *Meter {
	m := &Meter{}
	m.ExtendBaseWidget(m)
	return m
}

const (
	gpuW, sparkW, ramW = 230, 96, 150
	gap                = 10
	barH               = 6
	height             = 34
	maxMarks           = 8
	sparkH             = height - 8 // drawing height of the sparkline
)

// CreateRenderer draws with plain canvas objects made once; Refresh only
// moves and recolours them, so a sample costs no allocations.
func (m *Meter) CreateRenderer() fyne.WidgetRenderer {
	r := &renderer{m: m}
	txt := func() *canvas.Text {
		t := canvas.NewText("", topaz.Text)
		t.TextSize = theme.Size(theme.SizeNameCaptionText)
		return t
	}
	r.gpuLabel, r.ramLabel = txt(), txt()
	r.gpuBack, r.ramBack = canvas.NewRectangle(topaz.Raised), canvas.NewRectangle(topaz.Raised)
	r.gpuFill, r.ramFill = canvas.NewRectangle(topaz.Amber), canvas.NewRectangle(topaz.TextDim)
	for _, b := range []*canvas.Rectangle{r.gpuBack, r.ramBack, r.gpuFill, r.ramFill} {
		b.CornerRadius = barH / 2
	}
	r.sparkBack = canvas.NewRectangle(topaz.Panel)
	r.sparkBack.StrokeColor = topaz.Line
	r.sparkBack.StrokeWidth = 1
	r.sparkBack.CornerRadius = 3
	r.objects = []fyne.CanvasObject{r.gpuLabel, r.gpuBack, r.gpuFill, r.sparkBack, r.ramLabel, r.ramBack, r.ramFill}
	r.gpuBars = newGPUBars()
	for _, b := range r.gpuBars {
		r.objects = append(r.objects, b.objects()...)
	}
	for i := 0; i < HistoryLen-1; i++ {
		l := canvas.NewLine(topaz.Text)
		l.StrokeWidth = 1.5
		c := canvas.NewLine(topaz.Amber)
		c.StrokeWidth = 1
		r.used, r.comfy = append(r.used, l), append(r.comfy, c)
		r.objects = append(r.objects, l, c)
	}
	for i := 0; i < maxMarks; i++ {
		l := canvas.NewLine(color.NRGBA{0x95, 0x9E, 0xAA, 0x90})
		r.marks = append(r.marks, l)
		r.objects = append(r.objects, l)
	}
	r.Refresh()
	return r
}

type renderer struct {
	m                                  *Meter
	gpuLabel, ramLabel                 *canvas.Text
	gpuBack, gpuFill, ramBack, ramFill *canvas.Rectangle
	sparkBack                          *canvas.Rectangle
	used, comfy, marks                 []*canvas.Line
	gpuBars                            []gpuBar // one per GPU when there are several (gpus.go)
	objects                            []fyne.CanvasObject
	size                               fyne.Size
}

func (r *renderer) Destroy()                     {}
func (r *renderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *renderer) MinSize() fyne.Size {
	return fyne.NewSize(gpuW+gap+sparkW+gap+ramW, height)
}

func (r *renderer) Layout(s fyne.Size) {
	r.size = s
	r.place()
}

func (r *renderer) Refresh() {
	st := &r.m.st
	r.gpuLabel.Text = st.gpuText()
	r.ramLabel.Text = st.ramText()
	hasGPU := st.seen && st.noGPU == "" && st.stopped == ""
	r.gpuLabel.Color = topaz.Text
	if !hasGPU {
		r.gpuLabel.Color = topaz.TextDim
	}
	for _, o := range []fyne.CanvasObject{r.gpuBack, r.gpuFill, r.sparkBack} {
		o.(interface {
			Show()
			Hide()
		}).Show()
		if !hasGPU {
			o.Hide()
		}
	}
	r.place()
	for _, o := range r.objects {
		o.Refresh()
	}
}

// place positions everything for the current state and size.
func (r *renderer) place() {
	st := &r.m.st
	x := r.size.Width - (gpuW + gap + sparkW + gap + ramW)
	if x < 0 {
		x = 0
	}
	textY := float32(2)
	barY := float32(height - barH - 4)

	r.gpuLabel.Move(fyne.NewPos(x, textY))
	r.gpuBack.Move(fyne.NewPos(x, barY))
	r.gpuBack.Resize(fyne.NewSize(gpuW, barH))
	r.gpuFill.Move(fyne.NewPos(x, barY))
	r.gpuFill.Resize(fyne.NewSize(gpuW*frac(st.used, st.total), barH))
	perGPU := len(st.gpus) > 1 && st.seen && st.noGPU == "" && st.stopped == ""
	if perGPU {
		r.gpuBack.Hide()
		r.gpuFill.Hide()
	}
	r.placeGPUBars(x, barY-barH+1, barY+barH, perGPU)

	sx := x + gpuW + gap
	r.sparkBack.Move(fyne.NewPos(sx, 2))
	r.sparkBack.Resize(fyne.NewSize(sparkW, height-4))
	r.placeSpark(sx+2, 4, sparkW-4, sparkH)

	rx := sx + sparkW + gap
	r.ramLabel.Move(fyne.NewPos(rx, textY))
	r.ramBack.Move(fyne.NewPos(rx, barY))
	r.ramBack.Resize(fyne.NewSize(ramW, barH))
	r.ramFill.Move(fyne.NewPos(rx, barY))
	r.ramFill.Resize(fyne.NewSize(ramW*frac(st.ramUsed, st.ramT), barH))
}

// placeSpark draws the history right-aligned: the newest sample at the right edge.
func (r *renderer) placeSpark(x0, y0, w, h float32) {
	st := &r.m.st
	hist := st.hist
	visible := st.seen && st.noGPU == "" && st.stopped == ""
	step := w / float32(HistoryLen-1)
	off := HistoryLen - len(hist)
	pt := func(i int, v uint64, total uint64) fyne.Position {
		return fyne.NewPos(x0+float32(off+i)*step, y0+h-h*frac(v, total))
	}
	for i := range r.used {
		l, c := r.used[i], r.comfy[i]
		if !visible || i+1 >= len(hist) {
			l.Hide()
			c.Hide()
			continue
		}
		a, b := hist[i], hist[i+1]
		l.Position1, l.Position2 = pt(i, a.Used, a.Total), pt(i+1, b.Used, b.Total)
		l.Show()
		if a.Comfy == 0 && b.Comfy == 0 {
			c.Hide()
			continue
		}
		c.Position1, c.Position2 = pt(i, a.Comfy, a.Total), pt(i+1, b.Comfy, b.Total)
		c.Show()
	}
	for i, l := range r.marks {
		if !visible || i >= len(st.marks) || len(hist) == 0 {
			l.Hide()
			continue
		}
		// Place the mark at the sample nearest its time.
		j := 0
		for j < len(hist)-1 && hist[j+1].T.Before(st.marks[i].T) {
			j++
		}
		mx := x0 + float32(off+j)*step
		l.Position1, l.Position2 = fyne.NewPos(mx, y0), fyne.NewPos(mx, y0+h)
		l.Show()
	}
}

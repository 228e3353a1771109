// Package progress is the job progress panel: the stage ComfyUI is in, an
// overall bar, the sampler's step counter, elapsed time and ETA, the latest
// latent preview, and Cancel. It also has a "waiting" state for a job that
// cannot start until model files are downloaded.
package progress

import (
	"fmt"
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
)

// Update is one snapshot of a running job. The lead's adapter builds it from
// engine/jobs events; the panel only formats it.
type Update struct {
	Stage   string        // "Loading models", "Sampling (stage 1)", "Decoding video"
	Percent float64       // overall 0..1
	Step    int           // sampler step within the stage, 0 = none
	Steps   int           // sampler steps of the stage, 0 = none
	Elapsed time.Duration // since the job started
	ETA     time.Duration // remaining; 0 or less = unknown
}

// Missing says what a job waits for before it can start.
type Missing struct {
	Files int   // model files not yet on disk
	Bytes int64 // their total size
}

// Panel is the progress view. Build it with New.
type Panel struct {
	stage, steps, times *widget.Label
	bar                 *topaz.Bar
	preview             *canvas.Image
	cancel              *widget.Button

	waitMsg  *widget.Label
	download *widget.Button

	running, waiting *fyne.Container
	root             *fyne.Container

	onDownload func()
}

// New builds an idle panel; onCancel runs (on the UI goroutine) when Cancel is tapped.
func New(onCancel func()) *Panel {
	p := &Panel{
		stage:   widget.NewLabelWithStyle("Starting…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		steps:   widget.NewLabel(""),
		times:   widget.NewLabel(""),
		bar:     topaz.NewBar(),
		preview: canvas.NewImageFromImage(nil),
		waitMsg: widget.NewLabel(""),
	}
	p.preview.FillMode = canvas.ImageFillContain
	p.preview.ScaleMode = canvas.ImageScaleFastest
	p.preview.SetMinSize(fyne.NewSize(256, 144))
	p.preview.Hide()
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if onCancel != nil {
			onCancel()
		}
	})
	p.download = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() {
		// One tap, one job: a second tap before the job shows would queue
		// the same form twice.
		if f := p.onDownload; f != nil {
			p.onDownload = nil
			f()
		}
	})
	p.download.Importance = widget.HighImportance
	p.waitMsg.Wrapping = fyne.TextWrapWord

	info := container.NewBorder(nil, nil, p.steps, p.times)
	p.running = container.NewVBox(
		container.NewBorder(nil, nil, nil, p.cancel, p.stage),
		p.bar, info, container.NewCenter(p.preview))
	p.waiting = container.NewVBox(
		widget.NewLabelWithStyle("Waiting for models", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, container.NewHBox(p.download), p.waitMsg))
	p.waiting.Hide()
	p.root = container.NewStack(p.running, p.waiting)
	return p
}

// Content is the panel's root object.
func (p *Panel) Content() fyne.CanvasObject { return p.root }

// Update shows a new snapshot and leaves the waiting state. Safe from any goroutine.
func (p *Panel) Update(u Update) { fyne.Do(func() { p.apply(u) }) }

// SetPreview shows the latest latent preview; nil hides it. Safe from any goroutine.
func (p *Panel) SetPreview(img image.Image) {
	fyne.Do(func() {
		p.preview.Image = img
		if img == nil {
			p.preview.Hide()
		} else {
			p.preview.Show()
		}
		p.root.Refresh() // re-layout: the preview's visibility changes the column

	})
}

// ShowMissing switches to the waiting state: "needs 2 model files, 27.1 GB —
// Download". onDownload runs when the button is tapped. Safe from any goroutine.
func (p *Panel) ShowMissing(m Missing, onDownload func()) {
	fyne.Do(func() {
		p.onDownload = onDownload
		p.waitMsg.SetText(MissingText(m))
		p.running.Hide()
		p.waiting.Show()
		p.root.Refresh()
	})
}

// Reset returns to an empty running state for the next job. Safe from any goroutine.
func (p *Panel) Reset() {
	fyne.Do(func() {
		p.apply(Update{Stage: "Starting…"})
		p.preview.Image = nil
		p.preview.Hide()
	})
}

// Waiting reports whether the waiting state is shown (UI goroutine / tests).
func (p *Panel) Waiting() bool { return p.waiting.Visible() }

func (p *Panel) apply(u Update) {
	p.waiting.Hide()
	p.running.Show()
	p.stage.SetText(u.Stage)
	p.bar.SetValue(clamp01(u.Percent))
	p.steps.SetText(StepText(u.Step, u.Steps))
	p.times.SetText(TimeText(u.Elapsed, u.ETA))
	p.root.Refresh() // label widths changed; lay the row out again
}

// StepText is "step 12/30", or "" when the stage has no steps.
func StepText(step, steps int) string {
	if steps <= 0 {
		return ""
	}
	return fmt.Sprintf("step %d/%d", step, steps)
}

// TimeText is "elapsed 1:05 · about 2:10 left", dropping what is unknown.
func TimeText(elapsed, eta time.Duration) string {
	s := "elapsed " + Clock(elapsed)
	if eta > 0 {
		s += " · about " + Clock(eta) + " left"
	}
	return s
}

// MissingText is "needs 2 model files, 27.1 GB".
func MissingText(m Missing) string {
	noun := "files"
	if m.Files == 1 {
		noun = "file"
	}
	return fmt.Sprintf("needs %d model %s, %s", m.Files, noun, Bytes(m.Bytes))
}

// Clock formats a duration as m:ss or h:mm:ss.
func Clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Bytes formats a size in decimal units, as download sizes are quoted (27.1 GB).
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, "kMGTP"[i])
}

func clamp01(v float64) float64 {
	switch {
	case v != v || v < 0: // NaN or negative
		return 0
	case v > 1:
		return 1
	}
	return v
}

package setup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

type downloadPage struct {
	f      *Flow
	choice Choice
	files  map[string]DownloadProgress
	rows   map[string]*fileRow
	list   *fyne.Container
	total  *topaz.Bar
	speed  *widget.Label
	paused bool

	pause, cancel, retry, back *widget.Button
	errView                    *errorview.View
	errBox                     fyne.CanvasObject
	root                       *fyne.Container
}

type fileRow struct {
	name, bytes *widget.Label
	bar         *topaz.Bar
}

func newDownloadPage(f *Flow) *downloadPage {
	p := &downloadPage{f: f, files: map[string]DownloadProgress{}, rows: map[string]*fileRow{}}
	p.list = container.NewVBox()
	p.total = topaz.NewBar()
	p.speed = widget.NewLabel("")
	p.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.onPause)
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { call(f.act.CancelDownload) })
	p.retry = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() {
		p.begin(p.choice)
		if f.act.StartDownload != nil {
			f.act.StartDownload(p.choice)
		}
	})
	p.retry.Importance = widget.HighImportance
	p.back = widget.NewButton("Change models", func() { f.show(StepModels) })
	p.errView = errorview.New(errorview.Message{})
	p.errBox = p.errView.Content()

	title := widget.NewLabelWithStyle("Model files", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	note := widget.NewLabel("Files you already have are checked and reused; downloads resume where they stopped, even after closing the app.")
	note.Importance = widget.LowImportance
	note.Wrapping = fyne.TextWrapWord // half a window wide, beside the install
	top := container.NewVBox(title, note, p.total, p.speed, p.errBox)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(p.back, p.pause, p.cancel, p.retry))
	p.root = container.NewBorder(top, bottom, nil, nil, container.NewVScroll(p.list))
	p.begin(Choice{Precision: workflows.FP8})
	return p
}

// begin resets the page for a (re)started download of a selection.
func (p *downloadPage) begin(c Choice) {
	p.choice, p.paused = c, false
	p.pause.SetText("Pause")
	p.pause.SetIcon(theme.MediaPauseIcon())
	p.pause.Show()
	p.cancel.Show()
	p.retry.Hide()
	p.back.Hide()
	p.errBox.Hide()
	p.speed.SetText("Starting…")
	if p.root != nil {
		p.root.Refresh()
	}
}

func (p *downloadPage) progress(e DownloadProgress) {
	row, ok := p.rows[e.File]
	if !ok {
		row = &fileRow{name: widget.NewLabel(e.File), bytes: widget.NewLabel(""), bar: topaz.NewBar()}
		row.name.Truncation = fyne.TextTruncateEllipsis
		row.bytes.Importance = widget.LowImportance
		p.rows[e.File] = row
		p.list.Add(container.NewVBox(container.NewBorder(nil, nil, nil, row.bytes, row.name), row.bar))
	}
	p.files[e.File] = e
	row.bytes.SetText(fmt.Sprintf("%s / %s", Bytes(e.Done), Bytes(e.Total)))
	if e.Note != "" {
		row.bytes.SetText(e.Note + " · " + Bytes(e.Total))
	}
	row.bar.SetValue(ratio(e.Done, e.Total))

	var done, total int64
	var bps float64
	var eta time.Duration
	for _, f := range p.files {
		if f.Note != "" {
			continue // found on disk: no bytes to download
		}
		done, total = done+f.Done, total+f.Total
		if f.Done < f.Total {
			bps += f.BytesPerSec
			eta = max(eta, f.ETA)
		}
	}
	p.total.SetValue(ratio(done, total))
	if !p.paused {
		p.speed.SetText(SpeedText(done, total, bps, eta))
	}
	p.list.Refresh()
}

func (p *downloadPage) done(err error) {
	if err == nil {
		p.pause.Hide()
		p.cancel.Hide()
		p.total.SetValue(1)
		p.speed.SetText("All model files are in place.")
		p.root.Refresh()
		return
	}
	p.pause.Hide()
	p.cancel.Hide()
	p.retry.Show()
	p.back.Show()
	m := errorview.Message{What: "The download stopped.", Do: capitalise(err.Error()), Details: err.Error()}
	if errors.Is(err, context.Canceled) {
		m = errorview.Message{What: "The download was cancelled.", Do: "What was downloaded is kept; try again to go on from there."}
	}
	p.errView.Set(m)
	p.errBox.Show()
	p.speed.SetText("")
	p.root.Refresh()
}

func (p *downloadPage) onPause() {
	p.paused = !p.paused
	if p.paused {
		p.pause.SetText("Resume")
		p.pause.SetIcon(theme.MediaPlayIcon())
		p.speed.SetText("Paused")
		call(p.f.act.PauseDownload)
	} else {
		p.pause.SetText("Pause")
		p.pause.SetIcon(theme.MediaPauseIcon())
		p.speed.SetText("Resuming…")
		call(p.f.act.ResumeDownload)
	}
}

// SpeedText is "12.3 of 27.1 GB · 45.2 MB/s · about 5:27 left". The time
// left comes from the bytes left and the summed speed; without a speed it
// falls back to the engine's own estimate (eta, 0 = unknown).
func SpeedText(done, total int64, bps float64, eta time.Duration) string {
	s := fmt.Sprintf("%s of %s", Bytes(done), Bytes(total))
	if bps > 0 {
		s += fmt.Sprintf(" · %s/s", Bytes(int64(bps)))
		if left := total - done; left > 0 {
			eta = time.Duration(float64(left) / bps * float64(time.Second))
		}
	}
	if eta > 0 && done < total {
		s += " · about " + clock(eta) + " left"
	}
	return s
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return min(1, float64(a)/float64(b))
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

package modeform

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// slot is one media input: a card with a preview (thumbnail, or kind and
// length), Choose/Clear buttons and the field note below.
type slot struct {
	def   workflows.MediaSlot
	state Media
	gen   int // bumps on every new file so a late probe result is dropped

	card   *fyne.Container
	thumb  *canvas.Image
	icon   *widget.Icon
	name   *widget.Label
	detail *widget.RichText
	clear  *widget.Button
	choose *widget.Button
	note   *note
}

func newSlot(def workflows.MediaSlot, relayout, onChoose, onClear func()) *slot {
	s := &slot{def: def, note: newNote()}
	s.note.relayout = relayout
	s.thumb = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth}
	s.thumb.SetMinSize(fyne.NewSize(96, 64))
	s.thumb.Hide()
	s.icon = widget.NewIcon(kindIcon(def.Kind))
	s.name = widget.NewLabel("")
	s.name.Truncation = fyne.TextTruncateEllipsis
	s.detail = dim("")
	s.choose = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), onChoose)
	s.clear = widget.NewButtonWithIcon("", theme.ContentClearIcon(), onClear)
	s.clear.Importance = widget.LowImportance
	s.clear.Hide()

	title := widget.NewLabelWithStyle(def.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	preview := container.NewStack(container.NewCenter(s.icon), s.thumb)
	info := container.NewVBox(container.NewBorder(nil, nil, nil, s.clear, s.name), s.detail)
	body := container.NewBorder(nil, nil, preview, nil, info)
	back := canvas.NewRectangle(topaz.Raised)
	back.CornerRadius = 6
	back.StrokeColor = topaz.Line
	back.StrokeWidth = 1
	// Choose sits on its own row: beside the title it made two-slot cards
	// (keyframes, style) wider than the form column, and the window grew
	// past the screen's edge.
	s.card = container.NewStack(back, container.NewPadded(container.NewVBox(
		title, body, container.NewBorder(nil, nil, nil, s.choose))))
	s.show()
	return s
}

func kindIcon(k workflows.MediaKind) fyne.Resource {
	switch k {
	case workflows.MediaAudio:
		return theme.MediaMusicIcon()
	case workflows.MediaVideo:
		return theme.MediaVideoIcon()
	}
	return theme.MediaPhotoIcon()
}

// show redraws the card from s.state.
func (s *slot) show() {
	defer s.card.Refresh() // the file name and Clear button appear and go
	st := s.state
	if st.Path == "" {
		s.name.SetText("No file")
		hint := "Drop a file on the window or choose one"
		if s.def.Hint != "" {
			hint += " · " + s.def.Hint
		}
		setDim(s.detail, hint)
		s.thumb.Hide()
		s.icon.Show()
		s.clear.Hide()
		return
	}
	s.name.SetText(filepath.Base(st.Path))
	s.clear.Show()
	switch {
	case st.Probing:
		setDim(s.detail, "Checking…")
	case st.Err != "":
		setDim(s.detail, "Not usable here")
	default:
		setDim(s.detail, describe(st.Info))
	}
	if !st.Probing && st.Err == "" && st.Info.Kind == workflows.MediaImage {
		s.thumb.File = st.Path
		s.thumb.Refresh()
		s.thumb.Show()
		s.icon.Hide()
		return
	}
	s.thumb.Hide()
	s.icon.SetResource(kindIcon(s.def.Kind))
	s.icon.Show()
}

// describe is the card's detail line for a usable file.
func describe(i MediaInfo) string {
	switch i.Kind {
	case workflows.MediaImage:
		return fmt.Sprintf("Image · %d × %d", i.Width, i.Height)
	case workflows.MediaAudio:
		return "Audio · " + FormatDuration(i.Duration)
	case workflows.MediaVideo:
		s := "Video · " + FormatDuration(i.Duration)
		if i.Width > 0 {
			s += fmt.Sprintf(" · %d × %d", i.Width, i.Height)
		}
		return s
	}
	return string(i.Kind)
}

// contains reports whether the absolute position p lies on the card.
func (s *slot) contains(p fyne.Position) bool {
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(s.card) == nil {
		return false
	}
	o, sz := d.AbsolutePositionForObject(s.card), s.card.Size()
	return p.X >= o.X && p.Y >= o.Y && p.X < o.X+sz.Width && p.Y < o.Y+sz.Height
}

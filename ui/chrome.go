package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/meter"
	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// header is the top bar: app name, mode chip, backend status, VRAM meter.
type header struct {
	tag       *canvas.Text
	status    *canvas.Text
	statusDot *canvas.Circle
	meter     *meter.Meter
	unload    *widget.Button // hidden until SetUnload gives it an action
	setup     *widget.Button // "Finish setup", hidden until SetSetup gives it an action
	box       fyne.CanvasObject
}

func newHeader() *header {
	h := &header{meter: meter.New()}
	name := canvas.NewText("LTX 2.3 Studio", topaz.Text)
	name.TextStyle = fyne.TextStyle{Bold: true}
	name.TextSize = theme.Size(theme.SizeNameSubHeadingText)
	h.tag = canvas.NewText("", topaz.Amber)
	h.tag.TextStyle = fyne.TextStyle{Bold: true}
	h.tag.TextSize = theme.Size(theme.SizeNameCaptionText)
	chipBack := canvas.NewRectangle(color.Transparent)
	chipBack.StrokeColor = topaz.Amber
	chipBack.StrokeWidth = 1
	chipBack.CornerRadius = 10
	h.tag.Alignment = fyne.TextAlignCenter
	// The chip is as wide as the widest tag, so the status beside it does
	// not move when the mode changes.
	widest := float32(0)
	for _, m := range workflows.Modes() {
		widest = max(widest, fyne.MeasureText(m.Tag, h.tag.TextSize, h.tag.TextStyle).Width)
	}
	sizer := canvas.NewRectangle(color.Transparent)
	sizer.SetMinSize(fyne.NewSize(widest, 1))
	chip := container.NewStack(chipBack, container.New(layout.NewCustomPaddedLayout(2, 2, 10, 10), container.NewStack(sizer, h.tag)))

	h.statusDot = canvas.NewCircle(topaz.TextDim)
	dot := container.NewGridWrap(fyne.NewSize(8, 8), h.statusDot)
	h.status = canvas.NewText("Backend not started", topaz.TextDim)
	h.status.TextSize = theme.Size(theme.SizeNameCaptionText)

	h.unload = widget.NewButton("Unload models", nil)
	h.unload.Importance = widget.LowImportance
	h.unload.Hide()
	h.setup = widget.NewButtonWithIcon("Finish setup", theme.SettingsIcon(), nil)
	h.setup.Importance = widget.HighImportance
	h.setup.Hide()
	// Unload sits beside the status: the meter paints its GPU line past its
	// own left edge, over anything placed there.
	left := container.NewHBox(name, container.NewCenter(chip), layout.NewSpacer(),
		container.NewCenter(dot), container.NewCenter(h.status), container.NewCenter(h.unload), container.NewCenter(h.setup))
	bar := container.NewBorder(nil, nil, left, container.NewCenter(h.meter))
	back := canvas.NewRectangle(topaz.Panel)
	line := canvas.NewRectangle(topaz.Line)
	line.SetMinSize(fyne.NewSize(1, 1))
	h.box = container.NewBorder(nil, line, nil, nil,
		container.NewStack(back, container.New(layout.NewCustomPaddedLayout(6, 6, 14, 14), bar)))
	return h
}

func (h *header) setMode(m workflows.Mode) {
	h.tag.Text = m.Tag
	h.tag.Refresh()
}

func (h *header) setStatus(text string, ok bool) {
	h.status.Text = text
	h.statusDot.FillColor = topaz.TextDim
	if ok {
		h.statusDot.FillColor = theme.Color(theme.ColorNameSuccess)
	}
	h.status.Refresh()
	h.statusDot.Refresh()
	h.box.Refresh() // lay the bar out again for the new text's width
}

// Tag is the header's mode chip text (tests).
func (s *Shell) Tag() string { return s.header.tag.Text }

// newSidebar lists the modes with their icons and Ctrl+N keys.
func newSidebar(modes []workflows.Mode, onSelect func(workflows.ModeID)) *widget.List {
	l := widget.NewList(
		func() int { return len(modes) },
		func() fyne.CanvasObject {
			key := canvas.NewText("Ctrl+0", topaz.TextDim)
			key.TextSize = theme.Size(theme.SizeNameCaptionText)
			// The key hint keeps clear of the selection highlight's right edge.
			hint := container.New(layout.NewCustomPaddedLayout(0, 0, 0, 2*theme.Padding()), container.NewCenter(key))
			return container.NewBorder(nil, nil, widget.NewIcon(theme.DocumentIcon()), hint, widget.NewLabel("Keyframes xx"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(modes[i].Label)
			c.Objects[1].(*widget.Icon).SetResource(modeIcon(modes[i].Icon))
			key := c.Objects[2].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Text)
			key.Text = "Ctrl+" + strconv.Itoa(i+1)
			key.Refresh()
		})
	l.OnSelected = func(i widget.ListItemID) { onSelect(modes[i].ID) }
	return l
}

// modeIcon looks the registry's icon name (a Fyne theme icon name, kept as
// a plain string so workflows needs no Fyne) up in the current theme, so a
// new mode needs no edit here.
func modeIcon(name string) fyne.Resource {
	return theme.Icon(fyne.ThemeIconName(name))
}

// panel puts o on the deeper panel colour.
func panel(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(canvas.NewRectangle(topaz.Panel), o)
}

// newPlaceholder is the output area until a job shows its video.
func newPlaceholder() fyne.CanvasObject {
	icon := widget.NewIcon(theme.MediaVideoIcon())
	iconBox := container.NewGridWrap(fyne.NewSize(64, 64), icon)
	title := widget.NewLabelWithStyle("Your video appears here", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	sub := canvas.NewText("Fill in the form and press Generate (Ctrl+Enter).", topaz.TextDim)
	sub.TextSize = theme.Size(theme.SizeNameCaptionText)
	sub.Alignment = fyne.TextAlignCenter
	return container.NewCenter(container.NewVBox(container.NewCenter(iconBox), title, sub))
}

func itoa(i int) string { return strconv.Itoa(i) }

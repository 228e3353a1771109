package player

import (
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Result is what the card says about a finished generation.
type Result struct {
	Path string        // the video file
	Seed int64         // the seed actually used
	Took time.Duration // wall time of the job
}

// Actions are the card's buttons; a nil action hides its button. They run on
// the UI goroutine.
type Actions struct {
	OpenFolder     func() // show the file in the file manager
	PlaySystem     func() // nil = the player's own OpenInSystemPlayer
	Rerun          func() // same form, same seed
	RerunNextSeed  func() // same form, seed+1
	LoadSettings   func() // put this job's form back into the editor
	ExportWorkflow func() // save the ComfyUI API-format JSON
}

// ResultCard is the player plus what was made and what to do with it.
type ResultCard struct {
	Player  *Player // may be nil: the card then shows no video
	info    *widget.Label
	buttons map[string]*widget.Button
	root    *fyne.Container
}

// NewResultCard builds the card. p may be nil (e.g. while the video is still
// being written); the card never closes p — whoever made it does.
func NewResultCard(r Result, p *Player, a Actions) *ResultCard {
	c := &ResultCard{Player: p, buttons: map[string]*widget.Button{}}
	c.info = widget.NewLabel(Summary(r))
	c.info.Wrapping = fyne.TextWrapWord
	play := a.PlaySystem
	if play == nil && p != nil {
		play = p.playSystem
	}
	row := container.New(layout.NewRowWrapLayout())
	add := func(key, label string, icon fyne.Resource, f func()) {
		if f == nil {
			return
		}
		b := widget.NewButtonWithIcon(label, icon, f)
		c.buttons[key] = b
		row.Add(b)
	}
	add("rerun", "Re-run", theme.ViewRefreshIcon(), a.Rerun)
	// "seed + 1", not the number: a 19-digit random seed made the button
	// wider than the panel and wrapped the whole row.
	add("next", "Re-run with seed + 1", theme.MediaSkipNextIcon(), a.RerunNextSeed)
	add("load", "Load settings", theme.DocumentIcon(), a.LoadSettings)
	add("folder", "Open folder", theme.FolderOpenIcon(), a.OpenFolder)
	add("system", "System player", theme.MediaVideoIcon(), play)
	add("export", "Export workflow", theme.DocumentSaveIcon(), a.ExportWorkflow)
	var top fyne.CanvasObject = layout.NewSpacer()
	if p != nil {
		top = p.Content()
	}
	c.root = container.NewBorder(nil, container.NewVBox(c.info, row), nil, nil, top)
	return c
}

// Content is the card's root object.
func (c *ResultCard) Content() fyne.CanvasObject { return c.root }

// Summary is "seed 42 · took 3:12 · t2v_0001.mp4".
func Summary(r Result) string {
	return fmt.Sprintf("seed %d · took %s · %s", r.Seed, tookText(r.Took), filepath.Base(r.Path))
}

func tookText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return clock(d)
}

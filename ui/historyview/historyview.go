// Package historyview lists past generations (read by the engine from the
// sidecar files beside each video, so the list survives reinstalling the
// app) with a mode filter and per-video actions.
package historyview

import (
	"fmt"
	"image"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Item is one past generation.
type Item struct {
	Path          string // the video
	Sidecar       string // its settings file
	Mode          workflows.ModeID
	Prompt        string
	Seed          int64
	Duration      time.Duration // video length
	Took          time.Duration // how long making it took (the sidecar's one figure)
	Created       time.Time
	Thumbnail     image.Image // preferred when set
	ThumbnailPath string      // else an image file to show
}

// Actions are the per-row buttons; nil hides a button. Play, Open, Rerun and
// LoadSettings run on the UI goroutine. Delete runs there too after the
// person confirmed; it should be quick (it removes two files).
type Actions struct {
	Play         func(Item)
	Open         func(Item) // show in the file manager
	Rerun        func(Item)
	LoadSettings func(Item)
	Delete       func(Item) error // remove the video and its sidecar
}

const allModes = "All modes"

// View is the history screen. Build it with New, fill it with Reload.
type View struct {
	load   func() ([]Item, error)
	act    Actions
	win    fyne.Window
	loaded bool // the first Reload has ended (UI goroutine)

	mu     sync.Mutex // guards items and filter against Reload from other goroutines
	items  []Item     // everything loaded, newest first
	filter workflows.ModeID

	shown   []Item // the filtered rows; UI goroutine only
	list    *widget.List
	sel     *widget.Select
	status  *widget.Label
	empty   *widget.Label
	root    *fyne.Container
	confirm *dialog.ConfirmDialog    // the open delete confirmation, for tests
	rows    map[*fyne.Container]*row // list templates → their widgets
}

// New builds the view. load reads every sidecar (it may be slow: Reload runs
// it on the caller's goroutine). win parents the delete confirmation.
func New(load func() ([]Item, error), a Actions, win fyne.Window) *View {
	v := &View{load: load, act: a, win: win, rows: map[*fyne.Container]*row{}}
	opts := []string{allModes}
	for _, m := range workflows.Modes() {
		opts = append(opts, m.Label)
	}
	v.sel = widget.NewSelect(opts, v.onFilter)
	v.status = widget.NewLabel("")
	v.status.Importance = widget.DangerImportance
	v.status.Wrapping = fyne.TextWrapWord
	v.status.Hide()
	v.empty = widget.NewLabel("No videos yet. Finished videos appear here.")
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Hide()
	v.list = widget.NewList(func() int { return len(v.shown) }, v.newRow, v.updateRow)
	top := container.NewBorder(nil, v.status, widget.NewLabelWithStyle("History", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.sel)
	v.root = container.NewBorder(top, nil, nil, nil, container.NewStack(v.list, container.NewCenter(v.empty)))
	v.sel.SetSelectedIndex(0)
	return v
}

// Content is the view's root object.
func (v *View) Content() fyne.CanvasObject { return v.root }

// Reload runs the loader on the calling goroutine and shows the result.
// Safe from any goroutine; call it with go from the UI goroutine.
func (v *View) Reload() {
	items, err := v.load()
	sort.SliceStable(items, func(i, j int) bool { return items[i].Created.After(items[j].Created) })
	v.mu.Lock()
	if err == nil {
		v.items = items
	}
	v.mu.Unlock()
	fyne.Do(func() {
		v.loaded = true
		if err != nil {
			v.showError(fmt.Sprintf("Could not read the history: %v", err))
		} else {
			v.showError("")
		}
		v.rebuild()
	})
}

// SetFilter shows only mode id ("" = all modes). Safe from any goroutine.
func (v *View) SetFilter(id workflows.ModeID) {
	fyne.Do(func() {
		if m, ok := workflows.Lookup(id); ok {
			v.sel.SetSelected(m.Label) // calls onFilter
		} else {
			v.sel.SetSelectedIndex(0)
		}
	})
}

// Shown is the rows on screen (UI goroutine / tests).
func (v *View) Shown() []Item { return append([]Item(nil), v.shown...) }

func (v *View) onFilter(label string) {
	var id workflows.ModeID
	for _, m := range workflows.Modes() {
		if m.Label == label {
			id = m.ID
		}
	}
	v.mu.Lock()
	v.filter = id
	v.mu.Unlock()
	v.rebuild()
}

func (v *View) rebuild() {
	v.mu.Lock()
	v.shown = v.shown[:0]
	for _, it := range v.items {
		if v.filter == "" || it.Mode == v.filter {
			v.shown = append(v.shown, it)
		}
	}
	v.mu.Unlock()
	if len(v.shown) == 0 {
		// Until the first read ends (thumbnails take a moment), "No videos
		// yet" would be a false statement that flashes away.
		if v.loaded {
			v.empty.SetText("No videos yet. Finished videos appear here.")
		} else {
			v.empty.SetText("Reading the history…")
		}
		v.empty.Show()
	} else {
		v.empty.Hide()
	}
	v.list.UnselectAll()
	v.list.Refresh()
}

func (v *View) showError(msg string) {
	v.status.SetText(msg)
	if msg == "" {
		v.status.Hide()
	} else {
		v.status.Show()
	}
	v.root.Refresh()
}

// row is one list entry's widgets; its buttons act on the item at index id.
type row struct {
	thumb                       *canvas.Image
	title, prompt, meta         *widget.Label
	play, open, rerun, settings *widget.Button
	del                         *widget.Button
	id                          int
}

func (v *View) newRow() fyne.CanvasObject {
	r := &row{id: -1, thumb: canvas.NewImageFromImage(nil)} // -1 until bound: the list also makes rows just to measure
	r.thumb.FillMode = canvas.ImageFillContain
	r.thumb.SetMinSize(fyne.NewSize(112, 63))
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.prompt = widget.NewLabel("")
	r.prompt.Truncation = fyne.TextTruncateEllipsis
	r.meta = widget.NewLabel("")
	r.meta.Importance = widget.LowImportance
	r.meta.Truncation = fyne.TextTruncateEllipsis // job file names are long
	// Labelled, not icon-only: Fyne has no tooltips, and a bare folder or
	// refresh icon leaves a newcomer guessing.
	btn := func(label string, icon fyne.Resource, f func(Item)) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, func() {
			if r.id >= 0 && r.id < len(v.shown) {
				f(v.shown[r.id])
			}
		})
		b.Importance = widget.LowImportance
		if f == nil {
			b.Hide()
		}
		return b
	}
	r.play = btn("Play", theme.MediaPlayIcon(), v.act.Play)
	r.open = btn("Folder", theme.FolderOpenIcon(), v.act.Open)
	r.rerun = btn("Re-run", theme.ViewRefreshIcon(), v.act.Rerun)
	r.settings = btn("Settings", theme.DocumentIcon(), v.act.LoadSettings)
	var del func(Item)
	if v.act.Delete != nil {
		del = v.askDelete
	}
	r.del = btn("Delete", theme.DeleteIcon(), del)
	// The buttons go under the text: five labelled buttons beside it left
	// the prompt no room in the half-window panel.
	buttons := container.NewHBox(r.play, r.open, r.rerun, r.settings, r.del)
	text := container.NewVBox(r.title, r.prompt, r.meta, buttons)
	c := container.NewBorder(nil, nil, container.NewVBox(r.thumb), nil, text)
	v.rows[c] = r
	return c
}

func (v *View) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := v.rows[o.(*fyne.Container)]
	it := v.shown[id]
	r.id = id
	r.thumb.Image, r.thumb.File, r.thumb.Resource = it.Thumbnail, "", nil
	switch {
	case it.Thumbnail != nil:
	case it.ThumbnailPath != "":
		r.thumb.File = it.ThumbnailPath
	default: // no thumbnail yet: a neutral video glyph, not a hole
		r.thumb.Resource = theme.NewDisabledResource(theme.MediaVideoIcon())
	}
	r.thumb.Refresh()
	r.title.SetText(Title(it))
	r.prompt.SetText(strings.Join(strings.Fields(it.Prompt), " "))
	r.meta.SetText(Meta(it))
}

func (v *View) askDelete(it Item) {
	msg := fmt.Sprintf("Delete %s and its settings file?\nThis cannot be undone.", filepath.Base(it.Path))
	v.confirm = dialog.NewConfirm("Delete video", msg, func(ok bool) {
		v.confirm = nil
		if !ok {
			return
		}
		if err := v.act.Delete(it); err != nil {
			v.showError(fmt.Sprintf("Could not delete %s: %v", filepath.Base(it.Path), err))
			return
		}
		v.mu.Lock()
		for i := range v.items {
			if v.items[i].Path == it.Path {
				v.items = append(v.items[:i], v.items[i+1:]...)
				break
			}
		}
		v.mu.Unlock()
		v.showError("")
		v.rebuild()
	}, v.win)
	v.confirm.SetConfirmText("Delete")
	v.confirm.SetDismissText("Cancel")
	v.confirm.SetConfirmImportance(widget.DangerImportance)
	v.confirm.Show()
}

// Title is "T2V · 28 Nov 2026 14:03".
func Title(it Item) string {
	tag := strings.ToUpper(string(it.Mode))
	if m, ok := workflows.Lookup(it.Mode); ok {
		tag = m.Tag
	}
	return tag + " · " + it.Created.Local().Format("2 Jan 2006 15:04")
}

// Meta is "seed 42 · 5.0 s · t2v_0001.mp4".
func Meta(it Item) string {
	return fmt.Sprintf("seed %d · %.1f s · %s", it.Seed, it.Duration.Seconds(), filepath.Base(it.Path))
}

// Package queueview lists the jobs that are running or waiting, and lets a
// person reorder the waiting ones or cancel any of them. The queue itself
// lives in engine/jobs; this view only shows snapshots and forwards taps.
package queueview

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ltxstudio/ltx-studio/ui/topaz"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// State is where a job is in the queue.
type State int

const (
	Pending State = iota // waiting its turn
	Waiting              // blocked, e.g. on a model download
	Running
)

func (s State) String() string { return [...]string{"queued", "waiting", "running"}[s] }

// Job is one row.
type Job struct {
	ID       string
	Mode     workflows.ModeID
	Prompt   string
	State    State
	Progress float64 // 0..1, for Running
	Note     string  // optional: "needs 2 model files", "stage 2 of 3"
	On       string  // the GPU or server running it ("GPU 1", "remote-1 host:port"), when known
}

// Actions forward taps by job ID; they run on the UI goroutine.
type Actions struct {
	MoveUp, MoveDown, Cancel func(id string)
}

// View is the queue screen. Build it with New; feed it with Set.
type View struct {
	act   Actions
	jobs  []Job // UI goroutine only
	list  *widget.List
	empty *widget.Label
	root  *fyne.Container
	rows  map[*fyne.Container]*row
}

// New builds an empty queue view.
func New(a Actions) *View {
	v := &View{act: a, rows: map[*fyne.Container]*row{}}
	v.list = widget.NewList(func() int { return len(v.jobs) }, v.newRow, v.updateRow)
	v.empty = widget.NewLabel("Nothing queued.")
	title := widget.NewLabelWithStyle("Queue", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.root = container.NewBorder(title, nil, nil, nil, container.NewStack(v.list, container.NewCenter(v.empty)))
	return v
}

// Content is the view's root object.
func (v *View) Content() fyne.CanvasObject { return v.root }

// Set shows a new snapshot of the queue, in queue order (running first).
// Safe from any goroutine.
func (v *View) Set(jobs []Job) {
	jobs = append([]Job(nil), jobs...)
	fyne.Do(func() {
		v.jobs = jobs
		if len(jobs) == 0 {
			v.empty.Show()
		} else {
			v.empty.Hide()
		}
		v.list.Refresh()
	})
}

// SetProgress moves one job's bar without a new snapshot: progress comes
// many times a second, the queue itself changes rarely. Safe from any
// goroutine.
func (v *View) SetProgress(id string, p float64) {
	fyne.Do(func() {
		for i := range v.jobs {
			if v.jobs[i].ID == id && v.jobs[i].Progress != p {
				v.jobs[i].Progress = p
				v.list.RefreshItem(i)
			}
		}
	})
}

// Jobs is the snapshot on screen (UI goroutine / tests).
func (v *View) Jobs() []Job { return append([]Job(nil), v.jobs...) }

type row struct {
	title, note    *widget.Label
	bar            *topaz.Bar
	up, down, stop *widget.Button
	id             int
}

func (v *View) newRow() fyne.CanvasObject {
	r := &row{id: -1, title: widget.NewLabel(""), note: widget.NewLabel(""), bar: topaz.NewBar()} // -1 until bound: the list also makes rows just to measure
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.note.Importance = widget.LowImportance
	act := func(label string, icon fyne.Resource, f func(string)) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, func() { // labelled: Fyne has no tooltips
			if f != nil && r.id >= 0 && r.id < len(v.jobs) {
				f(v.jobs[r.id].ID)
			}
		})
		b.Importance = widget.LowImportance
		return b
	}
	r.up = act("Earlier", theme.MoveUpIcon(), v.act.MoveUp)
	r.down = act("Later", theme.MoveDownIcon(), v.act.MoveDown)
	r.stop = act("Cancel", theme.CancelIcon(), v.act.Cancel)
	c := container.NewBorder(nil, nil, nil, container.NewHBox(r.up, r.down, r.stop),
		container.NewVBox(r.title, container.NewStack(r.note, r.bar)))
	v.rows[c] = r
	return c
}

func (v *View) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, j := v.rows[o.(*fyne.Container)], v.jobs[id]
	r.id = id
	tag := strings.ToUpper(string(j.Mode))
	if m, ok := workflows.Lookup(j.Mode); ok {
		tag = m.Tag
	}
	if j.On != "" && j.State == Running {
		tag += " · " + j.On // with several GPUs, which one is busy with it
	}
	r.title.SetText(fmt.Sprintf("%s · %s", tag, strings.Join(strings.Fields(j.Prompt), " ")))
	if j.State == Running {
		r.note.Hide()
		r.bar.Show()
		r.bar.SetValue(j.Progress)
	} else {
		r.bar.Hide()
		r.note.Show()
		r.note.SetText(noteText(j))
	}
	// Only waiting jobs move, and only among waiting jobs: the running one
	// is already on the GPU.
	movable := j.State != Running
	setEnabled(r.up, movable && id > 0 && v.jobs[id-1].State != Running && v.act.MoveUp != nil)
	setEnabled(r.down, movable && id < len(v.jobs)-1 && v.act.MoveDown != nil)
	setEnabled(r.stop, v.act.Cancel != nil)
}

func noteText(j Job) string {
	if j.Note != "" {
		return j.State.String() + " · " + j.Note
	}
	return j.State.String()
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

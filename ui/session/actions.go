package session

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // preview frames
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	enghist "github.com/ltxstudio/ltx-studio/engine/history"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui/historyview"
	"github.com/ltxstudio/ltx-studio/ui/progress"
	"github.com/ltxstudio/ltx-studio/workflows"
)

var phaseNames = map[jobs.Phase]string{
	jobs.PhasePreparing: "Preparing",
	jobs.PhaseModels:    "Getting model files",
	jobs.PhaseUploading: "Handing media to ComfyUI",
	jobs.PhaseQueued:    "Waiting for ComfyUI",
	jobs.PhaseSaving:    "Saving the video",
	jobs.PhaseReconnect: "Reconnecting to ComfyUI",
}

// progressUpdate words the engine's progress for the panel.
func progressUpdate(p jobs.Progress) progress.Update {
	stage := phaseNames[p.Phase]
	if p.Phase == jobs.PhaseRunning {
		stage = p.Stage.Label()
		if p.StageCount > 0 {
			stage += fmt.Sprintf(" (%d of %d)", p.StageIndex, p.StageCount)
		}
	}
	if p.Phase == jobs.PhaseModels && p.Model != nil && p.Model.Total > 0 {
		stage += fmt.Sprintf(" · %s of %s", progress.Bytes(p.Model.Done), progress.Bytes(p.Model.Total))
	}
	eta := p.ETA
	if eta < 0 {
		eta = 0
	}
	return progress.Update{Stage: stage, Percent: p.Percent / 100, Step: p.Step, Steps: p.Steps, Elapsed: p.Elapsed, ETA: eta}
}

func decodeImage(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}

// loadHistory turns the sidecars into rows, with cached thumbnails.
func (s *Session) loadHistory() ([]historyview.Item, error) {
	es, err := s.st.History()
	items := make([]historyview.Item, 0, len(es))
	for _, e := range es {
		it := historyview.Item{Path: e.Video, Sidecar: e.Sidecar, Mode: e.Meta.Mode, Prompt: e.Meta.Form.Prompt,
			Seed: e.Meta.Seed, Created: e.Created, Took: e.Took}
		if e.Meta.Form.FPS > 0 {
			fr := workflows.Frames(e.Meta.Form.Seconds, e.Meta.Form.FPS)
			it.Duration = time.Duration(workflows.TrueSeconds(fr, e.Meta.Form.FPS) * float64(time.Second))
		}
		it.ThumbnailPath = s.thumbnail(e.Video)
		items = append(items, it)
	}
	return items, err
}

// thumbnail returns a cached PNG of the video's first frame ("" without ffmpeg).
func (s *Session) thumbnail(video string) string {
	if s.ffmpeg == "" {
		return ""
	}
	fi, err := os.Stat(video)
	if err != nil {
		return ""
	}
	dir := filepath.Join(s.st.Dirs().Cache, "thumbs")
	name := fmt.Sprintf("%x-%d.png", []byte(filepath.Base(video)), fi.ModTime().Unix())
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	img, err := media.Thumbnail(ctx, s.ffmpeg, video)
	if err != nil {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		return ""
	}
	return p
}

func (s *Session) deleteHistory(it historyview.Item) error {
	e, err := enghist.Read(it.Sidecar)
	if err != nil {
		return err
	}
	return enghist.Delete(e)
}

// formOf reads the form a finished video was made with.
func formOf(sidecar string) (workflows.Form, []byte, error) {
	e, err := enghist.Read(sidecar)
	if err != nil {
		return workflows.Form{}, nil, fmt.Errorf("reading the video's settings: %w", err)
	}
	return e.Meta.Form, e.Meta.Prompt, nil
}

// rerun queues the same form again, with the seed moved by delta.
func (s *Session) rerun(sidecar string, delta int64) {
	f, _, err := formOf(sidecar)
	if err != nil {
		s.showError("Re-run failed", err, "The settings file beside the video is missing or damaged.")
		return
	}
	f.RandomSeed = false
	f.Seed += delta
	s.Generate(f)
}

// loadSettings puts a finished video's form back into the editor.
func (s *Session) loadSettings(sidecar string) {
	f, _, err := formOf(sidecar)
	if err != nil {
		s.showError("Loading the settings failed", err, "The settings file beside the video is missing or damaged.")
		return
	}
	if s.shell != nil {
		fyne.Do(func() { s.shell.LoadForm(f) })
	}
}

// exportWorkflow saves the exact API-format prompt the video was made with,
// which ComfyUI accepts as is.
func (s *Session) exportWorkflow(sidecar string) {
	name, data, err := workflowExport(sidecar)
	if err != nil {
		s.showMessage(errMsg("Export failed", "This video has no recorded workflow."))
		return
	}
	fyne.Do(func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			defer w.Close()
			if _, err := w.Write(data); err != nil {
				s.showError("Export failed", err, "Choose another folder.")
			}
		}, s.win)
		d.SetFileName(name)
		d.Show()
		d.Resize(fyne.NewSize(820, 560)) // after Show: Fyne's dialog has no pop-up to size before it
	})
}

// workflowExport is the file Export workflow offers (engine/history words it).
func workflowExport(sidecar string) (string, []byte, error) {
	e, err := enghist.Read(sidecar)
	if err != nil {
		return "", nil, err
	}
	return e.Workflow()
}

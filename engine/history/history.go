// Package history lists past generations from the sidecar JSON files written
// beside each video, so the history survives reinstalling the app: the output
// folder is the database.
package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Entry is one finished generation.
type Entry struct {
	Video   string // absolute path of the mp4
	Sidecar string // absolute path of its .json
	Created time.Time
	Took    time.Duration // the sidecar's one "took" (jobs.Sidecar.Took)
	Meta    jobs.Sidecar
}

// List reads every sidecar in dir whose video still exists, newest first.
// Unreadable sidecars are skipped (and counted in the error) rather than
// hiding the rest of the history.
func List(dir string) ([]Entry, error) {
	names, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the output folder: %w", err)
	}
	var out []Entry
	var bad []string
	for _, d := range names {
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			continue
		}
		p := filepath.Join(dir, d.Name())
		e, err := Read(p)
		if err != nil {
			bad = append(bad, d.Name())
			continue
		}
		if _, err := os.Stat(e.Video); err != nil {
			continue // the video was removed by hand: not a generation any more
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	if len(bad) > 0 {
		return out, fmt.Errorf("%d sidecar file(s) could not be read: %s", len(bad), strings.Join(bad, ", "))
	}
	return out, nil
}

// Read parses one sidecar. The video is the sidecar's output.file, taken as a
// base name in the same folder (never a path from the file).
func Read(sidecar string) (Entry, error) {
	b, err := os.ReadFile(sidecar)
	if err != nil {
		return Entry{}, err
	}
	var m jobs.Sidecar
	if err := json.Unmarshal(b, &m); err != nil {
		return Entry{}, fmt.Errorf("%s: %w", filepath.Base(sidecar), err)
	}
	if m.JobID == "" || m.Output.File == "" {
		return Entry{}, fmt.Errorf("%s: not an LTX Studio sidecar", filepath.Base(sidecar))
	}
	video := filepath.Join(filepath.Dir(sidecar), filepath.Base(m.Output.File))
	e := Entry{Video: video, Sidecar: sidecar, Meta: m, Created: m.Timings.Finished}
	if e.Created.IsZero() {
		if fi, err := os.Stat(sidecar); err == nil {
			e.Created = fi.ModTime()
		}
	}
	e.Took = m.Took()
	return e, nil
}

// Workflow is the Export workflow file of a finished video: the API-format
// prompt its sidecar recorded, indented, and the name to offer for it
// ("<video>.workflow_api.json").
func (e Entry) Workflow() (name string, data []byte, err error) {
	if len(e.Meta.Prompt) == 0 || string(e.Meta.Prompt) == "null" {
		return "", nil, fmt.Errorf("%s: no recorded workflow", filepath.Base(e.Sidecar))
	}
	name = strings.TrimSuffix(filepath.Base(e.Sidecar), ".json") + ".workflow_api.json"
	return name, workflows.Export(&workflows.Prompt{JSON: e.Meta.Prompt}), nil
}

// Delete removes the video and its sidecar. The video goes first, so a failure
// half-way leaves a sidecar that List skips rather than a video without one.
func Delete(e Entry) error {
	if err := os.Remove(e.Video); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting %s: %w", filepath.Base(e.Video), err)
	}
	if err := os.Remove(e.Sidecar); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting %s: %w", filepath.Base(e.Sidecar), err)
	}
	return nil
}

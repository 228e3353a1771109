package cli

// Where a finished video goes and how the terminal names things.

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func report(env Env, j jobs.Job, out string) error {
	switch j.State {
	case jobs.Done:
	case jobs.Cancelled:
		return errors.New("cancelled")
	default:
		msg := j.Error
		for _, f := range j.Fields {
			if f.Field != "" && !strings.Contains(msg, f.Msg) {
				msg += "; " + string(f.Field) + ": " + f.Msg
			}
		}
		return errors.New(msg)
	}
	video, side := j.Output, j.Sidecar
	if out != "" {
		var err error
		if video, side, err = place(j, out); err != nil {
			return err
		}
	}
	if j.EnhancedPrompt != "" {
		fmt.Fprintf(env.Stdout, "enhanced prompt: %s\n", j.EnhancedPrompt)
	}
	fmt.Fprintf(env.Stdout, "saved %s (took %s)\nsidecar %s\n", video, j.Took().Round(time.Second), side)
	return nil
}

// outPaths is where --out puts the video and its sidecar.
func outPaths(out string) (video, side string) {
	if filepath.Ext(out) == "" {
		out += ".mp4"
	}
	return out, strings.TrimSuffix(out, filepath.Ext(out)) + ".json"
}

// checkOut refuses an --out that would overwrite a file or whose folder is missing.
func checkOut(out string) error {
	if out == "" {
		return nil
	}
	video, side := outPaths(out)
	for _, p := range []string{video, side} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("--out: %s already exists; choose another name or move it away", p)
		}
	}
	if st, err := os.Stat(filepath.Dir(video)); err != nil || !st.IsDir() {
		return fmt.Errorf("--out: the folder %s does not exist; create it first", filepath.Dir(video))
	}
	return nil
}

// place copies the finished video and its sidecar to --out, never over an
// existing file. The originals stay in the output folder, where the history
// (the window's and `ltx-studio history`) finds them.
func place(j jobs.Job, out string) (string, string, error) {
	out, side := outPaths(out)
	for _, p := range []string{out, side} {
		if _, err := os.Stat(p); err == nil {
			return j.Output, j.Sidecar, fmt.Errorf("%s already exists; the video is at %s", p, j.Output)
		}
	}
	if err := copyFile(j.Output, out); err != nil {
		return j.Output, j.Sidecar, fmt.Errorf("copy the video to %s: %w (it is at %s)", out, err, j.Output)
	}
	if err := copyFile(j.Sidecar, side); err != nil {
		return out, j.Sidecar, fmt.Errorf("copy the sidecar to %s: %w (it is at %s)", side, err, j.Sidecar)
	}
	return out, side, nil
}

// copyFile writes to a temporary name and renames it, so an interrupted copy
// never leaves a partial file under the final name.
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), ".ltx-*.partial")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), to)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// shownHost names a server by host:port, never with a password from its address.
func shownHost(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "the given address"
}

// modeName is how the terminal names a mode: the window's label and the id
// that --mode takes, "Keyframes (keyframe)".
func modeName(id workflows.ModeID) string {
	if m, ok := workflows.Lookup(id); ok {
		return m.Label + " (" + string(id) + ")"
	}
	return string(id)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

package media

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// ErrNoFFmpeg says no ffmpeg was found; the UI then offers the system player.
var ErrNoFFmpeg = errors.New("ffmpeg not found: install it (Debian/Ubuntu: sudo apt install ffmpeg; Windows: put ffmpeg.exe next to the app or on PATH), or let the managed ComfyUI install provide one")

// FindFFmpeg looks for ffmpeg and ffprobe: on PATH first, then in extraDirs
// in order (the UI passes the managed ComfyUI venv's imageio-ffmpeg binary
// folder, whose ffmpeg is named like "ffmpeg-linux-x86_64-v7.0.2"). ffprobe
// may be "" with a nil error: imageio-ffmpeg ships no ffprobe, and Probe then
// uses its built-in parsers. The error is ErrNoFFmpeg when no ffmpeg exists.
func FindFFmpeg(extraDirs ...string) (ffmpeg, ffprobe string, err error) {
	ffmpeg, _ = exec.LookPath("ffmpeg")
	ffprobe, _ = exec.LookPath("ffprobe")
	if ffmpeg != "" && ffprobe == "" {
		ffprobe = besideOrEmpty(ffmpeg, "ffprobe")
	}
	for _, dir := range extraDirs {
		if ffmpeg == "" {
			ffmpeg = findTool(dir, "ffmpeg")
			if ffmpeg != "" && ffprobe == "" {
				ffprobe = besideOrEmpty(ffmpeg, "ffprobe")
			}
		}
		if ffprobe == "" {
			ffprobe = findTool(dir, "ffprobe")
		}
	}
	if ffmpeg == "" {
		return "", "", ErrNoFFmpeg
	}
	return ffmpeg, ffprobe, nil
}

// FindFFplay finds ffplay (for a video's sound) beside ffmpeg or on PATH; ""
// when there is none, and the player then plays silently.
func FindFFplay(ffmpeg string) string {
	if ffmpeg != "" {
		if p := besideOrEmpty(ffmpeg, "ffplay"); p != "" {
			return p
		}
	}
	p, _ := exec.LookPath("ffplay")
	return p
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

func besideOrEmpty(tool, name string) string {
	p := filepath.Join(filepath.Dir(tool), exe(name))
	if isExecutable(p) {
		return p
	}
	return ""
}

// findTool finds name (or name.exe) in dir, else a versioned build such as
// "ffmpeg-linux64-v4.2.2" or "ffmpeg-win64-v4.2.2.exe" (newest name wins).
func findTool(dir, name string) string {
	if dir == "" {
		return ""
	}
	if p := filepath.Join(dir, exe(name)); isExecutable(p) {
		return p
	}
	matches, _ := filepath.Glob(filepath.Join(dir, name+"-*"))
	sort.Sort(sort.Reverse(sort.StringSlice(matches)))
	for _, m := range matches {
		if runtime.GOOS == "windows" && !strings.EqualFold(filepath.Ext(m), ".exe") {
			continue
		}
		if isExecutable(m) {
			return m
		}
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return false
	}
	return runtime.GOOS == "windows" || st.Mode()&0o111 != 0
}

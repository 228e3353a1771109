package supervise

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/face"
)

// ExitError is ComfyUI ending on its own: before it was ready (a failed
// start) or while running (a crash).
type ExitError struct {
	Code   int      // exit status; -1 when killed by a signal
	Reason string   // what happened and what to do, for people
	Tail   []string // the last log lines
}

func (e *ExitError) Error() string { return e.Reason }

// StallError is a start that went quiet: no new log line for the stall
// timeout and no answer on the port.
type StallError struct {
	After time.Duration
	Tail  []string
}

func (e *StallError) Error() string {
	return fmt.Sprintf("ComfyUI printed nothing for %s and never answered, so it was stopped; "+
		"look at the last log lines, then start it again", e.After.Round(time.Second))
}

var (
	noModule = regexp.MustCompile(`No module named '([^']+)'`)
	argError = regexp.MustCompile(`main\.py: error: (.*)`)
)

// classify turns an exit status and the last lines into a human reason
// (statuses per comfyui-api.md §1.4: 1 port/import, 2 argparse, 255 sys.exit(-1)),
// its fix worded for the face in use and the kind of ComfyUI.
func classify(code int, tail []string, running bool, w wording) string {
	term, settingsFile := w.Face == face.Terminal, w.SettingsFile
	text := strings.Join(tail, "\n")
	last := ""
	for i := len(tail) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(tail[i]); s != "" {
			last = s
			break
		}
	}
	what := "ComfyUI could not start"
	if running {
		what = "ComfyUI stopped unexpectedly"
	}
	switch {
	case strings.Contains(text, "is already in use"):
		return what + ": its port is already in use by another program. Starting again picks another free port."
	case code == 2 && argError.MatchString(text):
		check := "Check the VRAM mode and extra options in Settings → ComfyUI."
		if term {
			check = "Check the VRAM mode, " + face.SettingsKey("vram_mode", settingsFile) + "."
		}
		return what + ": it refused a start option (" + argError.FindStringSubmatch(text)[1] + "). " + check
	case strings.Contains(text, "comfyui-frontend-package is not installed"):
		return what + ": its web frontend package is missing. " + w.repair("comfyui-frontend-package")
	case strings.Contains(text, "sageattention"):
		if term {
			return what + ": SageAttention is switched on but not installed. Remove --use-sage-attention from ComfyUI's start options."
		}
		return what + ": SageAttention is switched on but not installed. Remove --use-sage-attention in Settings → ComfyUI."
	case noModule.MatchString(text):
		return what + ": the Python package '" + noModule.FindStringSubmatch(text)[1] +
			"' is missing from its environment. " + w.repair(noModule.FindStringSubmatch(text)[1])
	case strings.Contains(text, "OutOfMemoryError") || strings.Contains(text, "out of memory"):
		if term {
			return what + ": it ran out of GPU memory. Try a lower VRAM mode (" + face.SettingsKey("vram_mode", settingsFile) +
				`: "lowvram"), or a smaller video (--width, --height, --seconds).`
		}
		return what + ": it ran out of GPU memory. Try a lower VRAM mode in Settings, or a smaller video."
	case code == -1:
		return what + ": it was killed (by the system or another program)" + suffix(last)
	}
	return fmt.Sprintf("%s (exit status %d)%s", what, code, suffix(last))
}

// wording is what a fix depends on besides the failure (see Config).
type wording struct {
	Face         face.Face
	SettingsFile string
	Foreign      bool
}

func (c Config) wording() wording {
	return wording{Face: c.Face, SettingsFile: c.SettingsFile, Foreign: c.Foreign}
}

// repair says how to put a missing package back: the app repairs its own
// install; a ComfyUI folder of the user's is theirs to mend.
func (w wording) repair(pkg string) string {
	if w.Foreign {
		return "Install " + pkg + " into that ComfyUI's Python environment (pip install -r requirements.txt in its folder)."
	}
	return "To repair the install, " + w.Face.RepairComfyUI() + "."
}

func suffix(last string) string {
	if last == "" {
		return "."
	}
	return ". Last line: " + last
}

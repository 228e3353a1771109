package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// openStudio opens the same engine the window uses, so the terminal sees the
// same settings, ComfyUI install, model store, queue and history. Warnings go
// to stderr; LTX_STUDIO_LOG=debug shows everything.
func openStudio(env Env, adjust func(*studio.Options)) (*studio.Studio, error) {
	level := slog.LevelWarn
	if strings.EqualFold(os.Getenv("LTX_STUDIO_LOG"), "debug") {
		level = slog.LevelDebug
	}
	opt := studio.Options{Log: slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level})), Face: face.Terminal}
	if adjust != nil {
		adjust(&opt)
	}
	if env.studioOpts != nil {
		env.studioOpts(&opt)
	}
	return studio.Open(opt)
}

// queueBusy turns "another process owns the queue" into what to do about it.
func queueBusy(err error) error {
	if errors.Is(err, jobs.ErrQueueBusy) {
		return fmt.Errorf("%w: the window (or another `ltx-studio generate`) is running; queue the video there, or close it and try again", err)
	}
	return err
}

package studio

import (
	"context"
	"errors"
	"fmt"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// AcceptMedia is the one check of a file for a media slot, used by every
// face: it reads the file's content (never its extension) and says in plain
// words why it does not fit, e.g. "notes.png: not a media file this app can
// read; Start image takes an image (PNG, JPEG or WebP)". The Info is returned even with an error when the
// file could be read, so a face can show what it is.
func AcceptMedia(ctx context.Context, slot workflows.MediaSlot, path string) (media.Info, error) {
	info, err := media.Probe(ctx, path)
	return info, MediaProblem(slot, info, err)
}

// MediaProblem words a probe result for slot: nil when the file fits. It is
// AcceptMedia without the probe, for a face that probes on its own.
func MediaProblem(slot workflows.MediaSlot, info media.Info, probeErr error) error {
	takes := slot.Label + " takes " + kindWords(slot.Kind)
	if slot.Hint != "" {
		takes += " (" + slot.Hint + ")"
	}
	switch {
	case errors.Is(probeErr, media.ErrNotMedia):
		return fmt.Errorf("%w; %s", probeErr, takes)
	case probeErr != nil:
		return fmt.Errorf("can't read this as %s: %w", kindWords(slot.Kind), probeErr)
	case kindOf(info.Kind) != slot.Kind:
		return fmt.Errorf("this is %s, but %s", info.Describe(), takes)
	}
	return nil
}

func kindOf(k media.Kind) workflows.MediaKind {
	switch k {
	case media.Image:
		return workflows.MediaImage
	case media.Audio:
		return workflows.MediaAudio
	case media.Video:
		return workflows.MediaVideo
	}
	return ""
}

func kindWords(k workflows.MediaKind) string {
	switch k {
	case workflows.MediaImage:
		return "an image"
	case workflows.MediaAudio:
		return "an audio file"
	case workflows.MediaVideo:
		return "a video"
	}
	return string(k)
}

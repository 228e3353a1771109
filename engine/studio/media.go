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
	takes := slot.Label + " takes " + slot.Kind.Article()
	if slot.Hint != "" {
		takes += " (" + slot.Hint + ")"
	}
	switch {
	case errors.Is(probeErr, media.ErrNotMedia):
		return fmt.Errorf("%w; %s", probeErr, takes)
	case probeErr != nil:
		return fmt.Errorf("can't read this as %s: %w", slot.Kind.Article(), probeErr)
	case info.Kind.MediaKind() != slot.Kind:
		return fmt.Errorf("this is %s, but %s", info.Describe(), takes)
	}
	return nil
}

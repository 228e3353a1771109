package ui

import (
	"context"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui/modeform"
)

// ProbeWith adapts engine/media's probe (media.Probe in main) to the forms'
// Prober; the forms compare kinds and write the message for the person.
func ProbeWith(probe func(context.Context, string) (media.Info, error)) modeform.Prober {
	return func(ctx context.Context, path string) (modeform.MediaInfo, error) {
		info, err := probe(ctx, path)
		if err != nil {
			return modeform.MediaInfo{}, err
		}
		return modeform.MediaInfo{
			Kind:  info.Kind.MediaKind(),
			Width: info.Width, Height: info.Height, Duration: info.Duration, FPS: info.FPS,
		}, nil
	}
}

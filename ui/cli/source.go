package cli

import (
	"context"
	"fmt"
	"math"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// fromSource gives a mode that takes its frames from a source video (style)
// that video's shape, frame rate and length, as the window's form does, unless
// --width/--height, --fps or --seconds were given; a clip longer than the source is refused
// (the control guide would end before the video).
func (g *genFlags) fromSource(ctx context.Context, m workflows.Mode, f *workflows.Form) error {
	if m.FPSFrom == "" && !m.FramesWithin {
		return nil
	}
	path := f.Media[m.FPSFrom]
	if path == "" {
		return nil // Validate names the missing file
	}
	info, err := media.ProbeAs(ctx, path, media.Video)
	if err != nil {
		return fmt.Errorf("--%s: %w", flagFor(slotOf(m, m.FPSFrom)), err)
	}
	if g.width == 0 && g.height == 0 && info.Width > 0 && info.Height > 0 {
		f.Width, f.Height = workflows.FitAspect(info.Width, info.Height, max(f.Width, f.Height), m.SizeMultiple())
	}
	if g.fps == 0 && info.FPS > 0 {
		f.FPS = min(max(int(math.Round(info.FPS)), workflows.MinFPS), workflows.MaxFPS)
	}
	srcFPS := info.FPS
	if srcFPS <= 0 {
		srcFPS = float64(f.FPS)
	}
	have := int(math.Floor(info.Duration.Seconds()*srcFPS + 1e-6))
	if g.seconds == 0 && f.FPS > 0 {
		f.Seconds = math.Min(math.Floor(float64(workflows.SourceFrames(have))/float64(f.FPS)*100)/100, workflows.MaxSeconds)
	}
	if info.Duration > 0 && workflows.Frames(f.Seconds, f.FPS) > have {
		return fmt.Errorf("--seconds: the source video lasts %.2f s (%d frames); %s can't run longer than its source",
			info.Duration.Seconds(), have, m.Label)
	}
	return nil
}

func slotOf(m workflows.Mode, id string) workflows.MediaSlot {
	for _, s := range m.Slots {
		if s.ID == id {
			return s
		}
	}
	return workflows.MediaSlot{ID: id}
}

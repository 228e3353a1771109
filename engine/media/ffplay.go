package media

import (
	"context"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// SoundPlayer plays a file's sound with `ffplay -nodisp` from a given time,
// beside a picture the caller draws (the window's player). It is the sound
// half for a player that seeks on its own clock; Decoder.StartAudio is the
// same for a player that follows a Decoder.
type SoundPlayer struct {
	FFplay, File string

	mu   sync.Mutex
	stop context.CancelFunc // ends the ffplay playing now (its process group)
}

// Start (re)starts the sound at the given time.
func (a *SoundPlayer) Start(at time.Duration) error {
	a.Stop()
	ctx, stop := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, a.FFplay, "-nodisp", "-autoexit", "-loglevel", "quiet", "-nostats",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), inputArg(a.File))
	prepareChild(cmd)
	if err := cmd.Start(); err != nil {
		stop()
		return err
	}
	a.mu.Lock()
	a.stop = stop
	a.mu.Unlock()
	go func() { _ = cmd.Wait() }()
	return nil
}

// Stop ends the sound (no-op when none plays).
func (a *SoundPlayer) Stop() {
	a.mu.Lock()
	stop := a.stop
	a.stop = nil
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
}

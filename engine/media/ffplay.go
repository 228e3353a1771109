package media

import (
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

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start (re)starts the sound at the given time.
func (a *SoundPlayer) Start(at time.Duration) error {
	a.Stop()
	cmd := exec.Command(a.FFplay, "-nodisp", "-autoexit", "-loglevel", "quiet", "-nostats",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), inputArg(a.File))
	prepareChild(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	a.mu.Lock()
	a.cmd = cmd
	a.mu.Unlock()
	go func() { _ = cmd.Wait() }()
	return nil
}

// Stop ends the sound (no-op when none plays).
func (a *SoundPlayer) Stop() {
	a.mu.Lock()
	cmd := a.cmd
	a.cmd = nil
	a.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

package media

import (
	"os/exec"
	"testing"
)

// The sound player starts and stops a real process in its own process group
// (prepareChild's kill needs exec.CommandContext, or Start fails).
func TestSoundPlayerStartsAndStops(t *testing.T) {
	bin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	// sleep takes the arguments ffplay would get and fails on them; Start
	// only needs the process to begin.
	a := &SoundPlayer{FFplay: bin, File: "x.mp4"}
	if err := a.Start(0); err != nil {
		t.Fatal(err)
	}
	a.Stop()
	a.Stop() // twice is fine
}

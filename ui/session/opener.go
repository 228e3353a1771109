package session

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// openerGrace is how long xdg-open gets to fail: it exits at once with an
// error when no program handles the file, and may otherwise run as long as
// the program it started.
const openerGrace = 3 * time.Second

// errNoOpener is an opener that is not installed at all.
var errNoOpener = errors.New("xdg-open is not installed")

// openWithDesktop hands path (a folder or a video) to the desktop's program
// for it, and says so in a dialog when nothing opened it, instead of doing
// nothing. what names the kind of thing for the message ("folders",
// "videos"). Any goroutine.
func (s *Session) openWithDesktop(path, what string) {
	go func() {
		err := s.open(path)
		if err == nil {
			return
		}
		s.log.Warn("opening with the desktop", "path", path, "err", err)
		why := "no program is set up to open " + what
		if errors.Is(err, errNoOpener) {
			why = "it has no xdg-open (the xdg-utils package) to find a program for " + what
		}
		fyne.Do(func() {
			if s.win == nil {
				return
			}
			dialog.ShowInformation("Nothing opened",
				fmt.Sprintf("This desktop could not open it: %s.\n\nIt is here:\n%s", why, path), s.win)
		})
	}()
}

// open runs the platform's opener and reports a failure it sees in time.
func (s *Session) open(path string) error {
	switch runtime.GOOS {
	case "windows", "darwin":
		if s.app == nil {
			return errors.New("no app to open with")
		}
		return s.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)})
	}
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		return errNoOpener
	}
	ctx, cancel := context.WithTimeout(s.ctx, openerGrace)
	defer cancel()
	cmd := exec.Command(bin, path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting xdg-open: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("xdg-open: %w", err)
		}
		return nil
	case <-ctx.Done():
		return nil // still running: it found a program, which is now open
	}
}

package session

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The desktop's opener missing, or failing to find a program, is an error
// the window shows (Open folder and System player once did nothing).
func TestOpenSaysWhenNothingOpens(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	s := &Session{ctx: t.Context()}
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	if err := s.open(empty); !errors.Is(err, errNoOpener) {
		t.Fatalf("no xdg-open: %v", err)
	}
	// An xdg-open that finds no program exits 3 at once, as the real one does.
	script := "#!/bin/sh\nexit 3\n"
	if err := os.WriteFile(filepath.Join(empty, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.open(empty); err == nil || errors.Is(err, errNoOpener) {
		t.Fatalf("xdg-open without a handler: %v", err)
	}
	ok := "#!/bin/sh\nexit 0\n"
	if err := os.WriteFile(filepath.Join(empty, "xdg-open"), []byte(ok), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.open(empty); err != nil {
		t.Fatalf("xdg-open that worked: %v", err)
	}
}

package main

import (
	"os"

	"github.com/ltxstudio/ltx-studio/internal/winconsole"
)

// The packaged .exe is a GUI program, so Windows gives it no console: with
// arguments (a terminal command such as `ltx-studio.exe help`) it prints into
// the console it was typed in. Without one (double-clicked) nothing changes.
func init() {
	if len(os.Args) > 1 {
		_ = winconsole.AttachParent()
	}
}

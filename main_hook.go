//go:build !clickthrough

package main

import (
	"log/slog"

	"fyne.io/fyne/v2"
)

// hookTestDriver does nothing in a normal build; the clickthrough build
// writes a layout dump the Xvfb click-through reads (see main_clickthrough.go).
func hookTestDriver(fyne.App, fyne.Window, *slog.Logger) {}

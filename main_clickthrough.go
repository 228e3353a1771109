//go:build clickthrough

package main

import (
	"bytes"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
	"github.com/ltxstudio/ltx-studio/internal/layoutdump"
)

// hookTestDriver, in the click-through build only: on SIGUSR1 the window
// writes what it shows (widgets, texts, places) to $LTX_LAYOUT_DUMP, so
// `./dev clickthrough` clicks buttons by their labels.
func hookTestDriver(_ fyne.App, w fyne.Window, log *slog.Logger) {
	path := os.Getenv("LTX_LAYOUT_DUMP")
	if path == "" {
		return
	}
	asked := make(chan os.Signal, 1)
	signal.Notify(asked, syscall.SIGUSR1)
	go func() {
		for range asked {
			fyne.Do(func() {
				var b bytes.Buffer
				if err := layoutdump.Write(&b, layoutdump.Collect(w.Canvas())); err != nil {
					log.Error("layout dump", "err", err)
					return
				}
				if err := fileio.WriteAtomic(path, b.Bytes(), 0o600); err != nil {
					log.Error("layout dump", "err", err)
				}
			})
		}
	}()
}

package lifecycle

import (
	"io"
	"log"

	"github.com/go-text/typesetting/fontscan"
)

// WarmFonts starts indexing the system's fonts in the background. Fyne
// indexes them (for glyphs our bundled IBM Plex lacks) the first time it
// lays out text, in the middle of building the window; on a first start
// there is no index cache yet and the scan reads every font file. The index
// is process-wide and built once (concurrent callers wait for the one
// scan), so starting it here overlaps it with GLFW's window set-up.
func WarmFonts() {
	go func() {
		fm := fontscan.NewFontMap(log.New(io.Discard, "", 0))
		_ = fm.UseSystemFonts("") // Fyne's own call reports failures by going without
	}()
}

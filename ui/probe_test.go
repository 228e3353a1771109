package ui

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui/modeform"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// The real engine/media probe behind the adapter: a PNG fits an image slot,
// a text file renamed .png gets the field error.
func TestProbeWithRealMedia(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "cat.png")
	f, err := os.Create(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bad := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(bad, []byte("just some text, not a picture\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	probe := ProbeWith(media.Probe)
	slot := workflows.MediaSlot{ID: "image", Label: "Start image", Kind: workflows.MediaImage}

	info, err := probe(t.Context(), good)
	if err != nil || info.Kind != workflows.MediaImage || info.Width != 40 || info.Height != 30 {
		t.Fatalf("png: %+v %v", info, err)
	}
	if msg := modeform.CheckMedia(slot, info, err); msg != "" {
		t.Errorf("png rejected: %s", msg)
	}
	info, err = probe(t.Context(), bad)
	msg := modeform.CheckMedia(slot, info, err)
	if !strings.HasPrefix(msg, "can't read this as an image") && !strings.HasPrefix(msg, "this is not an image") {
		t.Errorf("text file: %q", msg)
	}
}

package studio

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestAcceptMediaReadsContent(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)))
	pic := filepath.Join(dir, "clip.mp4") // a PNG under a video's name
	os.WriteFile(pic, b.Bytes(), 0o644)
	text := filepath.Join(dir, "cat.png") // text under an image's name
	os.WriteFile(text, []byte("not a picture at all\n"), 0o644)
	i2v, _ := workflows.Lookup(workflows.I2V)
	style, _ := workflows.Lookup(workflows.Style)
	image, video := i2v.Slots[0], style.Slots[slices.IndexFunc(style.Slots, func(s workflows.MediaSlot) bool { return s.Kind == workflows.MediaVideo })]
	for _, tt := range []struct {
		slot workflows.MediaSlot
		path string
		want string // "" = accepted
	}{
		{image, pic, ""},
		{image, text, "cat.png: not a media file this app can read; Start image takes an image (PNG, JPEG or WebP)"},
		{video, pic, "this is a PNG image, but Source video takes a video (MP4, MOV, MKV or WebM)"},
		{image, filepath.Join(dir, "gone.png"), "can't read this as an image: cannot open gone.png"},
		{image, dir, "is a folder"},
	} {
		_, err := AcceptMedia(t.Context(), tt.slot, tt.path)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s for %s: %v", filepath.Base(tt.path), tt.slot.Label, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s for %s: %v, want %q", filepath.Base(tt.path), tt.slot.Label, err, tt.want)
		}
	}
}

func TestParseModeTakesEveryRegistryName(t *testing.T) {
	for _, m := range workflows.Modes() {
		for _, name := range []string{string(m.ID), m.Tag, m.Label, strings.ToUpper(m.Label)} {
			got, err := ParseMode(name)
			if err != nil || got.ID != m.ID {
				t.Errorf("ParseMode(%q) = %s, %v; want %s", name, got.ID, err, m.ID)
			}
		}
	}
	if m, err := ParseMode("text-video"); err != nil || m.ID != workflows.T2V {
		t.Errorf("text-video: %s %v", m.ID, err)
	}
	for _, bad := range []string{"", "→", "keyframes2"} {
		if _, err := ParseMode(bad); err == nil || !strings.Contains(err.Error(), "keyframe (Keyframes)") {
			t.Errorf("ParseMode(%q) = %v", bad, err)
		}
	}
}

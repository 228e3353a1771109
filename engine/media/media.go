// Package media recognises the files a form's media slots take (by content,
// never by extension), reads their size and length, finds ffmpeg, and decodes
// video into RGBA frames for the in-window player. No UI code lives here.
package media

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// Kind is what a file holds, as far as a media slot cares.
type Kind int

const (
	Unknown Kind = iota
	Image
	Audio
	Video
)

// MediaKind is the workflows slot kind this content fits ("" for Unknown).
func (k Kind) MediaKind() workflows.MediaKind {
	switch k {
	case Image:
		return workflows.MediaImage
	case Audio:
		return workflows.MediaAudio
	case Video:
		return workflows.MediaVideo
	}
	return ""
}

func (k Kind) String() string {
	switch k {
	case Image:
		return "image"
	case Audio:
		return "audio"
	case Video:
		return "video"
	}
	return "unknown"
}

// Info is what Probe learnt about a file.
type Info struct {
	Kind     Kind
	Format   string        // container or image format: "PNG", "JPEG", "GIF", "WebP", "WAV", "MP3", "FLAC", "Ogg", "MP4", "MOV", "M4A", "WebM", "MKV", …
	Width    int           // pixels; 0 for audio or when unknown
	Height   int           // pixels
	Duration time.Duration // 0 for still images or when unknown
	FPS      float64       // video frame rate; 0 when unknown
	HasAudio bool          // a video with a sound track, or any audio file
}

// ErrNotMedia is wrapped by Probe's error for files it cannot read at all.
var ErrNotMedia = errors.New("not a media file this app can read")

// MismatchError says a readable file is the wrong kind for a slot.
type MismatchError struct {
	Got  Info
	Want Kind
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("this file is %s, the slot wants %s", e.Got.Describe(), wantWord(e.Want))
}

func wantWord(k Kind) string {
	switch k {
	case Image:
		return "an image"
	case Video:
		return "a video"
	}
	return k.String()
}

// Check returns nil when the file fits a slot that wants kind want, else a
// *MismatchError reading like "this file is a PNG image, the slot wants audio".
func (i Info) Check(want Kind) error {
	if i.Kind == want {
		return nil
	}
	return &MismatchError{Got: i, Want: want}
}

// Describe names the file for a person: "a PNG image", "an MP3 audio file",
// "an MP4 video".
func (i Info) Describe() string {
	noun := map[Kind]string{Image: "image", Audio: "audio file", Video: "video"}[i.Kind]
	if noun == "" {
		return "an unknown file"
	}
	if i.Format == "" {
		return article(noun) + " " + noun
	}
	return article(i.Format) + " " + i.Format + " " + noun
}

// article picks "a" or "an" by how the word is said: formats are spoken as
// letters (an MP4, an MKV) unless they are words (a WAV, a FLAC, an Ogg).
func article(w string) string {
	switch strings.ToUpper(w) {
	case "WAV", "WEBP", "WEBM", "FLAC", "GIF", "JPEG", "PNG", "MOV", "BMP":
		return "a"
	case "OGG", "AVI", "M4A", "MP3", "MP4", "MKV", "MPEG-TS", "AIFF":
		return "an"
	}
	if w != "" && strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

// Summary is a short read-out for a slot: "1280×720 · 4.0 s · with sound".
func (i Info) Summary() string {
	var parts []string
	if i.Width > 0 && i.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d", i.Width, i.Height))
	}
	if i.Duration > 0 {
		parts = append(parts, fmt.Sprintf("%.1f s", i.Duration.Seconds()))
	}
	if i.Kind == Video {
		if i.FPS > 0 {
			parts = append(parts, fmt.Sprintf("%g fps", roundTo(i.FPS, 3)))
		}
		if i.HasAudio {
			parts = append(parts, "with sound")
		} else {
			parts = append(parts, "no sound")
		}
	}
	return strings.Join(parts, " · ")
}

func roundTo(f float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(f*p+0.5)) / p
}

package media

import (
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func near(a, b, tol time.Duration) bool { d := a - b; return d <= tol && d >= -tol }

func TestProbeNative(t *testing.T) {
	tests := []struct {
		name string
		file string // name on disk: extensions are deliberately wrong in places
		data []byte
		want Info
	}{
		{"png", "a.png", pngBytes(t, 64, 48), Info{Kind: Image, Format: "PNG", Width: 64, Height: 48}},
		{"png named .mp4", "clip.mp4", pngBytes(t, 10, 20), Info{Kind: Image, Format: "PNG", Width: 10, Height: 20}},
		{"jpeg", "a.jpg", jpegBytes(t, 33, 17), Info{Kind: Image, Format: "JPEG", Width: 33, Height: 17}},
		{"gif", "a.gif", gifBytes(t, 8, 9), Info{Kind: Image, Format: "GIF", Width: 8, Height: 9}},
		{"wav 1.5 s", "speech.wav", wavBytes(8000, 1, 1.5), Info{Kind: Audio, Format: "WAV", Duration: 1500 * time.Millisecond, HasAudio: true}},
		{"wav no extension", "speech", wavBytes(16000, 2, 0.25), Info{Kind: Audio, Format: "WAV", Duration: 250 * time.Millisecond, HasAudio: true}},
		{"mp3 cbr", "a.mp3", mp3Bytes(100, 0), Info{Kind: Audio, Format: "MP3", Duration: 2606 * time.Millisecond, HasAudio: true}}, // CBR estimate: bytes·8/bitrate
		{"mp3 xing", "a.mp3", mp3Bytes(20, 1000), Info{Kind: Audio, Format: "MP3", Duration: 26122 * time.Millisecond, HasAudio: true}},
		{"flac", "a.flac", flacBytes(44100, 2, 16, 88200), Info{Kind: Audio, Format: "FLAC", Duration: 2 * time.Second, HasAudio: true}},
		{"ogg vorbis", "a.ogg", oggVorbisBytes(48000, 144000), Info{Kind: Audio, Format: "Ogg", Duration: 3 * time.Second, HasAudio: true}},
		{"mp4 with sound", "v.mp4", mp4Bytes("isom", 640, 360, 60, 2.5, true), Info{Kind: Video, Format: "MP4", Width: 640, Height: 360, Duration: 2500 * time.Millisecond, FPS: 24, HasAudio: true}},
		{"mov silent", "v.mov", mp4Bytes("qt  ", 320, 240, 25, 1, false), Info{Kind: Video, Format: "MOV", Width: 320, Height: 240, Duration: time.Second, FPS: 25}},
		{"m4a", "a.m4a", mp4Bytes("M4A ", 0, 0, 0, 4, false), Info{Kind: Audio, Format: "M4A", Duration: 4 * time.Second, HasAudio: true}},
		{"webm", "v.webm", webmBytes("webm", 320, 240, 3000, true), Info{Kind: Video, Format: "WebM", Width: 320, Height: 240, Duration: 3 * time.Second, FPS: 25, HasAudio: true}},
		{"mkv", "v.mkv", webmBytes("matroska", 1920, 1080, 500, false), Info{Kind: Video, Format: "MKV", Width: 1920, Height: 1080, Duration: 500 * time.Millisecond, FPS: 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Prober{}.Probe(context.Background(), write(t, tt.file, tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tt.want.Kind || got.Format != tt.want.Format || got.Width != tt.want.Width ||
				got.Height != tt.want.Height || got.HasAudio != tt.want.HasAudio ||
				!near(got.Duration, tt.want.Duration, 5*time.Millisecond) || (got.FPS-tt.want.FPS) > 0.01 || (tt.want.FPS-got.FPS) > 0.01 {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestProbeErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"text", "notes.txt", []byte("hello, this is not a video\n"), "notes.txt: not a media file this app can read"},
		{"text named mp4", "fake.mp4", []byte("just text pretending"), "fake.mp4: not a media file this app can read"},
		{"empty", "empty.wav", nil, "empty.wav is empty (0 bytes)"},
		{"cut png", "cut.png", pngBytes(t, 64, 64)[:20], "cut.png looks like an image but cannot be read"},
		{"mp4 without moov", "unfinished.mp4", cat(box("ftyp", []byte("isom"), be32(0)), box("mdat", make([]byte, 100))), "no movie header (moov) found"},
		{"wav without data", "bad.wav", cat([]byte("RIFF"), le32(4), []byte("WAVE")), "damaged WAV file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.file)
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Prober{}.Probe(context.Background(), p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := (Prober{}).Probe(context.Background(), filepath.Join(dir, "missing.mp4")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := (Prober{}).Probe(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
	_, err := Prober{}.Probe(context.Background(), filepath.Join(dir, "notes.txt"))
	if !errors.Is(err, ErrNotMedia) {
		t.Errorf("text file error does not wrap ErrNotMedia: %v", err)
	}
}

func TestCheckMessages(t *testing.T) {
	tests := []struct {
		info Info
		want Kind
		msg  string
	}{
		{Info{Kind: Image, Format: "PNG"}, Audio, "this file is a PNG image, the slot wants audio"},
		{Info{Kind: Audio, Format: "MP3"}, Image, "this file is an MP3 audio file, the slot wants an image"},
		{Info{Kind: Video, Format: "MP4"}, Audio, "this file is an MP4 video, the slot wants audio"},
		{Info{Kind: Audio, Format: "WAV"}, Video, "this file is a WAV audio file, the slot wants a video"},
		{Info{Kind: Image, Format: "JPEG"}, Video, "this file is a JPEG image, the slot wants a video"},
		{Info{Kind: Audio, Format: "Ogg"}, Image, "this file is an Ogg audio file, the slot wants an image"},
	}
	for _, tt := range tests {
		err := tt.info.Check(tt.want)
		var me *MismatchError
		if !errors.As(err, &me) || err.Error() != tt.msg {
			t.Errorf("Check(%v) on %+v = %v, want %q", tt.want, tt.info, err, tt.msg)
		}
	}
	if err := (Info{Kind: Audio}).Check(Audio); err != nil {
		t.Errorf("matching kind: %v", err)
	}
	if s := (Info{Kind: Video, Width: 1280, Height: 720, Duration: 4 * time.Second, FPS: 24, HasAudio: true}).Summary(); s != "1280×720 · 4.0 s · 24 fps · with sound" {
		t.Errorf("summary = %q", s)
	}
}

func TestProbeAsSlot(t *testing.T) {
	p := write(t, "portrait.png", pngBytes(t, 4, 4))
	if _, err := ProbeAs(context.Background(), p, Image); err != nil {
		t.Fatal(err)
	}
	if _, err := ProbeAs(context.Background(), p, Audio); err == nil || err.Error() != "this file is a PNG image, the slot wants audio" {
		t.Fatalf("err = %v", err)
	}
}

func TestFit(t *testing.T) {
	tests := []struct{ w, h, mw, mh, ww, wh int }{
		{1920, 1080, 1280, 720, 1280, 720},
		{1920, 1080, 640, 640, 640, 360},
		{720, 1280, 640, 360, 202, 360},
		{320, 240, 1280, 720, 320, 240}, // never upscaled
		{321, 241, 0, 0, 320, 240},      // even sides
		{1280, 720, 0, 360, 640, 360},
	}
	for _, tt := range tests {
		if w, h := fit(tt.w, tt.h, tt.mw, tt.mh); w != tt.ww || h != tt.wh {
			t.Errorf("fit(%d×%d in %d×%d) = %d×%d, want %d×%d", tt.w, tt.h, tt.mw, tt.mh, w, h, tt.ww, tt.wh)
		}
	}
}

func FuzzSniffAndParse(f *testing.F) {
	f.Add(mp4Bytes("isom", 64, 64, 10, 1, true))
	f.Add(webmBytes("webm", 64, 64, 100, true))
	f.Add(mp3Bytes(3, 10))
	f.Add(wavBytes(8000, 1, 0.01))
	f.Add(oggVorbisBytes(8000, 100))
	f.Add(flacBytes(8000, 1, 16, 100))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Must never panic or hang, whatever the bytes.
		p := filepath.Join(t.TempDir(), "x")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = Prober{}.Probe(context.Background(), p)
	})
}

// pngHeader is a real PNG signature + IHDR (with its CRC) + IEND claiming
// w×h pixels: what a huge image looks like to a reader before any pixel.
func pngHeader(w, h uint32) []byte {
	ihdr := cat(be32(int(w)), be32(int(h)), []byte{8, 6, 0, 0, 0})
	chunk := func(typ string, data []byte) []byte {
		body := cat([]byte(typ), data)
		return cat(be32(len(data)), body, be32(int(crc32.ChecksumIEEE(body))))
	}
	return cat([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr), chunk("IEND", nil))
}

func TestHugeImageIsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		w, h uint32
		ok   bool
	}{{"huge.png", 12000, 12000, false}, {"strip.png", 20000, 10, false}, {"camera.png", 8160, 6120, true}} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, pngHeader(c.w, c.h), 0o644)
		info, err := Prober{}.Probe(context.Background(), p)
		if c.ok {
			if err != nil || info.Width != int(c.w) {
				t.Errorf("%s: %+v %v", c.name, info, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "scale it down") || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s (%d×%d): %v", c.name, c.w, c.h, err)
		}
	}
}

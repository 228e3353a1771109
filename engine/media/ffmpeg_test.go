package media

import (
	"context"
	"errors"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needFFmpeg skips the test when ffmpeg is not installed (CI without it).
func needFFmpeg(t testing.TB) (ffmpeg, ffprobe string) {
	t.Helper()
	ffmpeg, ffprobe, err := FindFFmpeg()
	if err != nil {
		t.Skip("ffmpeg not installed")
	}
	return ffmpeg, ffprobe
}

// makeClip runs ffmpeg to produce a test file; it skips when this ffmpeg
// lacks the encoder.
func makeClip(t testing.TB, ffmpeg, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command(ffmpeg, append(append([]string{"-nostdin", "-hide_banner", "-v", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("this ffmpeg cannot make %s: %v: %s", name, err, b)
	}
	return out
}

var (
	video1s = []string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1"}
	audio1s = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "1.5"}
)

// Real files from ffmpeg: ffprobe and the built-in parsers must agree.
func TestProbeRealFilesNativeMatchesFFprobe(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 12 files with ffmpeg")
	}
	ffmpeg, ffprobe := needFFmpeg(t)
	if ffprobe == "" {
		t.Skip("no ffprobe")
	}
	tests := []struct {
		name string
		args []string
		kind Kind
	}{
		{"clip.mp4", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"), Video},
		{"clip.mov", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an"), Video},
		{"clip.webm", append(video1s, "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libvorbis"), Video},
		{"clip.mkv", append(video1s, "-c:v", "libx264", "-c:a", "flac"), Video},
		{"clip.avi", append(video1s, "-c:v", "mjpeg", "-c:a", "pcm_s16le"), Video},
		{"tone.wav", audio1s, Audio},
		{"tone.mp3", append(audio1s, "-c:a", "libmp3lame"), Audio},
		{"tone.flac", audio1s, Audio},
		{"tone.ogg", append(audio1s, "-c:a", "libvorbis"), Audio},
		{"tone.opus", append(audio1s, "-c:a", "libopus"), Audio},
		{"tone.m4a", append(audio1s, "-c:a", "aac"), Audio},
		{"frame.webp", []string{"-f", "lavfi", "-i", "testsrc=size=96x64", "-frames:v", "1", "-c:v", "libwebp"}, Image},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := makeClip(t, ffmpeg, tt.name, tt.args...)
			// Rename away the extension: content decides, not the name.
			bare := strings.TrimSuffix(p, filepath.Ext(p))
			if err := os.Rename(p, bare); err != nil {
				t.Fatal(err)
			}
			viaFF, err := Prober{FFprobe: ffprobe}.Probe(ctx, bare)
			if err != nil {
				t.Fatal("ffprobe:", err)
			}
			native, err := Prober{}.Probe(ctx, bare)
			if err != nil {
				t.Fatal("native:", err)
			}
			t.Logf("ffprobe %+v\nnative  %+v", viaFF, native)
			if viaFF.Kind != tt.kind || native.Kind != tt.kind {
				t.Fatalf("kinds: ffprobe %v, native %v, want %v", viaFF.Kind, native.Kind, tt.kind)
			}
			if viaFF.Format != native.Format || viaFF.HasAudio != native.HasAudio ||
				viaFF.Width != native.Width || viaFF.Height != native.Height {
				t.Errorf("disagree:\nffprobe %+v\nnative  %+v", viaFF, native)
			}
			// MKV/WebM written by ffmpeg keep their length at the end? No: in
			// Segment Info. Lengths agree within a frame or an audio packet.
			if !near(viaFF.Duration, native.Duration, 60*time.Millisecond) {
				t.Errorf("durations: ffprobe %v, native %v", viaFF.Duration, native.Duration)
			}
			if tt.kind == Video && native.FPS != 0 && (native.FPS < 23.9 || native.FPS > 24.1) {
				t.Errorf("native fps %v, want 24", native.FPS)
			}
		})
	}
}

func TestFindFFmpeg(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell-less check of executable bits")
	}
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	if _, _, err := FindFFmpeg(); !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("err = %v, want ErrNoFFmpeg", err)
	}
	// imageio-ffmpeg's layout: a versioned ffmpeg and no ffprobe.
	venv := t.TempDir()
	for _, n := range []string{"ffmpeg-linux64-v4.2.2", "ffmpeg-linux-x86_64-v7.0.2"} {
		if err := os.WriteFile(filepath.Join(venv, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(venv, "ffmpeg-readme.txt"), []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	ff, fp, err := FindFFmpeg("", filepath.Join(empty, "nope"), venv)
	if err != nil || filepath.Base(ff) != "ffmpeg-linux64-v4.2.2" && filepath.Base(ff) != "ffmpeg-linux-x86_64-v7.0.2" || fp != "" {
		t.Fatalf("got %q %q %v", ff, fp, err)
	}
	// PATH wins over the extra dirs.
	sys := t.TempDir()
	for _, n := range []string{"ffmpeg", "ffprobe", "ffplay"} {
		if err := os.WriteFile(filepath.Join(sys, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", sys)
	ff, fp, err = FindFFmpeg(venv)
	if err != nil || ff != filepath.Join(sys, "ffmpeg") || fp != filepath.Join(sys, "ffprobe") {
		t.Fatalf("got %q %q %v", ff, fp, err)
	}
	if p := FindFFplay(ff); p != filepath.Join(sys, "ffplay") {
		t.Fatalf("ffplay = %q", p)
	}
}

func TestDecoderFramesAndReuse(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := needFFmpeg(t)
	clip := makeClip(t, ffmpeg, "clip.mp4", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac")...)
	d, err := OpenVideo(context.Background(), ffmpeg, clip, 160, 160)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if w, h := d.Size(); w != 160 || h != 120 {
		t.Fatalf("size %d×%d, want 160×120", w, h)
	}
	if d.FPS() != 24 || d.FrameDuration() != time.Second/24 || !d.Info().HasAudio {
		t.Fatalf("fps %v frame %v info %+v", d.FPS(), d.FrameDuration(), d.Info())
	}
	var frames []*image.RGBA
	for {
		f, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.Bounds() != image.Rect(0, 0, 160, 120) {
			t.Fatalf("frame bounds %v", f.Bounds())
		}
		frames = append(frames, f)
	}
	if n := len(frames); n < 23 || n > 25 {
		t.Fatalf("decoded %d frames of a 1 s clip at 24 fps", n)
	}
	if frames[0] != frames[2] || frames[0] == frames[1] {
		t.Error("frames should alternate between two reused buffers")
	}
	if p := d.Position(); !near(p, time.Duration(len(frames))*time.Second/24, time.Millisecond) {
		t.Errorf("position %v", p)
	}
	// testsrc is colourful: the picture is not blank.
	var sum int
	for _, b := range frames[len(frames)-1].Pix[:4000] {
		sum += int(b)
	}
	if sum == 0 || sum == 255*4000 {
		t.Error("frame looks blank")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestDecoderOwnedSeekAndClose(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := needFFmpeg(t)
	clip := makeClip(t, ffmpeg, "clip.mp4", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an")...)
	d, err := Open(context.Background(), ffmpeg, clip, Options{Start: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	o := d.Owned()
	a, err := o.Next()
	if err != nil {
		t.Fatal(err)
	}
	b, err := o.Next()
	if err != nil {
		t.Fatal(err)
	}
	c, err := o.Next()
	if err != nil {
		t.Fatal(err)
	}
	if &a.Pix[0] == &c.Pix[0] || &a.Pix[0] == &b.Pix[0] {
		t.Error("Owned frames share pixels")
	}
	// Closing mid-stream stops ffmpeg; Next then reports the cancel, not a
	// decode error, and nothing is left running.
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v, want an error", err)
	}
	if d.cmd.ProcessState == nil {
		t.Fatal("ffmpeg not reaped after Close")
	}
}

func TestDecoderRefusesNonVideo(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := needFFmpeg(t)
	png := write(t, "still.mp4", pngBytes(t, 8, 8))
	_, err := OpenVideo(context.Background(), ffmpeg, png, 0, 0)
	if err == nil || err.Error() != "this file is a PNG image, the slot wants a video" {
		t.Fatalf("err = %v", err)
	}
	// A render that stopped half-way has no moov box yet.
	clip := makeClip(t, ffmpeg, "clip.mp4", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an")...)
	b, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	half := write(t, "half.mp4", b[:len(b)/2])
	if _, err := OpenVideo(context.Background(), ffmpeg, half, 0, 0); err == nil || !strings.Contains(err.Error(), "the file may be unfinished") {
		t.Fatalf("half-written mp4: %v", err)
	}
	if _, err := OpenVideo(context.Background(), "", png, 0, 0); !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("no ffmpeg: %v", err)
	}
}

func TestFFmpegStreamInfoFallback(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := needFFmpeg(t)
	clip := makeClip(t, ffmpeg, "clip.mkv", append(video1s, "-c:v", "libx264", "-an")...)
	w, h, fps, err := ffmpegStreamInfo(context.Background(), ffmpeg, clip)
	if err != nil || w != 320 || h != 240 || fps != 24 {
		t.Fatalf("got %d×%d @%v, %v", w, h, fps, err)
	}
	// Without ffprobe (imageio-ffmpeg's case) a decoder still opens.
	d, err := Open(context.Background(), ffmpeg, clip, Options{FFprobe: "/nonexistent/ffprobe"})
	if err == nil {
		defer d.Close()
		if w, h := d.Size(); w != 320 || h != 240 {
			t.Fatalf("size %d×%d", w, h)
		}
	}
}

func TestThumbnail(t *testing.T) {
	t.Parallel()
	ffmpeg, _ := needFFmpeg(t)
	clip := makeClip(t, ffmpeg, "clip.mp4", append(video1s, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an")...)
	img, err := Thumbnail(context.Background(), ffmpeg, clip)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
		t.Fatalf("thumbnail %v", img.Bounds())
	}
	big := makeClip(t, ffmpeg, "big.mp4", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=10", "-t", "0.3", "-c:v", "libx264", "-pix_fmt", "yuv420p")
	img, err = Thumbnail(context.Background(), ffmpeg, big)
	if err != nil || img.Bounds().Dx() != 480 || img.Bounds().Dy() != 270 {
		t.Fatalf("big thumbnail %v, %v", img, err)
	}
}

func TestAudioPauseResumeClose(t *testing.T) {
	ffmpeg, _ := needFFmpeg(t)
	ffplay := FindFFplay(ffmpeg)
	if ffplay == "" {
		t.Skip("no ffplay")
	}
	t.Setenv("SDL_AUDIODRIVER", "dummy") // plays in real time without a sound card
	clip := makeClip(t, ffmpeg, "long.mp4", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-f", "lavfi", "-i", "sine", "-t", "20", "-c:v", "libx264", "-c:a", "aac")
	d, err := OpenVideo(context.Background(), ffmpeg, clip, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.StartAudio(ffplay); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	gone := func(pid int) {
		t.Helper()
		// Polled (it is not a child this test can wait for), with no time
		// limit of its own: a loaded machine under -race may take seconds, and
		// an ffplay that never ends fails the test at go test's timeout.
		for processRunning(pid) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Pause stops the sound; resuming starts a fresh ffplay at the frame.
	first := d.audio.Process.Pid
	d.StopAudio()
	gone(first)
	for range 5 {
		if _, err := d.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.StartAudio(ffplay); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.audio.Args, "0.500") { // frame 5 at 10 fps
		t.Errorf("resumed ffplay args %v, want -ss 0.500", d.audio.Args)
	}
	second := d.audio.Process.Pid
	d.Close()
	gone(second)
}

// processRunning reports whether pid is alive and not a zombie (Linux /proc;
// elsewhere it assumes the kill worked).
func processRunning(pid int) bool {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

func itoa(i int) string { return strconv.Itoa(i) }

// Decode throughput at 1280×720, the size the player shows: real time needs
// ≥ 30 frames/s (reported as frames/s).
func BenchmarkDecode720p(b *testing.B) {
	ffmpeg, _ := needFFmpeg(b)
	clip := makeClip(b, ffmpeg, "720p.mp4", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p")
	b.ReportAllocs()
	frames := 0
	start := time.Now()
	for b.Loop() {
		d, err := OpenVideo(context.Background(), ffmpeg, clip, 1280, 720)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := d.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			frames++
		}
		d.Close()
	}
	b.ReportMetric(float64(frames)/time.Since(start).Seconds(), "frames/s")
}

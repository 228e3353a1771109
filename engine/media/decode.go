package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Decoder turns a video file into RGBA frames with an ffmpeg child
// (rawvideo, scaled by ffmpeg to fit the view). Frames come at the file's
// frame rate, in order; the caller paces them. Close kills ffmpeg (and
// ffplay, when sound was started).
//
// Next reuses two frame buffers in turn, so decoding allocates nothing per
// frame: a frame stays valid until the second call of Next after the one
// that returned it (the shown frame is safe while the next one decodes).
// Callers that keep frames longer use Owned.
type Decoder struct {
	file   string
	info   Info
	w, h   int
	fps    float64
	start  time.Duration
	ctx    context.Context
	cancel context.CancelFunc
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr *lastLines
	bufs   [2]*image.RGBA
	n      atomic.Int64 // frames returned so far

	mu        sync.Mutex
	audio     *exec.Cmd
	audioDone chan struct{}
	waitErr   error
	waited    bool
	closed    bool
}

// Options tune Open. Zero values are fine.
type Options struct {
	MaxW, MaxH int           // fit frames inside this box (never upscaled); 0 = no limit
	Start      time.Duration // begin here (seeking restarts ffmpeg with -ss)
	FFprobe    string        // ffprobe for the file's size and rate; "" = beside ffmpeg, else built-in parsers, else ffmpeg's banner
}

// OpenVideo starts decoding file with ffmpeg into frames fitting maxW×maxH.
func OpenVideo(ctx context.Context, ffmpegPath, file string, maxW, maxH int) (*Decoder, error) {
	return Open(ctx, ffmpegPath, file, Options{MaxW: maxW, MaxH: maxH})
}

// Open is OpenVideo with all options.
func Open(ctx context.Context, ffmpegPath, file string, opt Options) (*Decoder, error) {
	if ffmpegPath == "" {
		return nil, ErrNoFFmpeg
	}
	info, err := videoInfo(ctx, ffmpegPath, file, opt.FFprobe)
	if err != nil {
		return nil, err
	}
	w, h := fit(info.Width, info.Height, opt.MaxW, opt.MaxH)
	fps := info.FPS
	if fps <= 0 || fps > 240 {
		fps = 25 // unknown rate: ffmpeg's fps filter makes it true
	}
	dctx, cancel := context.WithCancel(ctx)
	args := []string{"-nostdin", "-hide_banner", "-v", "error"}
	if opt.Start > 0 {
		args = append(args, "-ss", strconv.FormatFloat(opt.Start.Seconds(), 'f', 3, 64))
	}
	args = append(args, "-i", inputArg(file), "-an", "-sn", "-dn",
		"-vf", fmt.Sprintf("fps=%s,scale=%d:%d:flags=bilinear", strconv.FormatFloat(fps, 'f', -1, 64), w, h),
		"-pix_fmt", "rgba", "-f", "rawvideo", "pipe:1")
	cmd := exec.CommandContext(dctx, ffmpegPath, args...)
	prepareChild(cmd)
	cmd.WaitDelay = 2 * time.Second
	d := &Decoder{file: file, info: info, w: w, h: h, fps: fps, start: opt.Start, ctx: dctx, cancel: cancel, cmd: cmd, stderr: &lastLines{}}
	cmd.Stderr = d.stderr
	if d.out, err = cmd.StdoutPipe(); err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("cannot start ffmpeg (%s): %w", ffmpegPath, err)
	}
	return d, nil
}

// videoInfo learns size and rate: ffprobe or the built-in parsers, and as a
// last resort ffmpeg's own description of the input.
func videoInfo(ctx context.Context, ffmpeg, file, ffprobe string) (Info, error) {
	if ffprobe == "" {
		ffprobe = besideOrEmpty(ffmpeg, "ffprobe")
	}
	info, err := Prober{FFprobe: ffprobe}.Probe(ctx, file)
	if err != nil {
		return Info{}, err
	}
	if err := info.Check(Video); err != nil {
		return Info{}, err
	}
	if info.Width <= 0 || info.Height <= 0 || info.FPS <= 0 {
		w, h, fps, err := ffmpegStreamInfo(ctx, ffmpeg, file)
		if err != nil && (info.Width <= 0 || info.Height <= 0) {
			return Info{}, err
		}
		if info.Width <= 0 || info.Height <= 0 {
			info.Width, info.Height = w, h
		}
		if info.FPS <= 0 {
			info.FPS = fps
		}
	}
	return info, nil
}

var (
	reVideoSize = regexp.MustCompile(`Stream #\d+:\d+.*?: Video: .*?(\d{2,5})x(\d{2,5})`)
	reVideoFPS  = regexp.MustCompile(`(\d+(?:\.\d+)?) fps`)
)

// ffmpegStreamInfo reads "Stream #0:0: Video: h264 …, 1280x720 …, 24 fps"
// from `ffmpeg -i file` (imageio-ffmpeg ships ffmpeg without ffprobe).
func ffmpegStreamInfo(ctx context.Context, ffmpeg, file string) (w, h int, fps float64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-i", inputArg(file))
	prepareChild(cmd)
	out, _ := cmd.CombinedOutput() // exits 1: no output file given
	for _, line := range strings.Split(string(out), "\n") {
		m := reVideoSize.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		w, _ = strconv.Atoi(m[1])
		h, _ = strconv.Atoi(m[2])
		if f := reVideoFPS.FindStringSubmatch(line); f != nil {
			fps, _ = strconv.ParseFloat(f[1], 64)
		}
		return w, h, fps, nil
	}
	return 0, 0, 0, fmt.Errorf("ffmpeg cannot find a video stream in %s", filepath.Base(file))
}

// fit scales w×h down to fit maxW×maxH keeping the aspect (never up), with
// even sides, which every scaler and encoder accepts.
func fit(w, h, maxW, maxH int) (int, int) {
	f := 1.0
	if maxW > 0 && w > maxW {
		f = float64(maxW) / float64(w)
	}
	if maxH > 0 && float64(h)*f > float64(maxH) {
		f = float64(maxH) / float64(h)
	}
	nw, nh := int(float64(w)*f+0.5), int(float64(h)*f+0.5)
	nw, nh = max(2, nw&^1), max(2, nh&^1)
	return nw, nh
}

// Size is the frame size after scaling.
func (d *Decoder) Size() (w, h int) { return d.w, d.h }

// FPS is the rate frames come at.
func (d *Decoder) FPS() float64 { return d.fps }

// FrameDuration is how long each frame is shown.
func (d *Decoder) FrameDuration() time.Duration {
	return time.Duration(float64(time.Second) / d.fps)
}

// Info is what the probe said about the file (source size, length, sound).
func (d *Decoder) Info() Info { return d.info }

// Position is the time of the next frame Next will return.
func (d *Decoder) Position() time.Duration {
	return d.at(d.n.Load())
}

// at is the time of frame i (counted from the decoder's start).
func (d *Decoder) at(i int64) time.Duration {
	return d.start + time.Duration(float64(i)*float64(time.Second)/d.fps)
}

// Next returns the next frame, or io.EOF after the last one. See Decoder for
// how long a frame stays valid.
func (d *Decoder) Next() (*image.RGBA, error) {
	i := d.n.Load() % 2
	if d.bufs[i] == nil {
		d.bufs[i] = image.NewRGBA(image.Rect(0, 0, d.w, d.h))
	}
	buf := d.bufs[i]
	if _, err := io.ReadFull(d.out, buf.Pix); err != nil {
		if werr := d.wait(); werr != nil && d.ctx.Err() == nil {
			return nil, fmt.Errorf("ffmpeg could not decode %s: %s", filepath.Base(d.file), d.stderr.orErr(werr))
		}
		if d.ctx.Err() != nil {
			return nil, d.ctx.Err()
		}
		return nil, io.EOF // a cut-short last frame counts as the end
	}
	d.n.Add(1)
	return buf, nil
}

func (d *Decoder) wait() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.waited {
		d.waited = true
		d.waitErr = d.cmd.Wait()
	}
	return d.waitErr
}

// StartAudio plays the file's sound with `ffplay -nodisp -autoexit`, from
// the time of the frame Next returned last (the start, before the first
// frame): call it when that frame is shown, and again after StopAudio to
// resume. It does nothing when the file has no sound, ffplay is "" (silent
// playback) or sound is already playing. ffplay keeps its own clock and
// takes a moment to start, so sound may trail the picture slightly.
func (d *Decoder) StartAudio(ffplay string) error {
	if ffplay == "" || !d.info.HasAudio {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.audio != nil {
		return nil
	}
	from := d.at(max(d.n.Load()-1, 0))
	args := []string{"-nodisp", "-autoexit", "-loglevel", "quiet", "-nostats"}
	if from > 0 {
		args = append(args, "-ss", strconv.FormatFloat(from.Seconds(), 'f', 3, 64))
	}
	args = append(args, inputArg(d.file))
	cmd := exec.CommandContext(d.ctx, ffplay, args...)
	prepareChild(cmd)
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start ffplay for the sound: %w", err)
	}
	done := make(chan struct{})
	d.audio, d.audioDone = cmd, done
	go func() { _ = cmd.Wait(); close(done) }()
	return nil
}

// StopAudio stops the sound (for pause); StartAudio resumes it from the
// current frame. Both ways work the same on every OS.
func (d *Decoder) StopAudio() {
	d.mu.Lock()
	cmd, done := d.audio, d.audioDone
	d.audio, d.audioDone = nil, nil
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	if cmd.Cancel != nil {
		_ = cmd.Cancel()
	} else {
		_ = cmd.Process.Kill()
	}
	<-done
}

// Close stops ffmpeg and ffplay and waits for them. Safe to call twice.
func (d *Decoder) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.StopAudio()
	_ = d.wait()
	return nil
}

// Owned wraps d so that every frame is a fresh copy the caller may keep (for
// players that hold frames longer than double buffering allows).
func (d *Decoder) Owned() *OwnedFrames { return &OwnedFrames{d} }

// OwnedFrames is a Decoder whose Next returns frames the caller owns.
type OwnedFrames struct{ *Decoder }

// Next returns a copy of the decoder's next frame.
func (o *OwnedFrames) Next() (*image.RGBA, error) {
	f, err := o.Decoder.Next()
	if err != nil {
		return nil, err
	}
	c := &image.RGBA{Pix: append([]byte(nil), f.Pix...), Stride: f.Stride, Rect: f.Rect}
	return c, nil
}

// Thumbnail grabs one frame of a video (a tenth in, at most 2 s, so it is
// rarely the black first frame), at most 480 pixels on its long side.
func Thumbnail(ctx context.Context, ffmpegPath, file string) (image.Image, error) {
	if ffmpegPath == "" {
		return nil, ErrNoFFmpeg
	}
	info, err := videoInfo(ctx, ffmpegPath, file, "")
	if err != nil {
		return nil, err
	}
	w, h := fit(info.Width, info.Height, 480, 480)
	at := min(info.Duration/10, 2*time.Second)
	img, err := grabFrame(ctx, ffmpegPath, file, at, w, h)
	if err != nil && at > 0 {
		img, err = grabFrame(ctx, ffmpegPath, file, 0, w, h)
	}
	return img, err
}

func grabFrame(ctx context.Context, ffmpeg, file string, at time.Duration, w, h int) (image.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := []string{"-nostdin", "-hide_banner", "-v", "error"}
	if at > 0 {
		args = append(args, "-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64))
	}
	args = append(args, "-i", inputArg(file), "-an", "-frames:v", "1",
		"-vf", fmt.Sprintf("scale=%d:%d", w, h), "-c:v", "png", "-f", "image2pipe", "pipe:1")
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	prepareChild(cmd)
	var stderr lastLines
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg could not read a frame of %s: %s", filepath.Base(file), stderr.orErr(err))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ffmpeg found no frame in %s", filepath.Base(file))
	}
	return png.Decode(bytes.NewReader(out))
}

// lastLines keeps the last few lines a child wrote to stderr.
type lastLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *lastLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(string(b), "\n") {
		if s = strings.TrimSpace(s); s != "" {
			l.lines = append(l.lines, s)
			if len(l.lines) > 3 {
				l.lines = l.lines[1:]
			}
		}
	}
	return len(b), nil
}

func (l *lastLines) orErr(err error) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) > 0 {
		return strings.Join(l.lines, "; ")
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

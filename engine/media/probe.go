package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registered decoders: what an image slot accepts
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// Prober reads media files. With FFprobe set it asks ffprobe about audio and
// video (exact for every codec); without it, small built-in parsers read the
// headers of WAV, MP3, FLAC, Ogg, MP4/MOV, WebM/MKV and AVI. Images are
// always read by Go's decoders.
type Prober struct {
	FFprobe string // path to ffprobe; "" for the built-in parsers only
}

// Probe reads path with ffprobe from PATH when there is one.
func Probe(ctx context.Context, path string) (Info, error) {
	ffprobe, _ := exec.LookPath("ffprobe")
	return Prober{FFprobe: ffprobe}.Probe(ctx, path)
}

// ProbeAs probes and checks the kind in one go, for a media slot.
func ProbeAs(ctx context.Context, path string, want Kind) (Info, error) {
	info, err := Probe(ctx, path)
	if err != nil {
		return info, err
	}
	return info, info.Check(want)
}

// Probe identifies path by its content and reads its size and length.
func (p Prober) Probe(ctx context.Context, path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("cannot open %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("cannot read %s: %w", filepath.Base(path), err)
	}
	if st.IsDir() {
		return Info{}, fmt.Errorf("%s is a folder, not a media file", filepath.Base(path))
	}
	if st.Size() == 0 {
		return Info{}, fmt.Errorf("%s is empty (0 bytes): %w", filepath.Base(path), ErrNotMedia)
	}
	head := make([]byte, min(st.Size(), 4096))
	if _, err := io.ReadFull(f, head); err != nil {
		return Info{}, fmt.Errorf("cannot read %s: %w", filepath.Base(path), err)
	}
	s := src{r: f, size: st.Size()}
	c := sniff(head)

	var native func(src) (Info, error)
	switch c {
	case cPNG, cJPEG, cGIF, cWebP, cBMP:
		return probeImage(f, path)
	case cWAV:
		native = probeWAV
	case cMP3:
		native = probeMP3
	case cFLAC:
		native = probeFLAC
	case cOgg:
		native = probeOgg
	case cISO:
		native = probeISO
	case cEBML:
		native = probeEBML
	case cAVI:
		native = probeAVI
	}
	if p.FFprobe != "" {
		info, ferr := ffprobeInfo(ctx, p.FFprobe, path)
		if ferr == nil && info.Kind != Unknown {
			if native != nil {
				// Keep our plain format names ("MP4", not "mov,mp4,m4a,3gp,3g2,mj2").
				if n, err := native(s); err == nil {
					info.Format = n.Format
				}
			}
			return info, nil
		}
		if ctx.Err() != nil {
			return Info{}, ctx.Err()
		}
	}
	if native == nil {
		return Info{}, fmt.Errorf("%s: %w", filepath.Base(path), ErrNotMedia)
	}
	info, err := native(s)
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return info, nil
}

// MaxImagePixels and MaxImageSide bound the images the app accepts. Decoding
// one takes 4 bytes a pixel (a 12000×12000 PNG is 576 MB in memory, in the
// window's preview and again in ComfyUI), and the graphs scale every image
// down to at most a couple of megapixels anyway. 50 MP still takes any
// camera photo (8192×6144 = 50.3 MP is just over; 8160×6120 fits).
const (
	MaxImagePixels = 50_000_000
	MaxImageSide   = 16384
)

func checkImageSize(name string, w, h int) error {
	if int64(w)*int64(h) > MaxImagePixels || w > MaxImageSide || h > MaxImageSide {
		return fmt.Errorf("%s is %d×%d (%.0f megapixels); the largest image the app takes is %d megapixels and %d pixels a side: scale it down first",
			name, w, h, float64(w)*float64(h)/1e6, MaxImagePixels/1_000_000, MaxImageSide)
	}
	return nil
}

func probeImage(f *os.File, path string) (Info, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Info{}, err
	}
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return Info{}, fmt.Errorf("%s looks like an image but cannot be read (damaged or unsupported): %v", filepath.Base(path), err)
	}
	names := map[string]string{"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "bmp": "BMP"}
	if n, ok := names[format]; ok {
		format = n
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, fmt.Errorf("%s is an image with no pixels", filepath.Base(path))
	}
	if err := checkImageSize(filepath.Base(path), cfg.Width, cfg.Height); err != nil {
		return Info{}, err
	}
	return Info{Kind: Image, Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// ffprobe's JSON, the parts we read.
type ffprobeOut struct {
	Streams []struct {
		CodecType    string `json:"codec_type"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		AvgFrameRate string `json:"avg_frame_rate"`
		RFrameRate   string `json:"r_frame_rate"`
		Duration     string `json:"duration"`
		Disposition  struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
		Tags struct {
			Rotate string `json:"rotate"`
		} `json:"tags"`
		SideData []struct {
			Rotation float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func ffprobeInfo(ctx context.Context, ffprobe, path string) (Info, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", inputArg(path))
	prepareChild(cmd)
	out, err := cmd.Output()
	if err != nil {
		return Info{}, fmt.Errorf("ffprobe: %w", err)
	}
	var o ffprobeOut
	if err := json.Unmarshal(out, &o); err != nil {
		return Info{}, fmt.Errorf("ffprobe printed something unexpected: %w", err)
	}
	info := Info{Format: o.Format.FormatName}
	if strings.HasSuffix(o.Format.FormatName, "_pipe") || o.Format.FormatName == "image2" {
		return Info{}, errors.New("ffprobe sees a still image")
	}
	dur := parseSeconds(o.Format.Duration)
	for _, st := range o.Streams {
		switch st.CodecType {
		case "video":
			if st.Disposition.AttachedPic != 0 || info.Kind == Video {
				continue // cover art in an audio file is not video
			}
			info.Kind, info.Width, info.Height = Video, st.Width, st.Height
			info.FPS = parseRate(st.AvgFrameRate)
			if info.FPS == 0 {
				info.FPS = parseRate(st.RFrameRate)
			}
			rot := 0.0
			if r, err := strconv.ParseFloat(st.Tags.Rotate, 64); err == nil {
				rot = r
			}
			for _, sd := range st.SideData {
				if sd.Rotation != 0 {
					rot = sd.Rotation
				}
			}
			if r := int(rot) % 180; r == 90 || r == -90 {
				info.Width, info.Height = info.Height, info.Width // ffmpeg shows it turned
			}
			if dur == 0 {
				dur = parseSeconds(st.Duration)
			}
		case "audio":
			info.HasAudio = true
			if dur == 0 {
				dur = parseSeconds(st.Duration)
			}
		}
	}
	if info.Kind == Unknown && info.HasAudio {
		info.Kind = Audio
	}
	info.Duration = time.Duration(dur * float64(time.Second))
	return info, nil
}

func parseSeconds(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0
	}
	return f
}

// parseRate reads "30000/1001" or "25".
func parseRate(r string) float64 {
	num, den, ok := strings.Cut(r, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0
	}
	if !ok {
		return n
	}
	d, err := strconv.ParseFloat(den, 64)
	if err != nil || d == 0 {
		return 0
	}
	return n / d
}

// inputArg makes a path safe to hand ffmpeg/ffprobe as an input: absolute,
// so a name starting with "-" is never read as an option.
func inputArg(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// CheckImageSize refuses an image file whose header claims more pixels than
// the app takes (MaxImagePixels, MaxImageSide). Only the header is read; a
// file that is no image Go can read passes (the full checks belong to Probe).
func CheckImageSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil
	}
	return checkImageSize(filepath.Base(path), cfg.Width, cfg.Height)
}

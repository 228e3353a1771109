package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// src reads a file at offsets with bounds checks.
type src struct {
	r    io.ReaderAt
	size int64
}

func (s src) at(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off+n > s.size {
		return nil, io.ErrUnexpectedEOF
	}
	b := make([]byte, n)
	if _, err := s.r.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && off+n == s.size) {
		return nil, err
	}
	return b, nil
}

func secs(num, den float64) time.Duration {
	if den <= 0 || num <= 0 {
		return 0
	}
	return time.Duration(num / den * float64(time.Second))
}

// probeWAV reads the RIFF chunks: fmt for the byte rate, data for the size.
func probeWAV(s src) (Info, error) {
	info := Info{Kind: Audio, Format: "WAV", HasAudio: true}
	var byteRate uint32
	var dataSize int64 = -1
	var ds64Data int64 = -1
	off := int64(12)
	for off+8 <= s.size {
		h, err := s.at(off, 8)
		if err != nil {
			break
		}
		id, size := string(h[0:4]), int64(binary.LittleEndian.Uint32(h[4:8]))
		switch id {
		case "ds64": // RF64: the real sizes live here
			if b, err := s.at(off+8, 24); err == nil {
				ds64Data = int64(binary.LittleEndian.Uint64(b[8:16]))
			}
		case "fmt ":
			b, err := s.at(off+8, 16)
			if err != nil {
				return Info{}, fmt.Errorf("damaged WAV file: short fmt chunk")
			}
			byteRate = binary.LittleEndian.Uint32(b[8:12])
		case "data":
			switch {
			case ds64Data >= 0:
				dataSize = ds64Data
			case size == 0xFFFFFFFF || off+8+size > s.size: // streamed or cut short
				dataSize = s.size - off - 8
			default:
				dataSize = size
			}
		}
		if id == "data" || size == 0xFFFFFFFF {
			break
		}
		off += 8 + size + size&1 // chunks are padded to even sizes
	}
	if byteRate == 0 || dataSize < 0 {
		return Info{}, errors.New("damaged WAV file: no fmt or data chunk")
	}
	info.Duration = secs(float64(dataSize), float64(byteRate))
	return info, nil
}

// probeFLAC reads STREAMINFO, which every FLAC file starts with.
func probeFLAC(s src) (Info, error) {
	b, err := s.at(4, 4+34)
	if err != nil || b[0]&0x7F != 0 {
		return Info{}, errors.New("damaged FLAC file: no STREAMINFO block")
	}
	x := binary.BigEndian.Uint64(b[4+10 : 4+18])
	rate := x >> 44
	total := x & (1<<36 - 1)
	return Info{Kind: Audio, Format: "FLAC", HasAudio: true, Duration: secs(float64(total), float64(rate))}, nil
}

// probeOgg identifies the first stream's codec and reads the last page's
// granule position (samples for Vorbis/Opus) for the length.
func probeOgg(s src) (Info, error) {
	h, err := s.at(0, 27)
	if err != nil {
		return Info{}, errors.New("damaged Ogg file")
	}
	serial := binary.LittleEndian.Uint32(h[14:18])
	nseg := int(h[26])
	segs, err := s.at(27, int64(nseg))
	if err != nil {
		return Info{}, errors.New("damaged Ogg file")
	}
	plen := 0
	for _, l := range segs {
		plen += int(l)
		if l < 255 {
			break
		}
	}
	pkt, err := s.at(int64(27+nseg), int64(min(plen, 64)))
	if err != nil {
		return Info{}, errors.New("damaged Ogg file")
	}
	info := Info{Kind: Audio, Format: "Ogg", HasAudio: true}
	var rate, preSkip float64
	switch {
	case bytes.HasPrefix(pkt, []byte("\x01vorbis")) && len(pkt) >= 16:
		rate = float64(binary.LittleEndian.Uint32(pkt[12:16]))
	case bytes.HasPrefix(pkt, []byte("OpusHead")) && len(pkt) >= 12:
		rate, preSkip = 48000, float64(binary.LittleEndian.Uint16(pkt[10:12]))
	case bytes.HasPrefix(pkt, []byte("\x80theora")):
		info = Info{Kind: Video, Format: "Ogg"} // length needs ffprobe
		if len(pkt) >= 20 {
			info.Width = int(pkt[14])<<16 | int(pkt[15])<<8 | int(pkt[16])
			info.Height = int(pkt[17])<<16 | int(pkt[18])<<8 | int(pkt[19])
		}
		return info, nil
	default:
		return info, nil // FLAC/Speex in Ogg: recognised, length unknown
	}
	// The last page of our stream is in the file's tail.
	tailLen := min(s.size, 65536)
	tail, err := s.at(s.size-tailLen, tailLen)
	if err != nil {
		return info, nil
	}
	for i := bytes.LastIndex(tail, []byte("OggS")); i >= 0; i = bytes.LastIndex(tail[:i], []byte("OggS")) {
		if i+27 > len(tail) || binary.LittleEndian.Uint32(tail[i+14:i+18]) != serial {
			continue
		}
		g := int64(binary.LittleEndian.Uint64(tail[i+6 : i+14]))
		if g > 0 {
			info.Duration = secs(float64(g)-preSkip, rate)
			break
		}
	}
	return info, nil
}

// mp3Frame is one parsed MPEG audio frame header.
type mp3Frame struct {
	version  int // 1, 2 or 25 (MPEG 2.5)
	layer    int
	bitrate  int // bit/s
	rate     int // Hz
	mono     bool
	length   int // bytes, header included
	perFrame int // samples
	sideInfo int // bytes of layer III side info
}

var mp3Bitrates = map[[2]int][16]int{ // [version 1 or 2][layer] kbit/s; index 0 free, 15 bad
	{1, 1}: {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0},
	{1, 2}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},
	{1, 3}: {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},
	{2, 1}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},
	{2, 2}: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
	{2, 3}: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
}

func parseMP3Header(b []byte) (mp3Frame, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mp3Frame{}, false
	}
	var f mp3Frame
	switch (b[1] >> 3) & 3 {
	case 0:
		f.version = 25
	case 2:
		f.version = 2
	case 3:
		f.version = 1
	default:
		return mp3Frame{}, false
	}
	f.layer = 4 - int((b[1]>>1)&3)
	if f.layer == 4 {
		return mp3Frame{}, false
	}
	bi, si := int(b[2]>>4), int((b[2]>>2)&3)
	if bi == 0 || bi == 15 || si == 3 {
		return mp3Frame{}, false
	}
	v := f.version
	if v == 25 {
		v = 2
	}
	f.bitrate = mp3Bitrates[[2]int{v, f.layer}][bi] * 1000
	f.rate = [3]int{44100, 48000, 32000}[si]
	switch f.version {
	case 2:
		f.rate /= 2
	case 25:
		f.rate /= 4
	}
	pad := int((b[2] >> 1) & 1)
	f.mono = b[3]>>6 == 3
	switch {
	case f.layer == 1:
		f.perFrame = 384
		f.length = (12*f.bitrate/f.rate + pad) * 4
	case f.layer == 3 && f.version != 1:
		f.perFrame = 576
		f.length = 72*f.bitrate/f.rate + pad
	default:
		f.perFrame = 1152
		f.length = 144*f.bitrate/f.rate + pad
	}
	switch {
	case f.version == 1 && !f.mono:
		f.sideInfo = 32
	case f.version == 1 || !f.mono:
		f.sideInfo = 17
	default:
		f.sideInfo = 9
	}
	return f, f.length > 4
}

// probeMP3 skips an ID3v2 tag, finds the first frame and takes the length
// from a Xing/Info or VBRI header, else from the bitrate (CBR).
func probeMP3(s src) (Info, error) {
	var start int64
	if h, err := s.at(0, 10); err == nil && string(h[0:3]) == "ID3" {
		start = 10 + int64(h[6]&0x7F)<<21 | int64(h[7]&0x7F)<<14 | int64(h[8]&0x7F)<<7 | int64(h[9]&0x7F)
		if h[5]&0x10 != 0 {
			start += 10 // footer
		}
	}
	n := min(s.size-start, 64<<10)
	buf, err := s.at(start, n)
	if err != nil {
		return Info{}, errors.New("damaged MP3 file")
	}
	off := -1
	for i := 0; i+4 <= len(buf); i++ {
		if buf[i] == 0xFF && mp3SyncAt(buf, i) == i {
			off = i
			break
		}
	}
	if off < 0 {
		return Info{}, fmt.Errorf("%w (no MPEG audio frames found)", ErrNotMedia)
	}
	f, _ := parseMP3Header(buf[off:])
	info := Info{Kind: Audio, Format: "MP3", HasAudio: true}
	frame := buf[off:min(len(buf), off+f.length)]
	if x := 4 + f.sideInfo; len(frame) >= x+12 && (string(frame[x:x+4]) == "Xing" || string(frame[x:x+4]) == "Info") {
		if binary.BigEndian.Uint32(frame[x+4:x+8])&1 != 0 {
			frames := binary.BigEndian.Uint32(frame[x+8 : x+12])
			info.Duration = secs(float64(frames)*float64(f.perFrame), float64(f.rate))
			return info, nil
		}
	}
	if len(frame) >= 36+18 && string(frame[36:40]) == "VBRI" {
		frames := binary.BigEndian.Uint32(frame[36+14 : 36+18])
		info.Duration = secs(float64(frames)*float64(f.perFrame), float64(f.rate))
		return info, nil
	}
	audio := s.size - start - int64(off)
	if t, err := s.at(s.size-128, 3); err == nil && string(t) == "TAG" {
		audio -= 128
	}
	info.Duration = secs(float64(audio)*8, float64(f.bitrate))
	return info, nil
}

package media

import (
	"bytes"
	"encoding/binary"
)

// container is what the first bytes of a file say it is.
type container int

const (
	cUnknown container = iota
	cPNG
	cJPEG
	cGIF
	cWebP
	cBMP
	cWAV
	cMP3
	cFLAC
	cOgg
	cISO // MP4 / MOV / M4A (ISO base media)
	cEBML
	cAVI
)

// sniff recognises a file from its first bytes (at least 64 when the file
// has them). Extensions are never consulted: a renamed file is still what it
// is, and a ".mp4" holding a PNG is a PNG.
func sniff(h []byte) container {
	switch {
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return cPNG
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return cJPEG
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return cGIF
	case len(h) >= 12 && string(h[0:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return cWebP
	case len(h) >= 12 && (string(h[0:4]) == "RIFF" || string(h[0:4]) == "RF64") && string(h[8:12]) == "WAVE":
		return cWAV
	case len(h) >= 12 && string(h[0:4]) == "RIFF" && string(h[8:12]) == "AVI ":
		return cAVI
	case bytes.HasPrefix(h, []byte("BM")) && len(h) >= 26 && binary.LittleEndian.Uint32(h[14:18]) >= 12 && binary.LittleEndian.Uint32(h[14:18]) <= 124:
		return cBMP
	case bytes.HasPrefix(h, []byte("fLaC")):
		return cFLAC
	case bytes.HasPrefix(h, []byte("OggS")):
		return cOgg
	case bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return cEBML
	case len(h) >= 8 && isISOBox(string(h[4:8])):
		return cISO
	case bytes.HasPrefix(h, []byte("ID3")):
		return cMP3
	}
	if off := mp3SyncAt(h, 0); off == 0 {
		return cMP3
	}
	return cUnknown
}

// isISOBox accepts the box types an MP4/MOV file starts with; old QuickTime
// files may start with moov, mdat, wide, free or skip rather than ftyp.
func isISOBox(t string) bool {
	switch t {
	case "ftyp", "moov", "mdat", "wide", "free", "skip", "pnot":
		return true
	}
	return false
}

// mp3SyncAt returns off when a valid MPEG audio header sits at h[off] and,
// if the buffer reaches that far, a second one follows the frame; else -1.
// Two headers in a row rule out random bytes that happen to start 0xFFE.
func mp3SyncAt(h []byte, off int) int {
	f, ok := parseMP3Header(h[off:])
	if !ok {
		return -1
	}
	next := off + f.length
	if next+4 <= len(h) {
		if _, ok := parseMP3Header(h[next:]); !ok {
			return -1
		}
	} else if len(h)-off > 4 && next > len(h) && len(h) >= 1024 {
		// Not enough bytes to confirm with a buffer this big: suspicious.
		return -1
	}
	return off
}

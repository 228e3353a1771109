package media

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// isoTrack is what one MP4/MOV trak says.
type isoTrack struct {
	handler       string // "vide", "soun", …
	width, height int
	timescale     uint32
	duration      uint64
	samples       uint64
}

// walkBoxes calls fn for each box in [start, end). A box of size 0 runs to
// end; size 1 has a 64-bit size after the type.
func walkBoxes(s src, start, end int64, fn func(typ string, body, bodyEnd int64) error) error {
	for off := start; off+8 <= end; {
		h, err := s.at(off, 8)
		if err != nil {
			return err
		}
		size, typ, hdr := int64(binary.BigEndian.Uint32(h[0:4])), string(h[4:8]), int64(8)
		switch size {
		case 0:
			size = end - off
		case 1:
			b, err := s.at(off+8, 8)
			if err != nil {
				return err
			}
			size, hdr = int64(binary.BigEndian.Uint64(b)), 16
		}
		if size < hdr || off+size > end {
			return errors.New("box runs past its parent")
		}
		if err := fn(typ, off+hdr, off+size); err != nil {
			return err
		}
		off += size
	}
	return nil
}

// probeISO reads moov: mvhd for the length, each trak's tkhd/mdhd/hdlr/stts
// for size, kind and frame rate. moov may sit after mdat (no faststart):
// walking box headers skips mdat without reading it.
func probeISO(s src) (Info, error) {
	info := Info{Format: "MP4"}
	var movieScale uint32
	var movieDur uint64
	var tracks []isoTrack
	var cur *isoTrack
	var visit func(typ string, body, end int64) error
	visit = func(typ string, body, end int64) error {
		switch typ {
		case "ftyp":
			if b, err := s.at(body, 4); err == nil {
				switch string(b) {
				case "qt  ":
					info.Format = "MOV"
				case "M4A ", "M4B ":
					info.Format = "M4A"
				}
			}
		case "moov", "mdia", "minf", "stbl":
			return walkBoxes(s, body, end, visit)
		case "trak":
			tracks = append(tracks, isoTrack{})
			cur = &tracks[len(tracks)-1]
			return walkBoxes(s, body, end, visit)
		case "mvhd":
			b, err := s.at(body, min(end-body, 32))
			if err != nil || len(b) < 20 {
				return errors.New("short mvhd")
			}
			if b[0] == 1 && len(b) >= 32 {
				movieScale, movieDur = binary.BigEndian.Uint32(b[20:24]), binary.BigEndian.Uint64(b[24:32])
			} else {
				movieScale, movieDur = binary.BigEndian.Uint32(b[12:16]), uint64(binary.BigEndian.Uint32(b[16:20]))
			}
		case "tkhd":
			b, err := s.at(body, min(end-body, 92))
			if err != nil || cur == nil {
				return nil
			}
			w := 76 // version 0: width/height 16.16 at 76 and 80
			if b[0] == 1 {
				w = 88
			}
			if len(b) >= w+8 {
				cur.width = int(binary.BigEndian.Uint32(b[w:w+4]) >> 16)
				cur.height = int(binary.BigEndian.Uint32(b[w+4:w+8]) >> 16)
			}
		case "mdhd":
			b, err := s.at(body, min(end-body, 32))
			if err != nil || cur == nil || len(b) < 20 {
				return nil
			}
			if b[0] == 1 && len(b) >= 32 {
				cur.timescale, cur.duration = binary.BigEndian.Uint32(b[20:24]), binary.BigEndian.Uint64(b[24:32])
			} else {
				cur.timescale, cur.duration = binary.BigEndian.Uint32(b[12:16]), uint64(binary.BigEndian.Uint32(b[16:20]))
			}
		case "hdlr":
			// QuickTime also puts a data handler ("alis") in minf: the
			// first hdlr of a track, in mdia, is the media type.
			if b, err := s.at(body+8, 4); err == nil && cur != nil && cur.handler == "" {
				cur.handler = string(b)
			}
		case "stts":
			b, err := s.at(body+4, 4)
			if err != nil || cur == nil {
				return nil
			}
			n := int64(binary.BigEndian.Uint32(b))
			n = min(n, (end-body-8)/8)
			entries, err := s.at(body+8, n*8)
			if err != nil {
				return nil
			}
			for i := int64(0); i < n; i++ {
				cur.samples += uint64(binary.BigEndian.Uint32(entries[i*8:]))
			}
		}
		return nil
	}
	// A walk error after moov was read (a cut-short mdat) does not matter.
	if err := walkBoxes(s, 0, s.size, visit); movieScale == 0 {
		why := "no movie header (moov) found"
		if err != nil {
			why += " (" + err.Error() + ")"
		}
		return Info{}, errors.New("damaged " + info.Format + " file: " + why + "; the file may be unfinished or cut short")
	}
	info.Duration = secs(float64(movieDur), float64(movieScale))
	for _, t := range tracks {
		switch t.handler {
		case "vide":
			if info.Kind != Video && t.width > 0 {
				info.Kind, info.Width, info.Height = Video, t.width, t.height
				if d := secs(float64(t.duration), float64(t.timescale)); d > 0 && t.samples > 0 {
					info.FPS = float64(t.samples) / d.Seconds()
				}
			}
		case "soun":
			info.HasAudio = true
		}
	}
	if info.Kind == Unknown {
		if !info.HasAudio {
			return Info{}, errors.New("this " + info.Format + " file holds neither video nor audio")
		}
		info.Kind = Audio
	}
	return info, nil
}

// EBML element IDs used below (Matroska spec).
const (
	ebmlDocType       = 0x4282
	mkvSegment        = 0x18538067
	mkvInfo           = 0x1549A966
	mkvTimecodeScale  = 0x2AD7B1
	mkvDuration       = 0x4489
	mkvTracks         = 0x1654AE6B
	mkvTrackEntry     = 0xAE
	mkvTrackType      = 0x83
	mkvDefaultDur     = 0x23E383
	mkvVideo          = 0xE0
	mkvPixelWidth     = 0xB0
	mkvPixelHeight    = 0xBA
	mkvCluster        = 0x1F43B675
	ebmlUnknownLength = -1
)

// ebmlVint reads an element ID (marker bit kept) or a size (marker bit
// cleared; all ones = unknown length).
func ebmlVint(s src, off int64, isID bool) (v int64, n int, err error) {
	b, err := s.at(off, 1)
	if err != nil {
		return 0, 0, err
	}
	n = 1
	for mask := byte(0x80); n <= 8 && b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 || (isID && n > 4) {
		return 0, 0, errors.New("bad EBML number")
	}
	all, err := s.at(off, int64(n))
	if err != nil {
		return 0, 0, err
	}
	var u uint64
	for _, c := range all {
		u = u<<8 | uint64(c)
	}
	if isID {
		return int64(u), n, nil
	}
	u &^= 1 << (7 * n) // clear the length marker
	if u == 1<<(7*n)-1 {
		return ebmlUnknownLength, n, nil
	}
	return int64(u), n, nil
}

func ebmlElements(s src, start, end int64, fn func(id, body, bodyEnd int64) (stop bool)) error {
	for off := start; off < end; {
		id, n1, err := ebmlVint(s, off, true)
		if err != nil {
			return err
		}
		size, n2, err := ebmlVint(s, off+int64(n1), false)
		if err != nil {
			return err
		}
		body := off + int64(n1+n2)
		bodyEnd := body + size
		if size == ebmlUnknownLength || bodyEnd > end {
			bodyEnd = end
		}
		if fn(id, body, bodyEnd) {
			return nil
		}
		off = bodyEnd
	}
	return nil
}

func ebmlUint(s src, body, end int64) uint64 {
	b, err := s.at(body, min(end-body, 8))
	if err != nil {
		return 0
	}
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}

// probeEBML reads a WebM/Matroska header: DocType, Segment Info (length) and
// Tracks (kinds, picture size, frame rate), stopping at the first Cluster.
func probeEBML(s src) (Info, error) {
	info := Info{Format: "MKV"}
	scale := uint64(1_000_000) // ns per timecode tick, the default
	var dur float64
	sawTracks := false
	err := ebmlElements(s, 0, s.size, func(id, body, end int64) bool {
		switch id {
		case 0x1A45DFA3: // EBML header
			_ = ebmlElements(s, body, end, func(id, b, e int64) bool {
				if id == ebmlDocType {
					if v, err := s.at(b, min(e-b, 16)); err == nil && string(trimNUL(v)) == "webm" {
						info.Format = "WebM"
					}
				}
				return false
			})
		case mkvSegment:
			_ = ebmlElements(s, body, end, func(id, b, e int64) bool {
				switch id {
				case mkvInfo:
					_ = ebmlElements(s, b, e, func(id, b, e int64) bool {
						switch id {
						case mkvTimecodeScale:
							if v := ebmlUint(s, b, e); v > 0 {
								scale = v
							}
						case mkvDuration:
							if v, err := s.at(b, e-b); err == nil {
								switch len(v) {
								case 4:
									dur = float64(math.Float32frombits(binary.BigEndian.Uint32(v)))
								case 8:
									dur = math.Float64frombits(binary.BigEndian.Uint64(v))
								}
							}
						}
						return false
					})
				case mkvTracks:
					sawTracks = true
					_ = ebmlElements(s, b, e, func(id, b, e int64) bool {
						if id == mkvTrackEntry {
							readMKVTrack(s, b, e, &info)
						}
						return false
					})
				case mkvCluster:
					return true // media data from here on
				}
				return false
			})
			return true
		}
		return false
	})
	if err != nil && !sawTracks {
		return Info{}, errors.New("damaged " + info.Format + " file: " + err.Error())
	}
	info.Duration = time.Duration(dur * float64(scale))
	if info.Kind == Unknown {
		if info.HasAudio {
			info.Kind = Audio
		} else {
			info.Kind = Video // recognised, tracks unknown: let ffmpeg decide later
		}
	}
	return info, nil
}

func readMKVTrack(s src, body, end int64, info *Info) {
	var typ uint64
	var w, h int
	var frameNS uint64
	_ = ebmlElements(s, body, end, func(id, b, e int64) bool {
		switch id {
		case mkvTrackType:
			typ = ebmlUint(s, b, e)
		case mkvDefaultDur:
			frameNS = ebmlUint(s, b, e)
		case mkvVideo:
			_ = ebmlElements(s, b, e, func(id, b, e int64) bool {
				switch id {
				case mkvPixelWidth:
					w = int(ebmlUint(s, b, e))
				case mkvPixelHeight:
					h = int(ebmlUint(s, b, e))
				}
				return false
			})
		}
		return false
	})
	switch typ {
	case 1:
		if info.Kind != Video {
			info.Kind, info.Width, info.Height = Video, w, h
			if frameNS > 0 {
				info.FPS = 1e9 / float64(frameNS)
			}
		}
	case 2:
		info.HasAudio = true
	}
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// probeAVI reads the main AVI header (avih): frame time, frame count, size.
func probeAVI(s src) (Info, error) {
	info := Info{Kind: Video, Format: "AVI"}
	b, err := s.at(12, min(s.size-12, 64<<10)) // hdrl with its JUNK padding
	if err != nil {
		return info, nil
	}
	for i := 0; i+8+40 <= len(b); i++ {
		if string(b[i:i+4]) != "avih" {
			continue
		}
		h := b[i+8:]
		usPerFrame := binary.LittleEndian.Uint32(h[0:4])
		frames := binary.LittleEndian.Uint32(h[16:20])
		info.Width, info.Height = int(binary.LittleEndian.Uint32(h[32:36])), int(binary.LittleEndian.Uint32(h[36:40]))
		if usPerFrame > 0 {
			info.FPS = 1e6 / float64(usPerFrame)
			info.Duration = time.Duration(frames) * time.Duration(usPerFrame) * time.Microsecond
		}
		hdrl := b
		if string(b[0:4]) == "LIST" {
			hdrl = b[:min(len(b), 8+int(binary.LittleEndian.Uint32(b[4:8])))]
		}
		info.HasAudio = bytesContains(hdrl, "auds") // an audio stream header
		break
	}
	return info, nil
}

func bytesContains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

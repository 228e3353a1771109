package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Builders of small media files, byte by byte, so the native parsers are
// tested without ffmpeg.

func write(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func le16(v int) []byte          { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func le32(v int) []byte          { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func be32(v int) []byte          { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// wavBytes: 16-bit PCM silence of the given length, with a LIST chunk before
// data like many tools write.
func wavBytes(rate, channels int, seconds float64) []byte {
	data := make([]byte, int(float64(rate*channels*2)*seconds))
	fmtc := cat([]byte("fmt "), le32(16), le16(1), le16(channels), le32(rate), le32(rate*channels*2), le16(channels*2), le16(16))
	list := cat([]byte("LIST"), le32(5), []byte("INFOx"), []byte{0}) // odd size: padded
	body := cat([]byte("WAVE"), fmtc, list, []byte("data"), le32(len(data)), data)
	return cat([]byte("RIFF"), le32(len(body)), body)
}

// box builds one ISO-BMFF box.
func box(typ string, payload ...[]byte) []byte {
	p := cat(payload...)
	return cat(be32(8+len(p)), []byte(typ), p)
}

// mp4Bytes: ftyp, a big mdat, then moov (not "faststart"), with a video
// track of w×h at frames/seconds and optionally a sound track.
func mp4Bytes(brand string, w, h, frames int, seconds float64, sound bool) []byte {
	const scale = 1000
	dur := int(seconds * scale)
	zeros := func(n int) []byte { return make([]byte, n) }
	mvhd := box("mvhd", zeros(4), zeros(8), be32(scale), be32(dur), zeros(80))
	trak := func(handler string, tw, th, samples int) []byte {
		tkhd := box("tkhd", zeros(4), zeros(8), be32(1), zeros(4), be32(dur), zeros(8), zeros(8), zeros(36), be32(tw<<16), be32(th<<16))
		mdhd := box("mdhd", zeros(4), zeros(8), be32(scale), be32(dur), zeros(4))
		hdlr := box("hdlr", zeros(4), zeros(4), []byte(handler), zeros(12), []byte("x\x00"))
		stts := box("stts", zeros(4), be32(1), be32(samples), be32(dur/max(samples, 1)))
		return box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", box("stbl", stts))))
	}
	moov := [][]byte{mvhd, trak("vide", w, h, frames)}
	if sound {
		moov = append(moov, trak("soun", 0, 0, 100))
	}
	if w == 0 { // audio only
		moov = [][]byte{mvhd, trak("soun", 0, 0, 100)}
	}
	return cat(box("ftyp", []byte(brand), be32(0), []byte("isommp42")), box("free"), box("mdat", zeros(5000)), box("moov", moov...))
}

// mp3Bytes: n MPEG-1 layer III frames at 128 kbit/s, 44.1 kHz, stereo,
// after an ID3v2 tag; xingFrames > 0 makes the first frame a Xing header.
func mp3Bytes(n, xingFrames int) []byte {
	hdr := []byte{0xFF, 0xFB, 0x90, 0x00}
	frame := func() []byte { f := make([]byte, 417); copy(f, hdr); return f }
	id3 := cat([]byte("ID3\x03\x00\x00"), []byte{0, 0, 0, 20}, make([]byte, 20))
	out := id3
	if xingFrames > 0 {
		f := frame()
		copy(f[4+32:], cat([]byte("Xing"), be32(1), be32(xingFrames)))
		out = cat(out, f)
	}
	for range n {
		out = cat(out, frame())
	}
	return out
}

func flacBytes(rate, channels, bits int, total uint64) []byte {
	si := make([]byte, 34)
	binary.BigEndian.PutUint16(si[0:], 4096)
	binary.BigEndian.PutUint16(si[2:], 4096)
	x := uint64(rate)<<44 | uint64(channels-1)<<41 | uint64(bits-1)<<36 | total
	binary.BigEndian.PutUint64(si[10:], x)
	return cat([]byte("fLaC"), []byte{0x80, 0, 0, 34}, si)
}

// oggPage builds a page with one packet (no CRC: the parser does not check).
func oggPage(serial int, granule int64, packet []byte) []byte {
	var segs []byte
	n := len(packet)
	for n >= 255 {
		segs = append(segs, 255)
		n -= 255
	}
	segs = append(segs, byte(n))
	h := cat([]byte("OggS"), []byte{0, 0}, binary.LittleEndian.AppendUint64(nil, uint64(granule)), le32(serial), le32(0), le32(0), []byte{byte(len(segs))}, segs)
	return cat(h, packet)
}

func oggVorbisBytes(rate int, samples int64) []byte {
	id := cat([]byte("\x01vorbis"), le32(0), []byte{2}, le32(rate), le32(0), le32(128000), le32(0), []byte{0xB8, 1})
	return cat(oggPage(7, 0, id), oggPage(99, 12345678, make([]byte, 300)), oggPage(7, samples/2, make([]byte, 600)), oggPage(7, samples, make([]byte, 100)))
}

// EBML element: 1-4 byte id as given, 8-byte size.
func ebml(id uint32, payload ...[]byte) []byte {
	var idb []byte
	for s := 24; s >= 0; s -= 8 {
		if b := byte(id >> s); len(idb) > 0 || b != 0 {
			idb = append(idb, b)
		}
	}
	p := cat(payload...)
	size := binary.BigEndian.AppendUint64(nil, uint64(len(p)))
	size[0] = 0x01 // 8-byte vint marker
	return cat(idb, size, p)
}

func ebmlU(id uint32, v uint64) []byte { return ebml(id, binary.BigEndian.AppendUint64(nil, v)) }

func webmBytes(doc string, w, h int, ms float64, sound bool) []byte {
	header := ebml(0x1A45DFA3, ebmlU(0x4286, 1), ebml(0x4282, []byte(doc)))
	info := ebml(mkvInfo, ebmlU(mkvTimecodeScale, 1_000_000), ebml(mkvDuration, binary.BigEndian.AppendUint64(nil, math.Float64bits(ms))))
	tracks := [][]byte{ebml(mkvTrackEntry, ebmlU(mkvTrackType, 1), ebmlU(mkvDefaultDur, 40_000_000), ebml(mkvVideo, ebmlU(mkvPixelWidth, uint64(w)), ebmlU(mkvPixelHeight, uint64(h))))}
	if sound {
		tracks = append(tracks, ebml(mkvTrackEntry, ebmlU(mkvTrackType, 2)))
	}
	cluster := ebml(mkvCluster, make([]byte, 100))
	// Segment of unknown size, as live-written WebM files have.
	seg := cat([]byte{0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, info, ebml(mkvTracks, tracks...), cluster)
	return cat(header, seg)
}

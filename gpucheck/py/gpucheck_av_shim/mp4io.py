"""A minimal MP4 writer and reader for the GPU check (test-only).

The GPU machine has no PyAV and no ffmpeg, so SaveVideo cannot write
h264 + AAC there. This module writes an ISO-BMFF file with the same layout
a real MP4 has (ftyp, mdat, moov with one video and one sound track) but with
JPEG frames ("jpeg" sample entry) and 16-bit PCM sound ("sowt"), which need
no codec library: OpenCV encodes the JPEGs, the standard library the rest.
The reader reads back files written here (the check's own inputs) and
falls back to OpenCV for anything else.
"""
import struct
from fractions import Fraction

import numpy as np


def _box(kind, *parts):
    body = b"".join(parts)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _full(kind, version, flags, *parts):
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _tkhd(track_id, duration_ms, width, height, volume):
    return _full(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, track_id, 0, duration_ms), b"\0" * 8,
                 struct.pack(">hhhH", 0, 0, volume, 0), _MATRIX, struct.pack(">II", width << 16, height << 16))


def _stbl(entry, count, delta, sizes, const_size, offset):
    stts = _full(b"stts", 0, 0, struct.pack(">III", 1, count, delta))
    stsc = _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, count, 1))
    if const_size:
        stsz = _full(b"stsz", 0, 0, struct.pack(">II", const_size, count))
    else:
        stsz = _full(b"stsz", 0, 0, struct.pack(">II", 0, count), struct.pack(">%dI" % len(sizes), *sizes))
    stco = _full(b"stco", 0, 0, struct.pack(">II", 1, offset))
    return _box(b"stbl", _full(b"stsd", 0, 0, struct.pack(">I", 1), entry), stts, stsc, stsz, stco)


def _trak(track_id, handler, timescale, duration, duration_ms, width, height, media_header, stbl):
    mdhd = _full(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, timescale, duration), struct.pack(">HH", 0x55C4, 0))
    hdlr = _full(b"hdlr", 0, 0, struct.pack(">I4s", 0, handler), b"\0" * 12, b"gpucheck\0")
    dinf = _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1)))
    minf = _box(b"minf", media_header, dinf, stbl)
    volume = 0x100 if handler == b"soun" else 0
    return _box(b"trak", _tkhd(track_id, duration_ms, width, height, volume), _box(b"mdia", mdhd, hdlr, minf))


def write_mp4(path, frames_rgb_u8, fps, audio=None, sample_rate=0, quality=90):
    """frames_rgb_u8: N×H×W×3 uint8; audio: C×S float in [-1, 1] or None."""
    import cv2

    fps = Fraction(fps).limit_denominator(1000)
    n, height, width = frames_rgb_u8.shape[0], frames_rgb_u8.shape[1], frames_rgb_u8.shape[2]
    jpegs = []
    for f in frames_rgb_u8:
        ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(f[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        jpegs.append(buf.tobytes())
    pcm = b""
    channels = 0
    if audio is not None and audio.shape[-1] > 0:
        channels = audio.shape[0]
        pcm = (np.clip(np.nan_to_num(audio), -1, 1) * 32767).astype("<i2").T.tobytes()
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2mp41")
    video_bytes = b"".join(jpegs)
    mdat_header = 8
    video_off = len(ftyp) + mdat_header
    audio_off = video_off + len(video_bytes)
    mdat = _box(b"mdat", video_bytes, pcm)

    v_timescale, v_delta = fps.numerator * 1000, fps.denominator * 1000
    v_duration = n * v_delta
    duration_ms = int(round(1000 * n / float(fps)))
    entry = _box(b"jpeg", b"\0" * 6, struct.pack(">H", 1), b"\0" * 16, struct.pack(">HHII", width, height, 0x480000, 0x480000),
                 struct.pack(">IH", 0, 1), b"\x0bPhoto - JPEG".ljust(32, b"\0"), struct.pack(">hh", 24, -1))
    vmhd = _full(b"vmhd", 0, 1, b"\0" * 8)
    traks = [_trak(1, b"vide", v_timescale, v_duration, duration_ms, width, height, vmhd,
                   _stbl(entry, n, v_delta, [len(j) for j in jpegs], 0, video_off))]
    if channels:
        samples = audio.shape[-1]
        a_entry = _box(b"sowt", b"\0" * 6, struct.pack(">H", 1), b"\0" * 8, struct.pack(">HHHHI", channels, 16, 0, 0, sample_rate << 16))
        smhd = _full(b"smhd", 0, 0, b"\0" * 4)
        traks.append(_trak(2, b"soun", sample_rate, samples, int(round(1000 * samples / sample_rate)), 0, 0, smhd,
                           _stbl(a_entry, samples, 1, None, 2 * channels, audio_off)))
    mvhd = _full(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, duration_ms), struct.pack(">IH", 0x10000, 0x100), b"\0" * 10,
                 _MATRIX, b"\0" * 24, struct.pack(">I", len(traks) + 1))
    moov = _box(b"moov", mvhd, *traks)
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        f.write(ftyp + mdat + moov)
    import os
    os.replace(tmp, path)


def _walk(data, start, end, out, track=None):
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack(">I4s", data[off:off + 8])
        if size < 8 or off + size > end:
            break
        body, bend = off + 8, off + size
        if kind in (b"moov", b"mdia", b"minf", b"stbl"):
            _walk(data, body, bend, out, track)
        elif kind == b"trak":
            track = {}
            out.append(track)
            _walk(data, body, bend, out, track)
        elif track is not None:
            if kind == b"mdhd":
                track["timescale"], track["duration"] = struct.unpack(">II", data[body + 12:body + 20])
            elif kind == b"hdlr":
                track["handler"] = data[body + 8:body + 12]
            elif kind == b"stsd":
                track["entry"] = data[body + 12:body + 16]
                track["entry_body"] = body + 16
            elif kind == b"stts":
                track["count"], track["delta"] = struct.unpack(">II", data[body + 8:body + 16])
            elif kind == b"stsz":
                const, count = struct.unpack(">II", data[body + 4:body + 12])
                track["sizes"] = [const] * count if const else list(struct.unpack(">%dI" % count, data[body + 12:body + 12 + 4 * count]))
            elif kind == b"stco":
                track["offset"] = struct.unpack(">I", data[body + 8:body + 12])[0]
        off = bend


def read_mp4(path):
    """Returns (frames float32 N×H×W×3 in [0,1], fps Fraction, audio C×S float32 or None, sample_rate)."""
    import cv2

    with open(path, "rb") as f:
        data = f.read()
    tracks = []
    _walk(data, 0, len(data), tracks)
    video = next((t for t in tracks if t.get("handler") == b"vide" and t.get("entry") == b"jpeg"), None)
    if video is None:
        return _read_opencv(path)
    fps = Fraction(video["timescale"], video["delta"])
    frames, off = [], video["offset"]
    for size in video["sizes"]:
        img = cv2.imdecode(np.frombuffer(data[off:off + size], np.uint8), cv2.IMREAD_COLOR)
        frames.append(img[:, :, ::-1].astype(np.float32) / 255.0)
        off += size
    audio, rate = None, 0
    sound = next((t for t in tracks if t.get("handler") == b"soun" and t.get("entry") == b"sowt"), None)
    if sound is not None:
        channels = struct.unpack(">H", data[sound["entry_body"] + 16:sound["entry_body"] + 18])[0]
        rate = sound["timescale"]
        nbytes = sum(sound["sizes"])
        pcm = np.frombuffer(data[sound["offset"]:sound["offset"] + nbytes], "<i2").astype(np.float32) / 32768.0
        audio = pcm.reshape(-1, channels).T.copy()
    return np.stack(frames), fps, audio, rate


def _read_opencv(path):
    import cv2

    cap = cv2.VideoCapture(path)
    fps = Fraction(cap.get(cv2.CAP_PROP_FPS) or 1).limit_denominator(1000)
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img[:, :, ::-1].astype(np.float32) / 255.0)
    cap.release()
    if not frames:
        raise ValueError("no video frames could be read from %s" % path)
    return np.stack(frames), fps, None, 0


def probe_mp4(path):
    """(width, height, frame count, fps, duration s) without decoding."""
    with open(path, "rb") as f:
        data = f.read()
    tracks = []
    _walk(data, 0, len(data), tracks)
    video = next((t for t in tracks if t.get("handler") == b"vide"), None)
    if video is None or video.get("entry") != b"jpeg":
        frames, fps, _, _ = _read_opencv(path)
        return frames.shape[2], frames.shape[1], frames.shape[0], fps, frames.shape[0] / float(fps)
    e = video["entry_body"]
    width, height = struct.unpack(">HH", data[e + 24:e + 28])
    fps = Fraction(video["timescale"], video["delta"])
    n = len(video["sizes"])
    return width, height, n, fps, n / float(fps)

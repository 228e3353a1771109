"""GPU check only: stands in for PyAV, which the GPU machine lacks.

Loaded by ComfyUI as a custom-node pack that registers no nodes. It replaces
the few ComfyUI functions that call PyAV with versions that use the standard
library (WAV) and OpenCV (JPEG frames) through mp4io. The product's graphs are
untouched; the check's report lists each replacement.
"""
import logging
import math
import os
import sys
import wave
from fractions import Fraction

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import mp4io  # noqa: E402

from comfy_api.latest._input_impl import video_types as vt  # noqa: E402
from comfy_api.latest._util import VideoComponents  # noqa: E402

def _loaded(rel):
    """ComfyUI loads comfy_extras files under its own module names, so the
    modules the nodes live in are found by file, not imported again."""
    tail = os.path.join("comfy_extras", rel)
    mods = [m for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").endswith(tail)]
    if not mods:
        raise RuntimeError("gpucheck shim: %s is not loaded" % tail)
    return mods

NODE_CLASS_MAPPINGS = {}
SUBSTITUTIONS = []
log = logging.getLogger("gpucheck_av_shim")


def _sub(what):
    SUBSTITUTIONS.append(what)
    log.info("gpucheck substitution: %s", what)


def load_wav(path):
    """WAV through the standard library: (C×S float32 tensor, rate)."""
    try:
        with wave.open(path, "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except wave.Error:
        _, _, audio, rate = mp4io.read_mp4(path)
        if audio is None:
            raise ValueError("No audio stream found in the file.")
        return torch.from_numpy(audio), rate
    dtype = {1: np.uint8, 2: "<i2", 4: "<i4"}[width]
    pcm = np.frombuffer(raw, dtype).astype(np.float32)
    if width == 1:
        pcm = (pcm - 128.0) / 128.0
    else:
        pcm = pcm / float(2 ** (8 * width - 1))
    return torch.from_numpy(pcm.reshape(-1, ch).T.copy()), rate


for m in _loaded("nodes_audio.py"):
    m.load = load_wav
_sub("LoadAudio reads WAV with Python's wave module (PyAV decoder)")


def _preprocess(image, crf=29):
    # The real node round-trips the frame through h264 at this CRF; JPEG at a
    # comparable quality keeps the even-size crop and the lossy step.
    if crf == 0:
        return image
    import cv2
    image = image[:(image.shape[0] // 2) * 2, :(image.shape[1] // 2) * 2]
    arr = (image * 255.0).byte().cpu().numpy()
    ok, buf = cv2.imencode(".jpg", arr[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, max(10, 100 - 2 * int(crf))])
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy()
    return torch.tensor(out, dtype=image.dtype, device=image.device) / 255.0


for m in _loaded("nodes_lt.py"):
    m.preprocess = _preprocess
_sub("LTXVPreprocess compresses the image with JPEG (OpenCV) instead of one h264 frame (PyAV)")


def _file(self):
    src = self._VideoFromFile__file
    if not isinstance(src, str):
        raise ValueError("the GPU check's video shim reads files only")
    return src


def _window(self, total):
    start, dur = self._VideoFromFile__start_time, self._VideoFromFile__duration
    if start < 0:
        start = max(total + start, 0.0)
    return start, dur


def _components(self):
    frames, fps, audio, rate = mp4io.read_mp4(_file(self))
    total = frames.shape[0] / float(fps)
    start, dur = _window(self, total)
    times = np.arange(frames.shape[0]) / float(fps)
    keep = times >= start - 1e-6
    if dur:
        keep &= times < start + dur - 1e-6
    images = torch.from_numpy(frames[keep])
    out_audio = None
    if audio is not None:
        a0 = int(round(start * rate))
        a1 = audio.shape[1] if not dur else int(round((start + dur) * rate))
        out_audio = {"waveform": torch.from_numpy(audio[:, a0:a1].copy()).unsqueeze(0), "sample_rate": rate}
    return VideoComponents(images=images, audio=out_audio, frame_rate=Fraction(fps), metadata={})


def _raw_duration(self):
    return float(mp4io.probe_mp4(_file(self))[4])


def _dimensions(self):
    w, h, _, _, _ = mp4io.probe_mp4(_file(self))
    return w, h


def _frame_count(self):
    return int(_components(self).images.shape[0])


def _frame_rate(self):
    return Fraction(mp4io.probe_mp4(_file(self))[3])


vt.VideoFromFile.get_components = _components
vt.VideoFromFile._get_raw_duration = _raw_duration
vt.VideoFromFile.get_dimensions = _dimensions
vt.VideoFromFile.get_frame_count = _frame_count
vt.VideoFromFile.get_frame_rate = _frame_rate
vt.VideoFromFile.get_container_format = lambda self: "mp4"
vt.VideoFromFile.get_bit_depth = lambda self: 8
_sub("LoadVideo/Video Slice/GetVideoComponents read the check's MP4 (JPEG frames + PCM) with OpenCV (PyAV demuxer)")


def _save_to(self, path, format=None, codec=None, metadata=None, bit_depth=None):
    c = self._VideoFromComponents__components
    images = c.images
    frame_rate = Fraction(round(c.frame_rate * 1000), 1000)
    arr = (images * 255).clamp(0, 255).byte().cpu().numpy()
    audio, rate = None, 0
    if c.audio:
        rate = int(c.audio["sample_rate"])
        wf = c.audio["waveform"]
        # Same cut as ComfyUI's save_to: no more sound than the frames last.
        wf = wf[0, :, :math.ceil((rate / frame_rate) * images.shape[0])]
        audio = wf.float().cpu().numpy()
    mp4io.write_mp4(path, arr, frame_rate, audio, rate)


vt.VideoFromComponents.save_to = _save_to
_sub("SaveVideo writes MP4 with JPEG frames + 16-bit PCM sound (mp4io) instead of h264 + AAC (PyAV)")

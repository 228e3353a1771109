"""Inputs for the GPU check's runs (test-only): still images (PNG), a speech
track (WAV) and a source video (MP4 with JPEG frames + PCM, see mp4io).

Usage: python3 make_inputs.py OUT_DIR
"""
import math
import os
import sys
import wave

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpucheck_av_shim"))
import mp4io  # noqa: E402


def gradient(w, h, phase):
    y, x = np.mgrid[0:h, 0:w]
    r = 127 + 120 * np.sin(x / 23.0 + phase)
    g = 127 + 120 * np.sin(y / 17.0 - phase)
    b = 127 + 120 * np.sin((x + y) / 31.0 + 2 * phase)
    return np.stack([r, g, b], -1).astype(np.uint8)


def tone(seconds, rate=44100):
    t = np.arange(int(seconds * rate)) / rate
    left = 0.3 * np.sin(2 * math.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * math.pi * 3 * t))
    right = 0.3 * np.sin(2 * math.pi * 330 * t)
    return np.stack([left, right]).astype(np.float32), rate


def main():
    import cv2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (w, h, phase) in {"start": (640, 480, 0.0), "portrait": (480, 640, 1.0), "first": (512, 320, 2.0),
                                "last": (512, 320, 3.0), "style": (400, 400, 4.0)}.items():
        cv2.imwrite(os.path.join(out, name + ".png"), gradient(w, h, phase)[:, :, ::-1])
    audio, rate = tone(3.0)
    with wave.open(os.path.join(out, "speech.wav"), "wb") as f:
        f.setnchannels(2)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes((audio.T * 32767).astype("<i2").tobytes())
    fps, seconds = 24, 2.0
    frames = np.stack([gradient(384, 256, i / 6.0) for i in range(int(fps * seconds))])
    a, r = tone(seconds, 48000)
    mp4io.write_mp4(os.path.join(out, "source.mp4"), frames, fps, a, r)
    print("inputs written to", out)


if __name__ == "__main__":
    main()

"""Generated bad and odd inputs, shared by the decoder tests and the whole-app hardening tests."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from vision.video.encode import write_video


def moving_square(n: int = 24, w: int = 96, h: int = 64) -> list[np.ndarray]:
    """Frames of a red square moving right on grey."""
    frames = []
    for i in range(n):
        img = np.full((h, w, 3), 40, np.uint8)
        img[20:40, 2 * i : 2 * i + 20] = (250, 30, 30)
        frames.append(img)
    return frames


def _encode(path: Path, frames: list[np.ndarray], codec: str, pix_fmt: str, fps: int = 12) -> Path:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps, options={"preset": "ultrafast"} if codec == "libx264" else {})
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], pix_fmt
        for f in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode(None))
    return path


def bad_videos(tmp: Path) -> dict[str, Path]:
    """Inputs no video reader can use: each must give one `VideoError` line naming the file."""
    import av

    tmp.mkdir(parents=True, exist_ok=True)
    good = write_video(tmp / "good.mp4", moving_square(), fps=12)
    bad = {
        "missing": tmp / "nope.mp4",
        "directory": tmp / "folder.mp4",
        "empty": tmp / "empty.mp4",
        "text": tmp / "notes.mp4",
        "random bytes": tmp / "noise.mp4",
        "truncated": tmp / "truncated.mp4",
        "zero frames": tmp / "zero.mp4",
        "audio only": tmp / "audio.wav",
        "symlink loop": tmp / "loop_a.mp4",
    }
    bad["directory"].mkdir(exist_ok=True)
    bad["empty"].write_bytes(b"")
    bad["text"].write_text("this is not a video\n" * 20)
    bad["random bytes"].write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    bad["truncated"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with av.open(str(bad["zero frames"]), "w") as out:  # a valid container with no frames
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        out.start_encoding()  # writes the header: the file exists, its track is empty
    with av.open(str(bad["audio only"]), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    for link, target in (("loop_a.mp4", "loop_b.mp4"), ("loop_b.mp4", "loop_a.mp4")):
        if not (tmp / link).is_symlink():
            os.symlink(tmp / target, tmp / link)
    good.unlink()
    return bad


def odd_videos(tmp: Path) -> dict[str, Path]:
    """Unusual but valid videos: each must be classified like any other."""
    tmp.mkdir(parents=True, exist_ok=True)
    frames = moving_square(24, 96, 64)
    odd = {
        "one frame": write_video(tmp / "one.mp4", frames[:1], fps=12),
        "gray": _encode(tmp / "gray.mp4", frames, "libx264", "gray"),
        "yuv444": _encode(tmp / "yuv444.mp4", frames, "libx264", "yuv444p"),
        "10-bit": _encode(tmp / "tenbit.mkv", frames, "ffv1", "yuv420p10le"),
        "8K": eight_k(tmp / "8k.mp4", 3),
        "variable frame rate": vfr_video(tmp / "vfr.mkv"),
        "black": write_video(tmp / "black.mp4", [np.zeros((64, 96, 3), np.uint8)] * 20, fps=12),
    }
    return odd


def eight_k(path: Path, n: int) -> Path:
    """An n-frame 7680x4320 H.264 video (the moving square, scaled up)."""
    frames = moving_square(n, 96, 64)
    return _encode(path, [np.repeat(np.repeat(f[:54], 80, 0), 80, 1) for f in frames], "libx264", "yuv420p")


def vfr_video(path: Path) -> Path:
    """40 frames 10 ms apart, then 40 frames 50 ms apart (MJPEG in Matroska)."""
    import av

    pts_ms = [10 * i for i in range(40)] + [400 + 50 * i for i in range(40)]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mjpeg", rate=100)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for i, pts in enumerate(pts_ms):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 2 * i, np.uint8), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def bit_flipped(tmp: Path) -> Path:
    """A real video with bytes flipped in the middle: decoders may conceal or fail, never crash."""
    good = write_video(tmp / "flip_src.mp4", moving_square(48), fps=12)
    data = bytearray(good.read_bytes())
    rng = np.random.default_rng(1)
    for i in rng.integers(len(data) // 3, len(data), 40):
        data[i] ^= 0xFF
    out = tmp / "bitflip.mp4"
    out.write_bytes(bytes(data))
    good.unlink()
    return out

"""Decode video files to RGB uint8 frames: PyAV (threaded) first, OpenCV as a fallback.

Every failure raises `VideoError` with the path and the reason on one line.
"""
from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Literal

import numpy as np

from vision.errors import VideoError
from vision.video.resize import SWSCALE_FILTER, area_resize, short_side_size

Backend = Literal["auto", "pyav", "opencv"]


@dataclass(frozen=True)
class VideoInfo:
    """Stream metadata. `frame_count` is the container's figure or an estimate from duration."""

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration: float
    codec: str
    backend: str


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its index among decoded frames, time in seconds, RGB pixels."""

    index: int
    time: float
    rgb: np.ndarray  # (H, W, 3) uint8


def _one_line(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)  # FFmpeg errors: the reason, not errno + path
    text = " ".join(text.split()) or exc.__class__.__name__
    return text if len(text) < 200 else text[:197] + "..."


def check_video_path(path: Path) -> None:
    """One-line `VideoError` for a path that cannot be a video file (before any decoder sees it)."""
    if not path.exists():
        if path.is_symlink():
            raise VideoError(f"{path}: broken or looping symbolic link")
        raise VideoError(f"{path}: no such file")
    if path.is_dir():
        raise VideoError(f"{path}: is a directory, not a video file")
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: empty file")


Target = Callable[[int, int], tuple[int, int] | None]  # (height, width) -> output (width, height)


def _target(size: tuple[int, int] | None, short_side: int | None) -> Target:
    if size is not None:
        return lambda h, w: size if (w, h) != size else None
    if short_side is not None:
        return lambda h, w: short_side_size(h, w, short_side) if min(h, w) != short_side else None
    return lambda h, w: None


def frame_rgb(frame, size: tuple[int, int] | None = None) -> np.ndarray:  # noqa: ANN001 (av.VideoFrame)
    """A decoded PyAV frame as RGB uint8 (H, W, 3), resized to `size` (width, height) in the same
    libswscale pass (area filter) when given.

    One scaler thread: PyAV's default (automatic) starts a thread pool for every frame, which
    made the conversion cost 3-5x more than the conversion itself (measured).
    """
    if size is None:
        return frame.to_ndarray(format="rgb24", threads=1)
    return frame.to_ndarray(format="rgb24", width=size[0], height=size[1], interpolation=SWSCALE_FILTER, threads=1)


class _PyAVReader:
    def __init__(self, path: Path) -> None:
        from vision.video.avlib import av

        self.path = path
        try:
            self.container = av.open(str(path), metadata_errors="ignore")
        except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise VideoError(f"{path}: not a readable video ({_one_line(exc)})") from None
        if not self.container.streams.video:
            self.container.close()
            raise VideoError(f"{path}: no video stream")
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"

    def info(self) -> VideoInfo:
        s = self.stream
        fps = float(s.average_rate or s.guessed_rate or 0) or 25.0
        if s.duration is not None and s.time_base is not None:
            duration = float(s.duration * s.time_base)
        elif self.container.duration is not None:
            duration = self.container.duration / 1_000_000
        else:
            duration = 0.0
        count = s.frames or round(duration * fps)
        codec = s.codec_context.name if s.codec_context else "?"
        return VideoInfo(str(self.path), s.width, s.height, fps, int(count), duration, codec, "pyav")

    def frames(self, target: Target) -> Iterator[tuple[float | None, Callable[[], np.ndarray]]]:
        from vision.video.avlib import av

        try:
            for frame in self.container.decode(self.stream):
                yield frame.time, functools.partial(self._pixels, frame, target)
        except av.FFmpegError as exc:
            raise VideoError(f"{self.path}: decoding failed ({_one_line(exc)})") from None

    @staticmethod
    def _pixels(frame, target: Target) -> np.ndarray:  # noqa: ANN001 (av.VideoFrame)
        return frame_rgb(frame, target(frame.height, frame.width))

    def close(self) -> None:
        self.container.close()


class _OpenCVReader:
    def __init__(self, path: Path) -> None:
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # quiet OpenCV's own FFmpeg logging
        import cv2

        self.path = path
        self.cap = cv2.VideoCapture(str(path))
        if not self.cap.isOpened():
            raise VideoError(f"{path}: OpenCV cannot open it as a video")

    def info(self) -> VideoInfo:
        import cv2

        fps = self.cap.get(cv2.CAP_PROP_FPS) or 25.0
        count = max(0, int(self.cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        w, h = int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fourcc = int(self.cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode("ascii", "replace")
        return VideoInfo(str(self.path), w, h, fps, count, count / fps, fourcc.strip("\0 "), "opencv")

    def frames(self, target: Target) -> Iterator[tuple[float | None, Callable[[], np.ndarray]]]:
        import cv2

        while self.cap.grab():  # grab every frame, retrieve (decode to pixels) only kept ones
            msec = self.cap.get(cv2.CAP_PROP_POS_MSEC)
            yield (msec / 1000 if msec > 0 else None), functools.partial(self._retrieve, target)

    def _retrieve(self, target: Target) -> np.ndarray:
        import cv2

        ok, bgr = self.cap.retrieve()
        if not ok:
            raise VideoError(f"{self.path}: OpenCV failed to decode a frame")
        size = target(*bgr.shape[:2])
        return cv2.cvtColor(bgr if size is None else area_resize(bgr, *size), cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self.cap.release()


def _open(path: Path, backend: Backend) -> _PyAVReader | _OpenCVReader:
    check_video_path(path)
    if backend == "opencv":
        return _OpenCVReader(path)
    try:
        return _PyAVReader(path)
    except VideoError:
        if backend == "pyav":
            raise
        try:
            return _OpenCVReader(path)
        except VideoError:
            pass
        raise


def probe(path: str | Path, backend: Backend = "auto") -> VideoInfo:
    """Read a video's metadata without decoding it."""
    reader = _open(Path(path), backend)
    try:
        info = reader.info()
    finally:
        reader.close()
    if info.width <= 0 or info.height <= 0:
        raise VideoError(f"{path}: video stream has no frame size")
    return info


def iter_frames(
    path: str | Path,
    *,
    fps: float | None = None,
    stride: int = 1,
    short_side: int | None = None,
    size: tuple[int, int] | None = None,
    max_frames: int | None = None,
    backend: Backend = "auto",
) -> Iterator[Frame]:
    """Yield RGB frames, sampled at `fps` (by timestamp) or every `stride`-th frame.

    `size` (width, height) or `short_side` resizes each kept frame as it is decoded (area
    filter), which is much cheaper than converting it to RGB at full size first.

    Raises `VideoError` if the file cannot be opened, fails mid-stream or has no frames.
    """
    path = Path(path)
    if stride < 1 or (fps is not None and fps <= 0):
        raise ValueError("stride must be >= 1 and fps positive")
    target = _target(size, short_side)
    reader = _open(path, backend)
    native_fps = reader.info().fps
    last_slot: int | None = None
    kept = 0
    try:
        for i, (time, decode_pixels) in enumerate(reader.frames(target)):
            t = time if time is not None else i / native_fps
            if fps is not None:
                # Keep the first frame of each 1/fps time slot: exact for constant and
                # variable frame rates, every frame when fps exceeds the native rate.
                slot = math.floor(t * fps + 1e-6)
                if last_slot is not None and slot <= last_slot:
                    continue
                last_slot = slot
            elif i % stride:
                continue
            yield Frame(i, t, decode_pixels())
            kept += 1
            if max_frames is not None and kept >= max_frames:
                return
    finally:
        reader.close()
    if kept == 0:
        raise VideoError(f"{path}: no decodable video frames")


def read_video(
    path: str | Path,
    *,
    fps: float | None = None,
    stride: int = 1,
    short_side: int | None = None,
    size: tuple[int, int] | None = None,
    max_frames: int | None = None,
    backend: Backend = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Decode a whole video: frames (N, H, W, 3) uint8 and their times (N,) in seconds."""
    frames = list(
        iter_frames(
            path, fps=fps, stride=stride, short_side=short_side, size=size, max_frames=max_frames, backend=backend
        )
    )
    return np.stack([f.rgb for f in frames]), np.array([f.time for f in frames], dtype=np.float64)

"""Write RGB frames to a video file with PyAV (H.264 in mp4/mkv, MPEG-4 Part 2 in avi)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import numpy as np

from vision.errors import VideoError

# Container suffix -> (codec, pixel format) that every FFmpeg build here can write.
DEFAULT_CODECS = {
    ".mp4": ("libx264", "yuv420p"),
    ".mkv": ("libx264", "yuv420p"),
    ".mov": ("libx264", "yuv420p"),
    ".avi": ("mpeg4", "yuv420p"),
    ".webm": ("libvpx-vp9", "yuv420p"),
}


class VideoWriter:
    """Context manager that encodes (H, W, 3) uint8 RGB frames; size is fixed by the first frame.

    Odd frame sizes are padded by one pixel (yuv420p needs even sizes).
    """

    def __init__(
        self,
        path: str | Path,
        fps: float,
        *,
        codec: str | None = None,
        pix_fmt: str | None = None,
        quality: int = 23,
        options: dict[str, str] | None = None,
    ) -> None:
        from vision.video.avlib import av

        self.path = Path(path)
        default_codec, default_fmt = DEFAULT_CODECS.get(self.path.suffix.lower(), ("libx264", "yuv420p"))
        self.codec = codec or default_codec
        self.pix_fmt = pix_fmt or default_fmt
        self.fps = Fraction(fps).limit_denominator(1001)
        self.options = dict(options or {})
        if self.codec == "libx264":
            self.options.setdefault("crf", str(quality))
            self.options.setdefault("preset", "veryfast")
        self.frames_written = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._container = av.open(str(self.path), mode="w")
        except av.FFmpegError as exc:
            raise VideoError(f"{self.path}: cannot write video ({exc})") from None
        self._stream = None

    def _open_stream(self, height: int, width: int) -> None:
        stream = self._container.add_stream(self.codec, rate=self.fps, options=self.options)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = self.pix_fmt
        if self.codec == "mpeg4":
            stream.codec_context.qscale = 3  # type: ignore[attr-defined]  # the "qscale" stream option has no effect
        self._stream = stream

    def write(self, rgb: np.ndarray) -> None:
        """Encode one RGB frame."""
        from vision.video.avlib import av

        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
        if self._stream is None:
            self._open_stream(*rgb.shape[:2])
        h, w = self._stream.height, self._stream.width
        if rgb.shape[:2] != (h, w):
            padded = np.zeros((h, w, 3), np.uint8)
            ch, cw = min(h, rgb.shape[0]), min(w, rgb.shape[1])
            padded[:ch, :cw] = rgb[:ch, :cw]
            rgb = padded
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finalise the file (safe to call twice)."""
        if self._container is None:
            return
        try:
            if self._stream is not None:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def write_video(path: str | Path, frames: np.ndarray | list[np.ndarray], fps: float, **kwargs) -> Path:
    """Encode a sequence of RGB frames to `path` in one call."""
    with VideoWriter(path, fps, **kwargs) as writer:
        for rgb in frames:
            writer.write(rgb)
    return Path(path)

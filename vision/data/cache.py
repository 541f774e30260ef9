"""Decode each video once into a uint8 `.npy` per video, memory-mapped on later reads.

The key hashes the absolute path, size, mtime and decode parameters, so a changed file is
decoded again. Entries are written to a unique temp file and renamed into place, so two
DataLoader workers (or processes) racing on one video both end with a complete file.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from vision.atomic import atomic_file
from vision.config import ClipConfig
from vision.errors import VideoError
from vision.video.decode import read_video

CACHE_VERSION = 1


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/vision-action/frames` (or `~/.cache/...`)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vision-action" / "frames"


@dataclass(frozen=True)
class DecodeParams:
    """How frames are decoded for training: sampling rate and resized short side."""

    fps: float | None
    short_side: int

    @staticmethod
    def for_clip(clip: ClipConfig) -> "DecodeParams":
        """The model's fps, with a short side 8/7 of the input size (room for random crops)."""
        return DecodeParams(clip.fps, short_side=round(clip.frame_size * 8 / 7))


@dataclass(frozen=True)
class DecodedVideo:
    """Frames (N, H, W, 3) uint8 (possibly memory-mapped) and their times in seconds."""

    frames: np.ndarray
    times: np.ndarray


class FrameCache:
    """Decoded-frame cache; with `root=None` it decodes every time (no caching)."""

    def __init__(self, root: str | Path | None, params: DecodeParams) -> None:
        self.root = Path(root) if root is not None else None
        self.params = params

    def key(self, path: str | Path) -> str:
        """Cache key of `path` under the current decode parameters."""
        p = Path(path).resolve()
        st = p.stat()
        raw = f"{CACHE_VERSION}|{p}|{st.st_size}|{st.st_mtime_ns}|{self.params.fps}|{self.params.short_side}"
        return hashlib.sha1(raw.encode()).hexdigest()

    def _decode(self, path: Path) -> DecodedVideo:
        frames, times = read_video(path, fps=self.params.fps, short_side=self.params.short_side)
        return DecodedVideo(frames, times)

    def load(self, path: str | Path) -> DecodedVideo:
        """Frames of `path`, from the cache when present; raises `VideoError`."""
        path = Path(path)
        if self.root is None:
            return self._decode(path)
        try:
            key = self.key(path)
        except OSError as exc:
            raise VideoError(f"{path}: {exc.strerror or exc}") from None
        npy, meta = self.root / f"{key}.npy", self.root / f"{key}.json"
        if npy.is_file():
            try:
                return DecodedVideo(np.load(npy, mmap_mode="r"), np.array(json.loads(meta.read_text())["times"]))
            except (OSError, ValueError, KeyError):
                pass  # damaged entry: decode again and overwrite it
        video = self._decode(path)
        self._store(npy, meta, video, path)
        return video

    def _store(self, npy: Path, meta: Path, video: DecodedVideo, source: Path) -> None:
        # Metadata first, frames last: a present .npy implies a complete .json.
        with atomic_file(meta) as tmp:
            tmp.write_text(json.dumps({"source": str(source), "times": video.times.tolist()}))
        with atomic_file(npy) as tmp:
            np.save(tmp, video.frames)

    def build(
        self, paths: Iterable[Path], progress: Callable[[], None] | None = None, workers: int = 1
    ) -> list[tuple[Path, str]]:
        """Decode every video not cached yet (`workers` threads; decoding releases the GIL).

        Returns `(path, reason)` for the unreadable ones.
        """

        def attempt(path: Path) -> tuple[Path, str] | None:
            try:
                self.load(path)
                return None
            except VideoError as exc:
                return Path(path), str(exc)

        failures = []
        with ThreadPoolExecutor(max(1, workers)) as pool:
            for failure in pool.map(attempt, paths):
                if failure:
                    failures.append(failure)
                if progress:
                    progress()
        return failures

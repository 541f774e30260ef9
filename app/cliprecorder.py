"""`ClipRecorder`: one teach-mode clip, from the frames the live model sees to an MP4 in place.

Frames arrive from the pipeline thread with their timestamps and the person tracked in them
(when anybody looked). They are kept in memory (at most `max_seconds`, shrunk to 640 px wide)
and written when the clip is complete, at the rate they really came at, so a slow machine
that sees 12 of a camera's 30 frames/s still writes a clip that plays at the right speed.

Writing goes to a hidden temporary file beside the target and is renamed into place only
when complete: a full disk or any other failure leaves no half file (and no clip).
When the person was tracked on every frame, the landmarks are stored in the few-shot landmark
cache, so training does not track the clip again.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from vision.pose.tracker import Pose

MAX_WIDTH = 640


@dataclass(frozen=True)
class RecordedClip:
    """A finished recording: where it went (None on failure), what it holds, what went wrong."""

    path: Path | None
    frames: int
    seconds: float
    fps: float
    person: float | None  # share of frames with a person; None when nobody looked
    error: str | None = None


class ClipRecorder:
    """Collects frames until `finish()` (or `max_seconds`), then writes `path` in a thread.

    `done(RecordedClip)` is called from that thread; `landmark_cache` (a
    `SampledLandmarkCache`) receives the tracked landmarks when every frame was looked at.
    """

    def __init__(self, path: str | Path, done: Callable[[RecordedClip], None], *, max_seconds: float = 10.0,
                 landmark_cache=None) -> None:  # noqa: ANN001
        self.path = Path(path)
        self.max_seconds = max_seconds
        self._done, self._cache = done, landmark_cache
        self._lock = threading.Lock()
        self._frames: list[np.ndarray] = []
        self._times: list[float] = []
        self._poses: list[np.ndarray | None] = []
        self._looked = True
        self._size: tuple[int, int] | None = None  # (width, height) of the source frames
        self._closed = False
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        with self._lock:
            return self._times[-1] - self._times[0] if len(self._times) > 1 else 0.0

    def add(self, rgb: np.ndarray, timestamp: float, pose: Pose | None, looked: bool) -> None:
        """A frame from the pipeline thread (a `LivePipeline` clip sink)."""
        h, w = rgb.shape[:2]
        small = rgb if w <= MAX_WIDTH else cv2.resize(rgb, (MAX_WIDTH, round(h * MAX_WIDTH / w) // 2 * 2),
                                                       interpolation=cv2.INTER_AREA)
        with self._lock:
            if self._closed:
                return
            if self._times and timestamp <= self._times[-1]:  # a looping file started over: keep one pass
                return
            if self._times and timestamp - self._times[0] > self.max_seconds:
                return
            self._size = self._size or (w, h)
            self._frames.append(small.copy())
            self._times.append(timestamp)
            self._poses.append(None if pose is None else pose.landmarks)
            self._looked &= looked

    def finish(self) -> None:
        """Stop collecting and write the clip in the background (`done` reports it)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        threading.Thread(target=self._write, name="clip-writer", daemon=True).start()

    def cancel(self) -> None:
        """Drop what was collected; nothing is written and `done` is not called."""
        with self._lock:
            self._closed = True
            self._frames.clear()

    def _write(self) -> None:
        frames, times = self._frames, self._times
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        fps = (len(times) - 1) / span if span > 0 else 30.0
        person = None
        if self._looked and frames:
            person = sum(p is not None for p in self._poses) / len(self._poses)
        if len(frames) < 2:
            self._done(RecordedClip(None, len(frames), span, fps, person, "no frames arrived (is the source playing?)"))
            return
        tmp = self.path.with_name(f".{self.path.stem}.tmp-{os.getpid()}-{threading.get_ident()}{self.path.suffix}")
        try:
            from vision.video.encode import VideoWriter

            self.path.parent.mkdir(parents=True, exist_ok=True)
            with VideoWriter(tmp, round(fps, 3)) as writer:
                for rgb in frames:
                    writer.write(rgb)
            os.replace(tmp, self.path)
        except Exception as exc:  # disk full, permissions, a vanished folder: no half file, reported
            tmp.unlink(missing_ok=True)
            self._done(RecordedClip(None, len(frames), span, fps, person, f"could not write {self.path.name}: {exc}"))
            return
        if self._looked and self._cache is not None:
            self._store_landmarks(fps)
        self._done(RecordedClip(self.path, len(frames), span + 1 / fps, fps, person))

    def _store_landmarks(self, fps: float) -> None:
        """The tracked landmarks as the landmark cache's entry for the new file (best effort)."""
        from vision.data.landmarks import LandmarkSequence, save_sequence

        rows = np.stack([np.full((33, 4), np.nan, np.float32) if p is None else p for p in self._poses])
        try:
            entry = self._cache.entry(self.path)
            if entry is not None:
                save_sequence(entry, LandmarkSequence(rows, fps, self._size, {"source": str(self.path), "live": True}))
        except Exception:  # noqa: BLE001 (training tracks the clip itself then)
            pass

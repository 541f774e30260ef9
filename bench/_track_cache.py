"""Run the pose tracker over the real clips once and cache what it gives (for bench/tracker_noise.py).

Smoothing is on, exactly as the product runs it (`track_video` with a default `PoseTracker`).
A recording smoother (a `PoseSmoother` subclass) also keeps each frame's landmarks as they
entered the smoothing filter, so the raw network output comes at no extra cost: the tracker's
regions depend only on the auxiliary points, which are smoothed either way.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from vision.pose.smoothing import PoseSmoother

VERSION = 2  # what a cache file holds; bump to re-track


class RecordingSmoother(PoseSmoother):
    """A PoseSmoother that remembers, per timestamp, the landmarks it was given (before smoothing)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: dict[float, np.ndarray] = {}
        self.scale: dict[float, float] = {}

    def __call__(self, landmarks, auxiliary, world, time, object_scale):
        self.raw[float(time)] = np.asarray(landmarks, np.float32).copy()
        self.scale[float(time)] = float(object_scale)
        return super().__call__(landmarks, auxiliary, world, time, object_scale)


def _key(path: Path) -> str:
    st = path.stat()
    return hashlib.sha1(f"{VERSION}:{path.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:12]


def track_cached(path: Path, cache: Path, device: str = "cpu") -> dict[str, np.ndarray]:
    """landmarks (T, 33, 4) smoothed as the product gives them, raw (T, 33, 4) before smoothing,
    object_scale (T,) px (what the smoothing filter scales by), times (T,), track (T,) ids (0
    nobody), score (T,), fps, size; cached in `cache`."""
    from vision.pose.tracker import PoseTracker
    from vision.pose.video import track_video

    cache.mkdir(parents=True, exist_ok=True)
    out = cache / f"{path.stem}-{_key(path)}.npz"
    if out.exists():
        with np.load(out) as data:
            return {k: data[k] for k in data.files}
    tracker = PoseTracker(device=device)
    rec = RecordingSmoother()
    tracker.smoother = rec
    video = track_video(path, tracker)
    lms = video.landmarks()
    raw = np.full_like(lms, np.nan)
    scale = np.full(len(lms), np.nan)
    for i, (t, pose) in enumerate(zip(video.times, video.poses)):
        if pose is not None:
            raw[i] = rec.raw[float(t)]
            scale[i] = rec.scale[float(t)]
    result = {
        "landmarks": lms,
        "raw": raw,
        "object_scale": scale,
        "times": np.asarray(video.times, np.float64),
        "track": np.array([0 if p is None else p.track for p in video.poses], np.int64),
        "score": np.array([np.nan if p is None else p.score for p in video.poses], np.float32),
        "fps": np.float64(video.fps),
        "size": np.array([video.width, video.height], np.int64),
    }
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **result)
    tmp.replace(out)
    return result

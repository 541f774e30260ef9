"""Body landmarks for every frame of a video file, and what `vision-pose` writes from them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from vision.pose.skeleton import LANDMARK_NAMES, draw_skeleton
from vision.pose.tracker import Pose, PoseTracker
from vision.video.decode import iter_frames, probe
from vision.video.encode import VideoWriter


@dataclass
class PoseVideo:
    """One video's poses: `poses[i]` is frame i's person or None (nobody)."""

    path: str
    fps: float
    width: int
    height: int
    times: list[float] = field(default_factory=list)
    poses: list[Pose | None] = field(default_factory=list)

    @property
    def found_rate(self) -> float:
        return sum(p is not None for p in self.poses) / max(1, len(self.poses))

    def landmarks(self) -> np.ndarray:
        """(T, 33, 4) float32, NaN rows where nobody was found (the landmark-sequence layout)."""
        out = np.full((len(self.poses), len(LANDMARK_NAMES), 4), np.nan, np.float32)
        for i, pose in enumerate(self.poses):
            if pose is not None:
                out[i] = pose.landmarks
        return out

    def to_json(self) -> dict[str, Any]:
        """`{"path", "fps", "width", "height", "frames": [{"index", "time", "persons": [...]}]}`."""
        frames = []
        for i, (t, pose) in enumerate(zip(self.times, self.poses)):
            persons = [] if pose is None else [{
                "box": [round(float(v), 2) for v in pose.box],
                "score": round(pose.score, 4),
                "track": pose.track,
                "landmarks": [[round(float(x), 2), round(float(y), 2), round(float(z), 2), round(float(v), 4)]
                              for x, y, z, v in pose.landmarks],
            }]
            frames.append({"index": i, "time": round(t, 4), "persons": persons})
        return {"path": self.path, "fps": self.fps, "width": self.width, "height": self.height, "frames": frames}


CSV_COLUMNS = ("path", "index", "time", "score", "track") + tuple(
    f"{name}_{axis}" for name in LANDMARK_NAMES for axis in ("x", "y", "z", "visibility"))


def csv_rows(video: PoseVideo) -> list[list[Any]]:
    """One row per frame x person (frames with nobody have no row)."""
    rows = []
    for i, (t, pose) in enumerate(zip(video.times, video.poses)):
        if pose is not None:
            values = [f"{v:.2f}" if j % 4 < 3 else f"{v:.4f}" for j, v in enumerate(pose.landmarks.ravel())]
            rows.append([video.path, i, f"{t:.4f}", f"{pose.score:.4f}", pose.track, *values])
    return rows


def track_video(path: str | Path, tracker: PoseTracker,
                progress: Callable[[int, int], None] | None = None) -> PoseVideo:
    """Run `tracker` (reset first) over every frame of `path`; raises `VideoError` on bad files."""
    info = probe(path)
    tracker.reset()
    video = PoseVideo(str(path), info.fps, info.width, info.height)
    for frame in iter_frames(path):
        video.times.append(frame.time)
        video.poses.append(tracker.update(frame.rgb, frame.time))
        if progress is not None:
            progress(frame.index + 1, info.frame_count)
    return video


def write_skeleton_video(video: PoseVideo, out: str | Path) -> Path:
    """Re-encode `video.path` (H.264) with each frame's skeleton drawn on it."""
    with VideoWriter(out, video.fps) as writer:
        for i, frame in enumerate(iter_frames(video.path)):
            rgb = frame.rgb.copy()
            pose = video.poses[i] if i < len(video.poses) else None
            if pose is not None:
                draw_skeleton(rgb, pose.landmarks)
            writer.write(rgb)
    return Path(out)

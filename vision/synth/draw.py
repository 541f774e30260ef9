"""Stick-figure rendering of landmark sequences, so a person can look at synthetic motions."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vision.data.landmarks import LandmarkSequence
from vision.synth.topology import EDGES, SIDE

# RGB: the person's left in orange, right in blue, midline in white (as MediaPipe draws them).
COLORS = {1: (255, 138, 0), -1: (0, 160, 255), 0: (235, 235, 235)}
BACKGROUND = (28, 28, 32)


def draw_pose(canvas: np.ndarray, landmarks: np.ndarray, scale: float = 1.0, min_visibility: float = 0.5) -> np.ndarray:
    """Draw one frame's (33, 4) landmarks onto an RGB canvas in place; a NaN frame draws nothing.

    Low-visibility points and their bones are drawn thin and dim.
    """
    if np.isnan(landmarks[0, 0]):
        return canvas
    xy = np.round(landmarks[:, :2] * scale * 16).astype(np.int64)  # 1/16 px (cv2 shift=4)
    vis = landmarks[:, 3]
    thick = max(1, round(3 * scale * max(canvas.shape[:2]) / 640))
    for a, b in EDGES:
        side = SIDE[a] if SIDE[a] == SIDE[b] else 0
        shown = min(vis[a], vis[b]) >= min_visibility
        color = COLORS[side] if shown else tuple(c // 3 for c in COLORS[side])
        cv2.line(canvas, tuple(xy[a]), tuple(xy[b]), color, thick if shown else 1, cv2.LINE_AA, shift=4)
    for k in range(len(landmarks)):
        color = COLORS[int(SIDE[k])] if vis[k] >= min_visibility else (90, 90, 90)
        cv2.circle(canvas, tuple(xy[k]), 16 * (thick + 1), color, -1, cv2.LINE_AA, shift=4)
    return canvas


def render_frames(seq: LandmarkSequence, max_side: int = 640, title: str = "") -> list[np.ndarray]:
    """RGB frames of `seq` drawn on a blank frame of its size, scaled to at most `max_side`."""
    w, h = seq.size
    scale = min(1.0, max_side / max(w, h))
    size = (round(h * scale), round(w * scale))
    frames = []
    for i, lm in enumerate(seq.landmarks):
        canvas = np.full((*size, 3), BACKGROUND, np.uint8)
        draw_pose(canvas, lm, scale)
        text = f"{title} {i + 1}/{len(seq.landmarks)}" + ("  no person" if np.isnan(lm[0, 0]) else "")
        cv2.putText(canvas, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (200, 200, 200), 1, cv2.LINE_AA)
        frames.append(canvas)
    return frames


def render_video(seq: LandmarkSequence, path: str | Path, max_side: int = 640, title: str = "") -> Path:
    """Write `seq` as a stick-figure video (H.264 .mp4 via PyAV) at its own fps."""
    from vision.video.encode import write_video

    return write_video(path, render_frames(seq, max_side, title), seq.fps)


def contact_sheet(seq: LandmarkSequence, columns: int = 6, rows: int = 2, max_side: int = 320, title: str = "") -> np.ndarray:
    """One RGB image: `columns x rows` evenly spaced frames of `seq` side by side."""
    frames = render_frames(seq, max_side, title)
    picks = np.linspace(0, len(frames) - 1, columns * rows).round().astype(int)
    tiles = [frames[i] for i in picks]
    return np.concatenate([np.concatenate(tiles[r * columns : (r + 1) * columns], 1) for r in range(rows)], 0)

"""BlazePose's 33 landmarks: names, limbs, and drawing a skeleton on a frame.

The drawing is shared by `vision-pose --save-video` and the desktop app. Limbs are coloured
from red (the model thinks the joint is hidden) to green (clearly visible).
"""
from __future__ import annotations

import cv2
import numpy as np

LANDMARK_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
# MediaPipe's POSE_CONNECTIONS
LIMBS = (
    (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10),
    (11, 12), (11, 13), (13, 15), (15, 17), (15, 19), (15, 21), (17, 19), (12, 14), (14, 16),
    (16, 18), (16, 20), (16, 22), (18, 20), (11, 23), (12, 24), (23, 24), (23, 25), (24, 26),
    (25, 27), (26, 28), (27, 29), (28, 30), (29, 31), (30, 32), (27, 31), (28, 32),
)
# left/right partners, for mirroring a pose
MIRROR = tuple(LANDMARK_NAMES.index(n.replace("left", "#").replace("right", "left").replace("#", "right"))
               for n in LANDMARK_NAMES)


def _visibility_colour(v: float) -> tuple[int, int, int]:
    """RGB from red (0) through yellow to green (1)."""
    v = float(np.clip(v, 0.0, 1.0))
    return (int(255 * min(1.0, 2 - 2 * v)), int(255 * min(1.0, 2 * v)), 40)


def draw_skeleton(frame: np.ndarray, landmarks: np.ndarray, min_visibility: float = 0.0,
                  thickness: int | None = None) -> np.ndarray:
    """Draw limbs and joints of (33, 4) landmarks (x, y px, z, visibility) on an RGB frame, in place."""
    h, w = frame.shape[:2]
    t = thickness or max(2, round(min(h, w) / 240))
    pts = landmarks[:, :2]
    vis = landmarks[:, 3]
    ok = np.isfinite(pts).all(axis=1) & (vis >= min_visibility)
    ipts = np.round(np.nan_to_num(pts) * 16).astype(np.int64)  # 4 fractional bits: sub-pixel lines
    for a, b in LIMBS:
        if ok[a] and ok[b]:
            cv2.line(frame, tuple(ipts[a]), tuple(ipts[b]), _visibility_colour(min(vis[a], vis[b])),
                     t, cv2.LINE_AA, shift=4)
    for i in np.flatnonzero(ok):
        cv2.circle(frame, tuple(ipts[i]), (t + 1) * 16, (255, 255, 255), -1, cv2.LINE_AA, shift=4)
        cv2.circle(frame, tuple(ipts[i]), t * 16, _visibility_colour(vis[i]), -1, cv2.LINE_AA, shift=4)
    return frame

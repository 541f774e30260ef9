"""Per-frame pose features: what the pose action model reads instead of pixels.

A frame's feature vector (`FEATURE_DIM` floats) holds the 33 landmarks (x, y, visibility; not
BlazePose's z, which is noisy and which synthetic motion would have to model too well) on a
person-centred canvas — centred on the hips, scaled by a robust estimate of the person's height, so the same
pose gives the same numbers near or far, left or right in the picture — and four numbers for
what that normalisation removes: a presence flag and the hip velocity (x, y) and growth of the
body since the previous sampled frame, in body heights. The velocity is what tells walking
across the view (or towards the camera) from marching in place.

    u, v = (x - hip_x) / height, (y - hip_y) / height;  visibility
    [present, dx / height, dy / height, d log height]   (0 when the previous frame had nobody)

The model renders u, v as heatmaps itself (`vision.model.pose_encoder`); `CanvasTransform`
takes its attention maps back to frame pixels for the overlay.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

NUM_LANDMARKS = 33
SIDE_DIM = 4  # present, dx, dy, dlog(height)
POINT_DIM = 3  # u, v, visibility per landmark
FEATURE_DIM = NUM_LANDMARKS * POINT_DIM + SIDE_DIM
PRESENT = NUM_LANDMARKS * POINT_DIM  # index of the presence flag
CANVAS_EXTENT = 1.6  # the canvas spans this many body heights, centred on the hips
UPRIGHT_COS = 0.3  # a torso tilted more than ~72 degrees from vertical is not upright: synthetic
# motion (bends and sit-downs included) goes past it in 9 of 303,062 frames

# (a, b, typical length / body height): 2D segment lengths only shrink when foreshortened, so
# each gives a lower bound on the height; a high quantile of them is a steady estimate
_SEGMENTS = (
    ((11, 12), (23, 24), 0.29),  # shoulder centre - hip centre
    (13, 11, 0.186), (14, 12, 0.186),  # upper arms
    (15, 13, 0.146), (16, 14, 0.146),  # forearms
    (25, 23, 0.245), (26, 24, 0.245),  # thighs
    (27, 25, 0.246), (28, 26, 0.246),  # shins
    (11, 12, 0.21),  # shoulder width
)
_QUANTILE = 0.75
_MIN_VISIBILITY = 0.3


def _point(lms: np.ndarray, index) -> np.ndarray:  # noqa: ANN001
    """(T, 2) position of a landmark, or the mean of a pair."""
    if isinstance(index, tuple):
        return lms[:, list(index), :2].mean(axis=1)
    return lms[:, index, :2]


def _visibility(lms: np.ndarray, index) -> np.ndarray:  # noqa: ANN001
    idx = list(index) if isinstance(index, tuple) else [index]
    return lms[:, idx, 3].min(axis=1)


def body_height(landmarks: np.ndarray) -> np.ndarray:
    """(T,) robust body height in pixels of (T, 33, 4) landmarks (NaN rows give NaN)."""
    estimates, weights = [], []
    for a, b, ratio in _SEGMENTS:
        estimates.append(np.linalg.norm(_point(landmarks, a) - _point(landmarks, b), axis=1) / ratio)
        weights.append(np.minimum(_visibility(landmarks, a), _visibility(landmarks, b)) >= _MIN_VISIBILITY)
    est = np.stack(estimates, axis=1)  # (T, S)
    ok = np.stack(weights, axis=1)
    ok[ok.sum(axis=1) < 3] = True  # too few confident segments: use them all
    est = np.where(ok, est, np.nan)
    height = np.full(len(est), np.nan)
    rows = ~np.isnan(est).all(axis=1)  # frames with nobody stay NaN
    if rows.any():
        height[rows] = np.nanquantile(est[rows], _QUANTILE, axis=1)
    return np.maximum(height, 1e-3)


def sequence_features(landmarks: np.ndarray) -> np.ndarray:
    """(T, 33, 4) landmarks in pixels, NaN rows for nobody -> (T, FEATURE_DIM) float32 features.

    The frames are taken to be consecutive samples at the model's rate (velocities are per step).
    """
    lms = np.asarray(landmarks, np.float64)
    t = lms.shape[0]
    out = np.zeros((t, FEATURE_DIM), np.float32)
    present = np.isfinite(lms).all(axis=(1, 2))
    if not present.any():
        return out
    hip = _point(lms, (23, 24))  # (T, 2)
    height = body_height(lms)
    canvas = np.empty(lms.shape[:2] + (POINT_DIM,))
    canvas[..., :2] = (lms[..., :2] - hip[:, None]) / height[:, None, None]
    canvas[..., 2] = lms[..., 3]
    out[present, :PRESENT] = np.clip(canvas[present], -4, 4).reshape(-1, PRESENT)
    out[present, PRESENT] = 1.0
    both = present[1:] & present[:-1]
    step = np.zeros((t, 3))
    step[1:, :2] = (hip[1:] - hip[:-1]) / height[1:, None]
    step[1:, 2] = np.log(height[1:] / height[:-1])
    step[1:][~both] = 0.0
    out[:, PRESENT + 1:] = np.clip(np.nan_to_num(step), -1, 1)
    return out


def upright(features: np.ndarray) -> np.ndarray:
    """(T,) whether the person of each (T, FEATURE_DIM) feature row stands upright, head up: the
    torso (hip centre to shoulder centre) within ~72 degrees of vertical. Rows with nobody: True.

    Every action the models know is done upright; a body lying or upside down is one they never
    saw (or a false find, such as an arm taken for a whole person lying across the view).
    """
    uv = np.asarray(features)[:, :PRESENT].reshape(len(features), NUM_LANDMARKS, POINT_DIM)[..., :2]
    torso = _point(uv, (11, 12)) - _point(uv, (23, 24))  # hips -> shoulders, y down
    length = np.linalg.norm(torso, axis=1)
    return (length == 0) | (-torso[:, 1] >= UPRIGHT_COS * length)


@dataclass(frozen=True)
class CanvasTransform:
    """Where a frame's canvas lies in the frame: centre (hips) and side, in pixels."""

    cx: float
    cy: float
    side: float

    @classmethod
    def of(cls, landmarks: np.ndarray) -> CanvasTransform:
        """The canvas of one frame's (33, 4) landmarks."""
        lms = landmarks[None].astype(np.float64)
        hip = _point(lms, (23, 24))[0]
        return cls(float(hip[0]), float(hip[1]), float(body_height(lms)[0] * CANVAS_EXTENT))

    def to_frame(self, attention: np.ndarray, width: int, height: int, out_width: int = 160) -> np.ndarray:
        """An (h, w) canvas map -> a map over the whole frame ((out_width x proportional) pixels),
        zero outside the canvas, so the overlay draws it on the person."""
        scale = out_width / width
        out_h = max(1, round(height * scale))
        h, w = attention.shape
        side = self.side * scale
        # canvas cell (i, j) centre -> frame: corner at centre - side / 2
        m = np.array([[side / w, 0, (self.cx * scale - side / 2) + side / (2 * w) - 0.5],
                      [0, side / h, (self.cy * scale - side / 2) + side / (2 * h) - 0.5]], np.float32)
        return cv2.warpAffine(attention.astype(np.float32), m, (out_width, out_h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

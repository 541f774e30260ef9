"""Landmark smoothing as in MediaPipe's PoseLandmarkFiltering: a One-Euro filter per coordinate
(scaled by the person's size, so a far person is smoothed like a near one) and a low-pass on
visibility. Vectorised over all points of one track; state resets when the track is lost."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class LowPass:
    """Exponential smoothing with a per-call alpha; the first value passes through."""

    def __init__(self) -> None:
        self.stored: np.ndarray | None = None
        self.raw: np.ndarray | None = None

    def __call__(self, value: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
        value = np.array(value, dtype=np.float64)  # a copy: callers often pass a view they then overwrite
        out = value if self.stored is None else alpha * value + (1.0 - alpha) * self.stored
        self.raw, self.stored = value, out
        return out


class OneEuroFilter:
    """Casiez et al.'s One-Euro filter, MediaPipe's variant (raw-value derivative, value scale)."""

    def __init__(self, min_cutoff: float, beta: float, derivative_cutoff: float = 1.0,
                 frequency: float = 30.0) -> None:
        self.min_cutoff, self.beta, self.derivative_cutoff = min_cutoff, beta, derivative_cutoff
        self.frequency = frequency
        self.last_time: float | None = None
        self.x, self.dx = LowPass(), LowPass()

    def _alpha(self, cutoff: float | np.ndarray) -> float | np.ndarray:
        te = 1.0 / self.frequency
        tau = 1.0 / (2.0 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / te)

    def __call__(self, value: np.ndarray, time: float, value_scale: float = 1.0) -> np.ndarray:
        if self.last_time is not None:
            if time <= self.last_time:  # out-of-order timestamp: MediaPipe passes the value through
                return value
            self.frequency = 1.0 / (time - self.last_time)
        self.last_time = time
        dvalue = np.zeros_like(value) if self.x.raw is None else (value - self.x.raw) * value_scale * self.frequency
        edvalue = self.dx(dvalue, self._alpha(self.derivative_cutoff))
        cutoff = self.min_cutoff + self.beta * np.abs(edvalue)
        return self.x(value, self._alpha(cutoff))


@dataclass(frozen=True)
class SmoothingParams:
    """MediaPipe's settings for pose landmarks (pose_landmark_filtering.pbtxt)."""

    landmark: tuple[float, float, float] = (0.05, 80.0, 1.0)  # min cutoff, beta, derivative cutoff
    auxiliary: tuple[float, float, float] = (0.01, 10.0, 1.0)
    world: tuple[float, float, float] = (0.1, 40.0, 1.0)
    visibility_alpha: float = 0.1
    min_object_scale: float = 1e-6


class PoseSmoother:
    """Smooths one track's landmarks (pixels), auxiliary points and world landmarks.

    `landmarks=False` passes the landmarks (and world landmarks) through unsmoothed; the two
    auxiliary points that place the next frame's region are smoothed either way, as in
    MediaPipe, where only the landmark filters sit behind the `smooth_landmarks` switch.
    """

    def __init__(self, params: SmoothingParams = SmoothingParams(), landmarks: bool = True) -> None:
        self.params = params
        self.smooth_landmarks = landmarks
        self.reset()

    def reset(self) -> None:
        """Forget the track (MediaPipe resets its filters when landmarks go missing)."""
        p = self.params
        self.landmarks = OneEuroFilter(*p.landmark)
        self.auxiliary = OneEuroFilter(*p.auxiliary)
        self.world = OneEuroFilter(*p.world)
        self.visibility = LowPass()

    def __call__(self, landmarks: np.ndarray, auxiliary: np.ndarray, world: np.ndarray | None,
                 time: float, object_scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """landmarks (33, 4) x, y, z px + visibility; auxiliary (2, 3); world (33, 3) or None."""
        p = self.params
        out = landmarks.astype(np.float64, copy=True)
        aux = auxiliary.astype(np.float64, copy=True)
        if object_scale >= p.min_object_scale:
            aux[:, :3] = self.auxiliary(aux[:, :3], time, 1.0 / object_scale)
        if not self.smooth_landmarks:
            return landmarks, aux.astype(np.float32), world
        out[:, 3] = self.visibility(out[:, 3], p.visibility_alpha)
        if object_scale >= p.min_object_scale:
            out[:, :3] = self.landmarks(out[:, :3], time, 1.0 / object_scale)
        if world is not None:
            world = self.world(world.astype(np.float64), time, 1.0)
        return out.astype(np.float32), aux.astype(np.float32), None if world is None else world.astype(np.float32)

"""Tracker-noise benchmark: Savitzky-Golay filters, the replayed One-Euro filter and per-segment
quantities (inside the frame, speeds, still frames, orientation)."""
from __future__ import annotations

import numpy as np

from _tracker_noise_data import (
    HF_HALF,
    HIP_SHARE,
    SHOULDER_SHARE,
    STILL_MEDIAN,
    STILL_P90,
    Segment,
    running_median,
)


def sg_weights(half: int, degree: int, deriv: int = 0) -> np.ndarray:
    """Savitzky-Golay weights (2*half+1,): the centre's value (deriv 0) or slope per frame (1)."""
    k = np.arange(-half, half + 1)
    return np.linalg.pinv(np.vander(k, degree + 1, increasing=True).astype(np.float64))[deriv]


def window_apply(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Centred FIR along axis 0; NaN where the window is incomplete or holds NaN."""
    half = len(w) // 2
    out = np.full_like(x, np.nan)
    if len(x) > 2 * half:
        out[half:len(x) - half] = np.lib.stride_tricks.sliding_window_view(x, len(w), axis=0) @ w
    return out


def residual_operator(half: int = HF_HALF) -> np.ndarray:
    """Weights of the jitter residual: a frame minus its SG fit (degree 2, 2 * half + 1 frames)."""
    r = -sg_weights(half, 2)
    r[half] += 1
    return r


def ar1_gain(r: np.ndarray, a: float, lag: int = 0) -> float:
    """Covariance at `lag` of r-filtered unit-variance AR(1) noise with coefficient a."""
    i = np.arange(len(r))
    return float((r[:, None] * r[None, :] * a ** np.abs(i[:, None] - i[None, :] - lag)).sum())


def winsorise(e: np.ndarray, k: float = 5.0) -> np.ndarray:
    """`e` clipped to +-k robust sigmas (from its median absolute deviation)."""
    ok = np.isfinite(e)
    if not ok.any():
        return e
    s = 1.4826 * np.median(np.abs(e[ok] - np.median(e[ok]))) + 1e-15
    return np.clip(e, -k * s, k * s)


def per_h(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """`x` (T, ...) divided frame by frame by the height `h` (T,)."""
    return x / h.reshape((-1,) + (1,) * (x.ndim - 1))


def replay_filter(x: np.ndarray, times: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The tracker's landmark smoothing on (T, K, 3) px: One-Euro, MediaPipe's parameters, the
    filtered values written back in place as PoseSmoother does."""
    from vision.pose.smoothing import OneEuroFilter, SmoothingParams

    f = OneEuroFilter(*SmoothingParams().landmark)
    out = np.empty_like(x)
    for t in range(len(x)):
        buf = x[t].copy()
        buf[:] = f(buf, float(times[t]), 1.0 / float(scale[t]))
        out[t] = buf
    return out


def inside(seg: Segment) -> np.ndarray:
    """(T, 33) whether each point lies inside the frame."""
    w, h = seg.size
    x, y = seg.lm[..., 0], seg.lm[..., 1]
    return (x >= 0) & (x < w) & (y >= 0) & (y < h)


def speeds(seg: Segment, robust: bool = False) -> np.ndarray:
    """(T, 33) H/s from an SG slope over ~0.5 s (NaN at the ends); robust: of the running median
    over 7 frames, which a 1-3 frame spike does not move."""
    half = max(2, round(0.25 * seg.fps))
    xy = running_median(seg.lm[..., :2], 7) if robust else seg.lm[..., :2]
    v = window_apply(xy, sg_weights(half, 2, 1)) * seg.fps
    return np.linalg.norm(v, axis=-1) / seg.height[:, None]


def still_frames(seg: Segment) -> np.ndarray:
    """(T,) frames where the person stands nearly still (STILL_MEDIAN, STILL_P90)."""
    speed = speeds(seg)
    ok = np.isfinite(speed).all(1)
    still = np.zeros(seg.n, bool)
    still[ok] = (np.median(speed[ok], 1) < STILL_MEDIAN) & (np.quantile(speed[ok], 0.9, axis=1) < STILL_P90)
    return still


def orientation(seg: Segment) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T,) sideness 0..1, seen-from-behind flag, and the far side (+1 the person's left, -1 right)."""
    lm, h = seg.lm, seg.height
    sh = np.linalg.norm(lm[:, 11, :2] - lm[:, 12, :2], axis=1) / (SHOULDER_SHARE * h)
    hp = np.linalg.norm(lm[:, 23, :2] - lm[:, 24, :2], axis=1) / (HIP_SHARE * h)
    width = np.clip((sh + hp) / 2, 0, 1)
    sideness = np.sqrt(1 - width**2)
    mirrored = (lm[:, 11, 0] < lm[:, 12, 0]) & (lm[:, 23, 0] < lm[:, 24, 0])
    far_left = lm[:, [11, 23], 2].mean(1) > lm[:, [12, 24], 2].mean(1)
    return sideness, mirrored & (sideness <= 0.6), np.where(far_left, 1, -1)

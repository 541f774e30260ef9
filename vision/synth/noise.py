"""A model of BlazePose tracker errors, applied to exactly projected landmarks.

Every figure is a named field of `TrackerNoise`, so measured values can replace the defaults
in one place. The defaults are informed estimates (BlazePose papers and issues, and our own
look at its output), not yet measurements: sizes are in units of the person's height in
pixels at the hips' depth, times in seconds, rates per second or per frame as named.

Order of effects, as in a tracker: the estimator confuses left and right limbs in side views
(swaps); its filter smooths and lags the motion; what remains jitters (correlated in time,
since the filter smooths the noise too), the region of interest wobbles, single points jump
(outliers); visibility falls for occluded far-side limbs, faces seen from behind and points
outside the frame; whole frames are lost (missed detections, dropouts, body mostly outside).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace

import numpy as np

from vision.synth.topology import (
    ARM_LEFT,
    ARM_RIGHT,
    FACE,
    FEET,
    HANDS,
    LEG_LEFT,
    LEG_RIGHT,
    MIRROR,
    SIDE,
)

PARTLY_HIDDEN = np.array([7, 8, 11, 12, 23, 24])  # ears, shoulders, hips: half hidden at worst
DETECTION_CORE = np.r_[0:13, 23, 24]  # face, shoulders, hips: what the person detector needs to see


@dataclass(frozen=True)
class TrackerNoise:
    """Tracker error parameters (defaults: estimates to be replaced by measured figures)."""

    # Jitter: std of the positional noise, person-heights, with per-part multipliers.
    jitter: float = 0.004
    jitter_hands: float = 2.5  # wrists and hand points move fast and are small
    jitter_feet: float = 1.8
    jitter_face: float = 0.6  # the face is the detector's anchor: steadiest
    jitter_z: float = 3.0  # BlazePose depth is much noisier than x/y
    noise_time: float = 0.08  # correlation time of the jitter (the tracker's filter smooths it)
    lag: float = 0.03  # time constant of the filter's smoothing of the true motion
    roi_jitter: float = 0.004  # whole-skeleton shift from the moving region of interest
    roi_scale_jitter: float = 0.01  # relative size wobble of the whole skeleton
    # Outliers: a landmark jumps away for a few frames.
    outlier_rate: float = 0.002  # per landmark per frame
    outlier_size: float = 0.06  # std of the jump
    outlier_frames: tuple[int, int] = (1, 3)
    # Left/right confusion in side views: the far leg (or arm) trades places with the near one.
    swap_rate: float = 0.6  # events per second at a pure side view; scaled by sideness**2
    swap_frames: tuple[int, int] = (2, 8)
    swap_arms_share: float = 0.3  # share of swap events that exchange the arms, not the legs
    flip_rate: float = 0.05  # whole-body left/right flips per second when seen from behind
    flip_frames: tuple[int, int] = (3, 15)
    # Visibility (MediaPipe's per-landmark score in [0, 1]).
    visible: tuple[float, float] = (0.88, 1.0)  # range for a plainly visible landmark
    visibility_noise: float = 0.03
    far_side_drop: float = 0.5  # lost by a limb point fully on the far side of the body
    back_face_drop: float = 0.35  # lost by face points seen from behind
    outside_factor: float = 0.2  # visibility of points outside the frame is multiplied by this
    # Frames with nobody (NaN rows).
    miss_rate: float = 0.01  # single missed frames, per frame
    dropout_rate: float = 0.04  # longer losses, per second
    dropout_frames: tuple[int, int] = (3, 12)
    min_inside: float = 0.5  # share of the face, shoulder and hip points inside the frame needed for a detection

    @classmethod
    def clean(cls) -> TrackerNoise:
        """No error at all: exact projections, visibility 1, every frame detected."""
        zero = {name: 0.0 for name, f in cls.__dataclass_fields__.items() if f.type == "float"}
        return replace(cls(), **{**zero, "outside_factor": 1.0}, visible=(1.0, 1.0))

    @classmethod
    def from_dict(cls, values: dict) -> TrackerNoise:
        """Defaults overridden by `values` (e.g. figures measured on real footage, read from JSON).

        Unknown names raise ValueError with close matches; pairs may be given as lists.
        """
        known = {f.name: f for f in fields(cls)}
        unknown = [k for k in values if k not in known]
        if unknown:
            hints = {k: difflib.get_close_matches(k, known, n=1) for k in unknown}
            raise ValueError("unknown noise parameter(s): " + ", ".join(f"{k}" + (f" (did you mean {h[0]}?)" if h else "") for k, h in hints.items()))
        typed = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return replace(cls(), **typed)

    def without_swaps(self) -> TrackerNoise:
        """The same model with no left/right swaps or flips."""
        return replace(self, swap_rate=0.0, flip_rate=0.0)


@dataclass(frozen=True)
class Geometry:
    """What the noise depends on, per frame: person size and how the body faces the camera."""

    person_px: np.ndarray  # (T,) the person's height in pixels at the hips' depth
    sideness: np.ndarray  # (T,) 0 front/back view .. 1 pure side view
    backness: np.ndarray  # (T,) 0 facing the camera or side-on .. 1 seen from straight behind
    far: np.ndarray  # (T, 33) 0..1 how far on the far side of the body each point is


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], fps: float, tau: float) -> np.ndarray:
    """Unit-variance noise correlated over `tau` seconds along the first axis."""
    x = rng.standard_normal(shape)
    a = float(np.exp(-1.0 / (fps * tau))) if tau > 0 else 0.0
    b = np.sqrt(1 - a * a)
    for t in range(1, shape[0]):
        x[t] = a * x[t - 1] + b * x[t]
    return x


def _smooth(x: np.ndarray, fps: float, tau: float) -> np.ndarray:
    """First-order low-pass along time (a tracker's smoothing filter and its lag)."""
    if tau <= 0:
        return x
    a = float(np.exp(-1.0 / (fps * tau)))
    out = x.copy()
    for t in range(1, len(x)):
        out[t] = a * out[t - 1] + (1 - a) * x[t]
    return out


def _spans(rng: np.random.Generator, rate: np.ndarray, fps: float, frames: tuple[int, int]) -> list[slice]:
    """Events starting at `rate` (T,) per second, each lasting a random `frames` count."""
    starts = np.flatnonzero(rng.random(len(rate)) < rate / fps)
    return [slice(s, s + int(rng.integers(frames[0], frames[1] + 1))) for s in starts]


def _part_scale(noise: TrackerNoise) -> np.ndarray:
    scale = np.ones(33)
    scale[FACE] = noise.jitter_face
    scale[HANDS] = noise.jitter_hands
    scale[FEET] = noise.jitter_feet
    return scale


def apply_noise(
    points: np.ndarray, geo: Geometry, size: tuple[int, int], fps: float, noise: TrackerNoise, rng: np.random.Generator
) -> np.ndarray:
    """(T, 33, 3) exact [x_px, y_px, z_px] -> (T, 33, 4) tracker-like output with visibility; NaN rows for lost frames."""
    n = len(points)
    px = geo.person_px[:, None, None]  # (T, 1, 1)
    vis = rng.uniform(*noise.visible, 33)[None, :] - noise.far_side_drop * geo.far
    vis = vis - noise.back_face_drop * geo.backness[:, None] * np.isin(np.arange(33), FACE)
    vis = vis + noise.visibility_noise * _ar1(rng, (n, 33), fps, noise.noise_time)
    out = np.concatenate([points, vis[..., None]], -1)  # (T, 33, 4)

    # Left/right confusions exchange whole rows (position and visibility): a swap of labels.
    legs, arms = np.r_[LEG_LEFT, LEG_RIGHT], np.r_[ARM_LEFT, ARM_RIGHT]
    for span in _spans(rng, noise.swap_rate * geo.sideness**2, fps, noise.swap_frames):
        idx = arms if rng.random() < noise.swap_arms_share else legs
        out[span, idx] = out[span][:, np.r_[idx[len(idx) // 2 :], idx[: len(idx) // 2]]]
    for span in _spans(rng, noise.flip_rate * geo.backness**2, fps, noise.flip_frames):
        out[span] = out[span][:, MIRROR]

    out[..., :3] = _smooth(out[..., :3], fps, noise.lag)
    sigma = noise.jitter * px * _part_scale(noise)[None, :, None]  # (T, 33, 1)
    jitter = _ar1(rng, (n, 33, 3), fps, noise.noise_time) * sigma
    jitter[..., 2] *= noise.jitter_z
    out[..., :3] += jitter
    centre = points[..., :2].mean(1, keepdims=True)  # (T, 1, 2)
    roi = _ar1(rng, (n, 1, 3), fps, noise.noise_time * 2)
    out[..., :2] += roi[..., :2] * noise.roi_jitter * px
    out[..., :2] += (out[..., :2] - centre) * roi[..., 2:] * noise.roi_scale_jitter

    starts = rng.random((n, 33)) < noise.outlier_rate
    for t, k in zip(*np.nonzero(starts)):
        span = slice(t, t + int(rng.integers(noise.outlier_frames[0], noise.outlier_frames[1] + 1)))
        out[span, k, :2] += rng.normal(0, noise.outlier_size, 2) * geo.person_px[t]

    w, h = size
    inside = (out[..., 0] >= 0) & (out[..., 0] < w) & (out[..., 1] >= 0) & (out[..., 1] < h)
    out[..., 3] = np.clip(np.where(inside, out[..., 3], out[..., 3] * noise.outside_factor), 0, 1)

    lost = inside[:, DETECTION_CORE].mean(1) < noise.min_inside  # the detector needs the head and trunk
    lost |= rng.random(n) < noise.miss_rate
    for span in _spans(rng, np.full(n, noise.dropout_rate), fps, noise.dropout_frames):
        lost[span] = True
    out[lost] = np.nan
    return out.astype(np.float32)


def side_geometry(left_axis: np.ndarray, facing: np.ndarray, to_camera: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) sideness and backness from the body's left and facing axes and the unit direction to the camera."""
    sideness = np.abs((left_axis * to_camera).sum(-1))
    backness = np.clip(-(facing * to_camera).sum(-1), 0, 1)
    return sideness, backness


def far_side(chest_left: np.ndarray, pelvis_left: np.ndarray, to_camera: np.ndarray) -> np.ndarray:
    """(T, 33) 0..1: how far each landmark's side of the body is turned away from the camera."""
    toward = np.stack([(chest_left * to_camera).sum(-1), (pelvis_left * to_camera).sum(-1)], 1)  # (T, 2): > 0 left side seen
    rides_on_pelvis = (np.arange(33) >= 23).astype(int)  # face, shoulders and arms ride on the chest
    far = np.clip(-SIDE[None, :] * toward[:, rides_on_pelvis], 0, 1)  # midline points (SIDE 0) never far
    far[:, PARTLY_HIDDEN] *= 0.5
    return far

"""A model of BlazePose tracker errors, applied to exactly projected landmarks.

Every figure is a named field of `TrackerNoise`. Sizes are in units of the person's height in
pixels at the hips' depth (H), times in seconds, rates per second or per frame as named.

Order of effects, as in a tracker: the estimator confuses left and right limbs in side views
(swaps); its filter smooths and lags the motion; what remains jitters (correlated in time,
since the filter smooths the noise too), the region of interest wobbles, single points jump
(outliers); visibility falls for occluded far-side limbs, faces seen from behind and points
outside the frame; whole frames are lost (missed detections, dropouts, body mostly outside).

Defaults: measured where the real footage (../shared/data/real) allows, by
`bench/tracker_noise.py` (our PoseTracker, smoothing on, as the product runs it; every method is
in its docstring). "cal." = set so that the synthetic set's figure, by the same estimator, matches
the real one. Real: spm = spm_example_video (one man facing the camera throughout, stepping
backwards and pausing, 225-520 px, 30 fps), car = carphone_pristine (upper body, 30 fps), vtest =
vtest.avi (pedestrians from above, ~100 px, 10 fps: the only side and back views). The old
estimates are in bench/tracker_noise_before.json.

| parameter | default (was) | figure on real footage | clips, method |
|---|---|---|---|
| jitter | 0.00011 (0.004) | HF jitter of torso points on still frames 0.00023 H/axis | spm, car; cal. (synthetic 0.00023, before 0.0026). Most of it is the shared shift (roi_jitter): the point's own part is small |
| roi_jitter | 0.0003 (0.004) | HF shift of the whole skeleton 0.00023 H, = 0.97 x torso | spm, car; cal. (synthetic 0.00027, before 0.0016) |
| jitter_face, _limbs, _hands, _feet | 2.6, 3.2, 8.5, 2.6 (0.6, 1.0 (none), 2.5, 1.8) | HF group / torso: face 1.37, elbows 1.57, hands 2.66, knees 1.11, feet 1.47 | spm, car, still frames; cal. (synthetic 1.55, 1.25, 2.52, 1.30, 1.92): multipliers of the point's own noise, on top of the shift |
| noise_time | 0.06 (0.08) | 0.068 s still, 0.049 s all frames | tracker's One-Euro filter replayed on spm/car raw tracks plus white noise at the measured raw level (raw HF torso 0.0011 H): AR(1) time of the output noise |
| roi_time | 0.06 (0.16 = 2 x noise_time) | the common shift is as fast as the per-point noise (its HF equals the torso's) | spm, car |
| roi_scale_jitter | 0.002 (0.01) | HF of the skeleton's log RMS radius 0.0011 on still frames (pose changes included) | spm, car; cal. (synthetic 0.0010, before 0.0045) |
| lag | 0.025 (0.03) | 0.025 s | first-order low-pass fitted from the raw (pre-filter) to the smoothed landmarks on moving frames, spm, car |
| jitter_z | 40 (3) | z HF / x-y HF 18 (torso) .. 22 (mean of groups) on still frames | spm, car; cal. on the mean of groups (synthetic 10 torso, 22 mean): real z noise is about the same on every part, the model scales it like x-y |
| z_scale | 2.9 (new, 1) | still front views, z / H: nose -0.78, shoulders -0.32, wrists -0.38, knees +0.08, ankles +0.49; median abs z / H 0.48 | spm, car; least squares of that profile on the synthetic one (then -0.23 .. +0.20, 0.11; now -0.62 .. +0.54, 0.31). BlazePose z is not depth: wrists and knees do not follow |
| outlier_rate, outlier_hands, outlier_whole_hand, outlier_size | 0.0001, 8, yes, 0.14 (0.002, 1, no, 0.06) | 1 clean one-frame jump of a whole hand (wrist + 3 finger points, 0.31 H) and 1 four-frame 0.1 H hand excursion in 12.7 s; none on the other 25 points in 502 frames | spm, car; detection rate cal. (0.002 events/frame real, synthetic similar): few events, good to a factor of a few |
| visible | (0.99, 1) ((0.88, 1)) | face and torso: p10 0.99, p50 1.00 | spm, car, vtest |
| visible_limbs | (0.88, 1) (new) | elbows, knees, feet p10/p50/p90 0.72/0.92/0.98 | spm, car, vtest; cal. with the wander (synthetic e.g. feet 0.72/0.91/0.98) |
| visible_hands | (0.35, 1) (new) | 0.25/0.70/0.95 | spm, car, vtest; cal. (synthetic 0.29/0.66/0.93; before 0.73/0.92/0.99) |
| visibility_noise, visibility_logit_noise | 0, 0.9 (0.03, none) | wander of a plainly visible score about its 2-s mean: std 0.04; face and torso about 0 | spm, car, vtest; cal. in logit space, which leaves near-1 scores still (synthetic 0.049) |
| visibility_smooth | 0.32 (new, none) | the tracker low-passes the score with alpha 0.1 per frame: 0.32 s at 30 fps | vision/pose/smoothing.py |
| visibility_time | 1.0 (0.08) | 1/e time of the wander 0.37 s (raw score 0.18 s) | spm, car, vtest, 2-s windows; cal. (synthetic 0.24 s: an AR(1) wander stays rougher at short lags) |
| far_side_drop | 0.38 (0.5) | plain limbs median 0.92 - far-side limbs median 0.54 (p10/p90 0.15/0.87) | vtest side views (17.6 s; small people) |
| far_side_core | 0 (new, 1) | face and torso of people seen side-on keep 0.98-1.00 | vtest |
| back_face_drop | 0 (0.35) | face seen from behind p10 0.99, p50 1.00 | vtest: two people walking away, 20 s, checked by eye |
| outside_factor, outside_decay | 0.3, 0.15 H (0.2, none) | median score by distance outside the frame: 0.81 (< 0.02 H), 0.29 (0.02-0.1), 0.11 (0.1-0.2), 0.07 (0.2-0.5), 0 (> 0.5) | car (legs, hips), spm (feet); fitted to the bins past the edge |
| miss_rate | 0.001 (0.01) | 0 misses in 502 frames (95% bound 0.006/frame) | spm, car (the step clips are cut from spm): 0.01 is ruled out (p 0.007); 0.001 chosen inside the bound |
| dropout_rate, dropout_frames | 0.04, (3, 12) | 0 in 16.7 s (bound 0.18/s) | estimate, consistent with the footage; too little of it to measure |
| swap_*, flip_* | unchanged | no usable side views: spm and car face the camera throughout (the spm man never turns around); vtest's side and back views are 100-px people at 10 fps, where 1 leg-swap, 5 arm-swap and 2 flip detections are mostly two overlapping people or a person turning (one true 1-frame upper-body flip seen by eye) and the detector finds 40-45 % of synthetic swaps | estimates |
| min_inside | 0.5 | nobody leaves the frame in this footage | estimate |

Not modelled: BlazePose finds people where there are none (cup.mp4, hands only: a "person" in
54 % of frames; bikes.mp4: bicycles and street furniture), and in crowds (vtest) it loses
small people (56 % of frames tracked) and mixes two overlapping ones into one skeleton.
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

LIMB_JOINTS = np.array([13, 14, 25, 26])  # elbows and knees
VIS_LIMBS = np.r_[13, 14, 25:33]  # elbows, knees, ankles, heels, toes
HAND_OF = {int(k): [15, 17, 19, 21] if k % 2 else [16, 18, 20, 22] for k in HANDS}  # wrist + pinky, index, thumb
PARTLY_HIDDEN = np.array([7, 8, 11, 12, 23, 24])  # ears, shoulders, hips: half hidden at worst
DETECTION_CORE = np.r_[0:13, 23, 24]  # face, shoulders, hips: what the person detector needs to see


@dataclass(frozen=True)
class TrackerNoise:
    """Tracker error parameters; defaults measured on real footage where it allows (table above)."""

    # Jitter: std of the positional noise, person-heights, per axis; part multipliers on `jitter`.
    jitter: float = 0.00011  # each point's own noise (torso points); most of theirs is the shared shift below
    jitter_hands: float = 8.5  # wrists and hand points
    jitter_feet: float = 2.6  # ankles, heels, toes
    jitter_face: float = 2.6
    jitter_limbs: float = 3.2  # elbows and knees
    jitter_z: float = 40.0  # z noise / x-y noise of the same point
    z_scale: float = 2.9  # BlazePose's z is not metric depth: the exact depth offsets are multiplied by this
    noise_time: float = 0.06  # correlation time of the jitter (the tracker's filter smooths it)
    lag: float = 0.025  # time constant of the filter's smoothing of the true motion
    roi_jitter: float = 0.0003  # whole-skeleton shift from the moving region of interest
    roi_scale_jitter: float = 0.002  # relative size wobble of the whole skeleton
    roi_time: float = 0.06  # correlation time of the shift and the wobble
    # Outliers: a landmark jumps away for a few frames.
    outlier_rate: float = 0.0001  # per landmark per frame
    outlier_hands: float = 8.0  # rate multiplier for wrists and hand points
    outlier_size: float = 0.14  # std of the jump, per axis
    outlier_frames: tuple[int, int] = (1, 3)
    outlier_whole_hand: bool = True  # a jump of a wrist or hand point moves that whole hand
    # Left/right confusion in side views: the far leg (or arm) trades places with the near one.
    swap_rate: float = 0.6  # events per second at a pure side view; scaled by sideness**2
    swap_frames: tuple[int, int] = (2, 8)
    swap_arms_share: float = 0.3  # share of swap events that exchange the arms, not the legs
    flip_rate: float = 0.05  # whole-body left/right flips per second when seen from behind
    flip_frames: tuple[int, int] = (3, 15)
    # Visibility (MediaPipe's per-landmark score in [0, 1]): a base per point and clip, a wander.
    visible: tuple[float, float] = (0.99, 1.0)  # range for a plainly visible face or torso point
    visible_limbs: tuple[float, float] = (0.88, 1.0)  # elbows, knees, ankles, heels, toes
    visible_hands: tuple[float, float] = (0.35, 1.0)  # wrists and hand points
    visibility_noise: float = 0.0  # additive wander of the score
    visibility_logit_noise: float = 0.9  # wander of the score's logit (saturates near 0 and 1, as a sigmoid output does)
    visibility_time: float = 1.0  # correlation time of the visibility's wander
    visibility_smooth: float = 0.32  # time constant of the tracker's low-pass on the score
    far_side_drop: float = 0.38  # lost by a limb point fully on the far side of the body
    far_side_core: float = 0.0  # share of that drop for face, shoulder and hip points turned away
    back_face_drop: float = 0.0  # lost by face points seen from behind
    outside_factor: float = 0.3  # visibility of points outside the frame is multiplied by this ...
    outside_decay: float = 0.15  # ... and, when > 0, by exp(-distance outside / this), in person heights
    # Frames with nobody (NaN rows).
    miss_rate: float = 0.001  # single missed frames, per frame
    dropout_rate: float = 0.04  # longer losses, per second
    dropout_frames: tuple[int, int] = (3, 12)
    min_inside: float = 0.5  # share of the face, shoulder and hip points inside the frame needed for a detection

    @classmethod
    def clean(cls) -> TrackerNoise:
        """No error at all: exact projections, visibility 1, every frame detected."""
        zero = {name: 0.0 for name, f in cls.__dataclass_fields__.items() if f.type == "float"}
        ones = {name: (1.0, 1.0) for name in ("visible", "visible_limbs", "visible_hands")}
        return replace(cls(), **{**zero, "outside_factor": 1.0, "z_scale": 1.0}, **ones)

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
    scale[LIMB_JOINTS] = noise.jitter_limbs
    scale[HANDS] = noise.jitter_hands
    scale[FEET] = noise.jitter_feet
    return scale


def _visible_base(noise: TrackerNoise, rng: np.random.Generator) -> np.ndarray:
    """(33,) each landmark's visibility when plainly visible, drawn once per clip from its part's range."""
    lo, hi = np.empty(33), np.empty(33)
    for idx, (a, b) in ((np.arange(33), noise.visible), (VIS_LIMBS, noise.visible_limbs), (HANDS, noise.visible_hands)):
        lo[idx], hi[idx] = a, b
    return lo + (hi - lo) * rng.random(33)


def apply_noise(
    points: np.ndarray, geo: Geometry, size: tuple[int, int], fps: float, noise: TrackerNoise, rng: np.random.Generator
) -> np.ndarray:
    """(T, 33, 3) exact [x_px, y_px, z_px] -> (T, 33, 4) tracker-like output with visibility; NaN rows for lost frames."""
    n = len(points)
    px = geo.person_px[:, None, None]  # (T, 1, 1)
    vis = _visible_base(noise, rng)[None, :]
    if noise.visibility_logit_noise > 0:  # the score wanders in logit space: little near 1, much in between
        logit = np.log(np.clip(vis, 1e-4, 1 - 1e-4) / np.clip(1 - vis, 1e-4, 1))
        wander = noise.visibility_logit_noise * _ar1(rng, (n, 33), fps, noise.visibility_time)
        vis = 1 / (1 + np.exp(-(logit + wander)))
    far = geo.far * np.where(np.isin(np.arange(33), DETECTION_CORE), noise.far_side_core, 1.0)
    vis = vis - noise.far_side_drop * far
    vis = vis - noise.back_face_drop * geo.backness[:, None] * np.isin(np.arange(33), FACE)
    vis = vis + noise.visibility_noise * _ar1(rng, (n, 33), fps, noise.visibility_time)
    vis = _smooth(vis, fps, noise.visibility_smooth)  # the tracker low-passes the score
    out = np.concatenate([points, vis[..., None]], -1)  # (T, 33, 4)
    out[..., 2] *= noise.z_scale

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
    roi = _ar1(rng, (n, 1, 3), fps, noise.roi_time)
    out[..., :2] += roi[..., :2] * noise.roi_jitter * px
    out[..., :2] += (out[..., :2] - centre) * roi[..., 2:] * noise.roi_scale_jitter

    rate = np.full(33, noise.outlier_rate)
    rate[HANDS] *= noise.outlier_hands
    starts = rng.random((n, 33)) < rate
    for t, k in zip(*np.nonzero(starts)):
        span = slice(t, t + int(rng.integers(noise.outlier_frames[0], noise.outlier_frames[1] + 1)))
        moved = HAND_OF[k] if noise.outlier_whole_hand and k in HAND_OF else [k]
        out[span, moved, :2] += rng.normal(0, noise.outlier_size, 2) * geo.person_px[t]

    w, h = size
    inside = (out[..., 0] >= 0) & (out[..., 0] < w) & (out[..., 1] >= 0) & (out[..., 1] < h)
    factor = noise.outside_factor
    if noise.outside_decay > 0:  # and fades further with the distance outside the frame, in person heights
        off_x = np.maximum(0, np.maximum(-out[..., 0], out[..., 0] - w))
        off_y = np.maximum(0, np.maximum(-out[..., 1], out[..., 1] - h))
        factor = factor * np.exp(-np.hypot(off_x, off_y) / (noise.outside_decay * geo.person_px[:, None]))
    out[..., 3] = np.clip(np.where(inside, out[..., 3], out[..., 3] * factor), 0, 1)

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

"""The pose tracker's errors on real footage, measured, beside the same figures on synthetic data.

    .venv/bin/python bench/tracker_noise.py                                   # real vs current defaults
    .venv/bin/python bench/tracker_noise.py --noise before=bench/tracker_noise_before.json --plots DIR

Every real clip in ../shared/data/real goes through `PoseTracker` (smoothing on, as the product
runs it; cached under .cache/tracker_noise with the landmarks as they entered the smoothing
filter, see bench/_track_cache.py). A synthetic set is made like
`vision-synth OUT --pose --clips-per-class 10 --seed 5` with the current `TrackerNoise` defaults
(and with each `--noise LABEL=JSON`); the SAME estimators run on both sides, so each row of the
main table compares like with like. Units are TrackerNoise's: person heights (H), seconds, per
frame / per second as named. At the end, the TrackerNoise values the footage supports are
printed as JSON (`measured noise parameters`).

Which real footage counts where. Pooled: spm_example_video (one man, front view, stepping
backwards and pausing, 225-520 px tall, 30 fps), carphone_pristine (upper body in a car, 30 fps)
and vtest (pedestrians from above, ~100 px tall, 10 fps: the only side and back views). The step
clips are cut from spm_example_video (listed, not pooled); bikes.mp4 (shot cuts, detections on
bicycles and street furniture) and box/cup (hands only: any "person" there is a false
detection) are listed per clip only. Jitter and lag are measured on spm + carphone: on vtest the
people are so small and the frame rate so low that motion swamps the noise.

Which synthetic clips count where (like with like): visibility, swaps and lost frames on all
clips; still-frame jitter and z on clips seen from the front (camera within 30 degrees of the
person's facing, as in spm and carphone); all-frame jitter and outliers on those of them that
stand or walk (no_action, walk). "synth clean" is the same set without any tracker error (the
clips are seeded, so the motions and cameras are identical): what the synthetic motion alone
gives each estimator.

Person height H, pixels per frame: `vision.pose.features.body_height` (the height the action
model normalises by: each 2D segment — torso, upper arms, forearms, thighs, shins, shoulder
width — over its typical share of the body height, the 0.75 quantile of those lower bounds, as
foreshortening only shortens a segment), then a centred running median over ~1 s within a
track. `height check` prints its ratio to the synthesiser's true height at the hips' depth on
noise-free clips (TrackerNoise's unit).

Segments: runs of frames with one track (synthetic: runs without a lost frame), cut where the
hip centre jumps by more than 0.4 H in a frame (the tracker moved to someone else); shorter
than 0.5 s or 6 frames: left out. Still frames: median landmark speed (Savitzky-Golay slope over
~0.5 s) under 0.05 H/s and its 90th percentile under 0.15 H/s.

Jitter, the observable (both sides): each coordinate minus its centred Savitzky-Golay fit
(degree 2 over 5 frames), per frame in H; the residual keeps the fraction
g0 = sum r_i^2 = 0.514 of white noise's variance (r = delta - SG weights), so
sigma_HF = RMS(residual) / sqrt(g0) is the white-noise sigma that would leave this residual.
Residuals are winsorised at 5 robust sigmas (MAD) so outliers do not count as jitter; points
outside the frame are left out. Per group (face 0-10, torso 11/12/23/24, arms = elbows,
hands = wrists and hand points, legs = knees, feet = ankles/heels/toes), z (sigma_z / sigma_xy
of the same points), the whole skeleton's shift (the mean of its 33 points, TrackerNoise's
roi_jitter) and its scale (log RMS radius about its centre, roi_scale_jitter); on still frames
and on all frames (where some motion the polynomial misses adds to it). Correlated noise leaves
less in the residual (sigma_HF < sigma) — hence the next part.

Jitter, the model's parameters (real only): sigma and correlation time of the smoothed output's
noise cannot be told apart from the person's slow sway on the output alone (its structure
function rises like drift at every lag), but the tracker's noise is made before its filter,
and the filter is known code. So: the network's own noise, sigma_raw, is sigma_HF of the
landmarks as they entered the filter (nearly white: each frame is a fresh network pass);
the filter, `vision.pose.smoothing.OneEuroFilter` with the tracker's parameters, its per-frame
object scale and its timestamps (and the in-place write the tracker does, see below), is
replayed on a smooth version of that raw track (SG degree 3 over 9 frames) with and without
added white noise of sigma_raw per group; the difference is the tracker's output noise on
exactly this motion: its RMS is `jitter` (x per-group multipliers), its lag-1 autocorrelation
a gives the correlation time tau = -1 / (fps ln a) (`noise_time`). Check printed: sigma_HF of the
replayed noisy output against sigma_HF of the real output.

Filter lag (real only): the first-order low-pass time constant that best maps the raw
landmarks onto the smoothed ones on moving frames (`lag`).

Visibility (both sides): each point of each frame is classed from the landmarks by the same
rules: outside the frame; else, when the 2D shoulder and hip widths are under 80 % of their
front-view shares of H (sideness = sqrt(1 - width^2) > 0.6), the limb points on the side whose
shoulder and hip z are larger are "far side"; when left and right are mirrored (left shoulder
and hip on the image's left: seen from behind) and not side-on, the face points are "face from
behind"; the rest are "plainly visible", by group. Quantiles p10/p50/p90. Wander: each plainly
visible point's score minus its mean over windows of 2 s (synthetic clips last 1.5-4 s), its
std and the lag (s) where its autocorrelation falls to 1/e.

Lost frames: on clips where one person is in view throughout (real: spm_example_video,
carphone; synthetic: clips framed "full", whose motion stays inside the picture), runs of
nobody: 1 frame = a miss (per frame); longer = a dropout (per second, mean length).

Left/right swaps: for each left/right group (legs: knee, ankle, heel, toe; arms: elbow, wrist,
hand points; torso: shoulders and hips = whole-body flips), every run of 1..D frames (D = 0.5 s)
is tested against both sides' smooth continuation (constant-velocity extrapolation from the two
frames before the run and the two after, blended linearly across it). It is a swap when the
exchanged labels fit that continuation better than the given ones in every frame (mean distance
under half, at least 0.08 H better) and the sides are over 0.06 H apart; overlapping candidates
keep the best. `swap detector check` prints its recall and false detections on synthetic
side-view walks with known swaps, at 30 and 10 fps. Rates: per second of side-on frames
(sideness > 0.6; flips: per second seen from behind) and per second overall.

Outliers: runs of 1-3 frames where a point is more than 0.05 H off the smooth continuation of
its own track (as for swaps: constant velocity from the two frames before and the two after,
blended), with the point and its anchors inside the frame and slower than 1 H/s (the slope of
its 7-frame running median, which a spike does not move: fast motion breaks the continuation),
and the extrapolations from before and from after agreeing to within half that distance (else
an anchor is itself off: the run is an echo of a neighbouring spike); the largest first. Rates per point per
frame, and per frame with simultaneous detections as one event (a hand's wrist and finger
points jump together on real footage); size: the RMS jump per axis (TrackerNoise.outlier_size
is a per-axis std; jumps under the threshold are missed alike on both sides).

z: BlazePose's z is not geometric depth. Printed: its size (median |z| / H over the body's
points, hips left out) and, on still front views, the median z / H of nose, shoulders, wrists,
knees and ankles.

Found by the way: the tracker's PoseSmoother writes the filtered values into the array whose
reference the One-Euro filter kept as "last raw value", so the filter's speed estimate is taken
against the previous filtered value, not the previous raw one as in MediaPipe (replaying the
filter reproduces the tracker's output to 3e-5 px only with that in-place write).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from vision.data.landmarks import load_sequence
from vision.pose.features import body_height
from vision.synth.noise import TrackerNoise

REAL = ROOT.parent / "shared" / "data" / "real"
CACHE = ROOT / ".cache" / "tracker_noise"
VIDEO_EXT = (".mp4", ".webm", ".avi")
CLOSE = ("spm_example_video", "carphone_pristine")  # one person, near: jitter, lag, lost frames
PEOPLE = CLOSE + ("vtest",)  # pooled for visibility, swaps, outliers

GROUPS = {
    "face": np.arange(0, 11),
    "torso": np.array([11, 12, 23, 24]),
    "arms": np.array([13, 14]),
    "hands": np.arange(15, 23),
    "legs": np.array([25, 26]),
    "feet": np.arange(27, 33),
}
LEFT = {"legs": [25, 27, 29, 31], "arms": [13, 15, 17, 19, 21], "torso": [11, 23]}
RIGHT = {k: [i + 1 for i in v] for k, v in LEFT.items()}
LIMB_LEFT = np.array([13, 15, 17, 19, 21, 25, 27, 29, 31])
LIMB_RIGHT = LIMB_LEFT + 1
STILL_MEDIAN, STILL_P90 = 0.05, 0.15  # H/s: "standing nearly still"
SHOULDER_SHARE, HIP_SHARE = 0.22, 0.125  # front-view 2D widths / H (spm still frames: printed)
HF_HALF = 2  # the jitter residual: SG degree 2 over 2 * HF_HALF + 1 frames
OUTLIER_JUMP = 0.05  # H
LIKE_REAL = ("no_action", "walk")  # synthetic classes whose motion is like the real footage's (standing, stepping)


def frontal(clips: list[Clip], classes: tuple[str, ...] | None = None) -> list[Clip]:
    """Synthetic clips seen from the front (camera within 30 degrees of the person's facing), as the
    close real footage is; optionally only `classes`."""
    def front(c: Clip) -> bool:
        yaw = float(c.meta.get("yaw_deg", 0.0)) % 360
        return yaw <= 30 or yaw >= 330
    return [c for c in clips if front(c) and (classes is None or c.meta.get("class") in classes)]


# ------------------------------------------------------------------ data
@dataclass
class Segment:
    """One tracked stretch of one person: landmarks (T, 33, 4) float64 and its height H (T,) px."""

    clip: str
    lm: np.ndarray
    fps: float
    size: tuple[int, int]
    height: np.ndarray
    raw: np.ndarray | None = None  # real: the landmarks as they entered the smoothing filter
    times: np.ndarray | None = None  # real: the tracker's timestamps
    scale: np.ndarray | None = None  # real: the object scale the filter was given
    meta: dict = field(default_factory=dict)
    start: int = 0  # first frame in the clip

    @property
    def n(self) -> int:
        return len(self.lm)


@dataclass
class Clip:
    name: str
    lm: np.ndarray  # (T, 33, 4), NaN rows for nobody
    fps: float
    size: tuple[int, int]
    segments: list[Segment]
    meta: dict = field(default_factory=dict)

    @property
    def found(self) -> float:
        return float(np.isfinite(self.lm[:, 0, 0]).mean())


def running_median(x: np.ndarray, width: int) -> np.ndarray:
    """Centred running median along axis 0 (the window shrinks at the ends); NaN ignored."""
    half = width // 2
    win = np.lib.stride_tricks.sliding_window_view(np.pad(x, [(half, half)] + [(0, 0)] * (x.ndim - 1), constant_values=np.nan), width, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN
        return np.nanmedian(win, axis=-1)


def split_segments(name: str, lm: np.ndarray, fps: float, size, track: np.ndarray | None = None,
                   extra: dict | None = None, meta: dict | None = None) -> list[Segment]:
    """Tracked stretches of one person (see the module docstring)."""
    present = np.isfinite(lm[:, 0, 0])
    ids = np.where(present, track if track is not None else 1, 0)
    height = np.full(len(lm), np.nan)
    if present.any():
        height[present] = body_height(lm[present].astype(np.float64))
    hip = lm[:, [23, 24], :2].mean(1)
    cuts = [0]
    for t in range(1, len(lm)):
        jump = bool(present[t] and present[t - 1]
                    and np.linalg.norm(hip[t] - hip[t - 1]) > 0.4 * np.nanmin(height[t - 1:t + 1]))
        if ids[t] != ids[t - 1] or jump:
            cuts.append(t)
    cuts.append(len(lm))
    out = []
    for a, b in pairwise(cuts):
        if not present[a] or b - a < max(6, 0.5 * fps):
            continue
        h = running_median(height[a:b], max(3, round(fps) | 1))
        ex = {k: (None if v is None else np.asarray(v[a:b], np.float64)) for k, v in (extra or {}).items()}
        out.append(Segment(name, lm[a:b].astype(np.float64), fps, (int(size[0]), int(size[1])), h, meta=meta or {}, start=a, **ex))
    return out


def load_real(real_dir: Path, cache: Path) -> list[Clip]:
    from _track_cache import track_cached

    clips = []
    for path in sorted(p for p in real_dir.rglob("*") if p.suffix in VIDEO_EXT):
        d = track_cached(path, cache)
        name = str(path.relative_to(real_dir))
        fps, size = float(d["fps"]), tuple(int(v) for v in d["size"])
        extra = {"raw": d["raw"], "times": d["times"], "scale": d["object_scale"]}
        segs = split_segments(name, d["landmarks"], fps, size, d["track"], extra)
        clips.append(Clip(name, d["landmarks"].astype(np.float64), fps, size, segs))
    return clips


def load_synth(root: Path) -> list[Clip]:
    clips = []
    for path in sorted(root.rglob("*.npz")):
        seq = load_sequence(path)
        name = str(path.relative_to(root))
        segs = split_segments(name, seq.landmarks, seq.fps, seq.size, meta=seq.meta)
        clips.append(Clip(name, seq.landmarks.astype(np.float64), float(seq.fps), tuple(seq.size), segs, seq.meta))
    return clips


def make_synth(noise: TrackerNoise, cache: Path, clips_per_class: int = 10, seed: int = 5) -> Path:
    """`vision-synth OUT --pose --clips-per-class 10 --seed 5` with `noise`, cached by its values."""
    from vision.synth.clip import ClipOptions
    from vision.synth.dataset import PoseSynthOptions, make_pose_dataset

    key = hashlib.sha1(json.dumps(asdict(noise), sort_keys=True).encode()).hexdigest()[:10]
    out = cache / f"synth-{clips_per_class}-{seed}-{key}"
    if not (out / "testlist01.txt").exists():
        make_pose_dataset(out, PoseSynthOptions(clips_per_class=clips_per_class, seed=seed, clip=ClipOptions(noise=noise)))
    return out


# ------------------------------------------------------------------ filters
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
    r = -sg_weights(half, 2)
    r[half] += 1
    return r


def ar1_gain(r: np.ndarray, a: float, lag: int = 0) -> float:
    """Covariance at `lag` of r-filtered unit-variance AR(1) noise with coefficient a."""
    i = np.arange(len(r))
    return float((r[:, None] * r[None, :] * a ** np.abs(i[:, None] - i[None, :] - lag)).sum())


def winsorise(e: np.ndarray, k: float = 5.0) -> np.ndarray:
    ok = np.isfinite(e)
    if not ok.any():
        return e
    s = 1.4826 * np.median(np.abs(e[ok] - np.median(e[ok]))) + 1e-15
    return np.clip(e, -k * s, k * s)


def per_h(x: np.ndarray, h: np.ndarray) -> np.ndarray:
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


# ------------------------------------------------------------------ per-segment quantities
def inside(seg: Segment) -> np.ndarray:
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


# ------------------------------------------------------------------ jitter
def hf_jitter(segs: list[Segment], subset: str, source: str = "lm") -> dict[str, float]:
    """White-equivalent sigma of the SG residual per group (H, per axis), z ratio, shift, scale."""
    r = residual_operator()
    g0 = ar1_gain(r, 0.0)
    acc: dict[str, list[float]] = {}

    def add(what: str, e: np.ndarray) -> None:
        e = winsorise(e)
        ok = np.isfinite(e)
        a = acc.setdefault(what, [0.0, 0, 0.0, 0])
        a[0] += float(np.square(e[ok]).sum())
        a[1] += int(ok.sum())
        pair = ok[1:] & ok[:-1]
        a[2] += float((e[1:] * e[:-1])[pair].sum())
        a[3] += int(pair.sum())

    for seg in segs:
        x = getattr(seg, source)
        if x is None:
            continue
        frames = still_frames(seg) if subset == "still" else np.ones(seg.n, bool)
        use = frames[:, None] & inside(seg)
        res = per_h(window_apply(np.where(use[..., None], x[..., :3], np.nan), r), seg.height)  # (T, 33, 3)
        for g, idx in GROUPS.items():
            add(g, res[:, idx, :2])
            add("z:" + g, res[:, idx, 2])
        whole = inside(seg).all(0)  # the points inside the frame all through the segment
        if whole.sum() < 4:
            continue
        body = x[:, whole, :2]
        add("shift", per_h(window_apply(np.where(frames[:, None], body.mean(1), np.nan), r), seg.height))
        rel = body - body.mean(1, keepdims=True)
        logr = 0.5 * np.log(np.square(rel).sum(-1).mean(1))
        add("scale", window_apply(np.where(frames, logr, np.nan), r))
    out = {}
    for what, (s, n, s1, n1) in acc.items():
        if n >= 40:
            out[what] = float(np.sqrt(s / n / g0))
            if what == "torso" and n1:
                out["torso_rho1"] = s1 / n1 / (s / n)
    return out


def smoothed_noise(segs: list[Segment], repeats: int = 4, seed: int = 0) -> dict:
    """The tracker's output noise per group on still and all frames: sigma (H/axis), tau (s);
    from the raw noise level and a replay of its filter (see the module docstring)."""
    rng = np.random.default_rng(seed)
    raw_sigma = hf_jitter(segs, "all", "raw")
    stats: dict[tuple[str, str], list[float]] = {}
    check: dict[str, list[float]] = {}
    r = residual_operator()
    for seg in segs:
        if seg.raw is None or seg.n < 20:
            continue
        truth = window_apply(seg.raw[..., :3], sg_weights(4, 3))
        keep = np.isfinite(truth).all((1, 2))
        a, b = int(np.argmax(keep)), int(len(keep) - np.argmax(keep[::-1]))
        truth, times, scale, h = truth[a:b], seg.times[a:b], seg.scale[a:b], seg.height[a:b]
        ins = inside(seg)[a:b]
        still = still_frames(seg)[a:b]
        clean = replay_filter(truth, times, scale)
        for _ in range(repeats):
            noise = rng.standard_normal(truth.shape) * h[:, None, None]
            for g, idx in GROUPS.items():
                noise[:, idx, :2] *= raw_sigma.get(g, 0.0)
                noise[:, idx, 2] *= raw_sigma.get("z:" + g, 0.0)
            noisy = replay_filter(truth + noise, times, scale)
            e = per_h(noisy - clean, h)  # (T, 33, 3)
            for sub, frames in (("still", still), ("all", np.ones_like(still))):
                for g, idx in GROUPS.items():
                    for axis, name in ((slice(0, 2), g), (slice(2, 3), "z:" + g)):
                        m = (frames[:, None] & ins[:, idx])[..., None].repeat(e[:, idx, axis].shape[-1], -1)
                        v = e[:, idx, axis]
                        pair = m[1:] & m[:-1]
                        s = stats.setdefault((sub, name), [0.0, 0, 0.0, 0])
                        s[0] += float(np.square(v[m]).sum())
                        s[1] += int(m.sum())
                        s[2] += float((v[1:] * v[:-1])[pair].sum())
                        s[3] += int(pair.sum())
            res = per_h(window_apply(noisy[:, GROUPS["torso"], :2] - 0, r), h)
            m = (still[:, None] & ins[:, GROUPS["torso"]])[..., None].repeat(2, -1) & np.isfinite(res)
            c = check.setdefault("torso", [0.0, 0])
            c[0] += float(np.square(winsorise(np.where(m, res, np.nan))[m]).sum())
            c[1] += int(m.sum())
    out: dict = {"raw": raw_sigma}
    fps = float(np.median([s.fps for s in segs]))
    for (sub, name), (s, n, s1, n1) in stats.items():
        if n < 40:
            continue
        var = s / n
        a = max(1e-6, s1 / n1 / var)
        out.setdefault(sub, {})[name] = {"sigma": float(np.sqrt(var)), "tau": float(-1 / (fps * np.log(a))) if a < 1 else float("inf")}
    if check.get("torso", [0, 0])[1]:
        s, n = check["torso"]
        out["hf_check_torso_still"] = float(np.sqrt(s / n / ar1_gain(r, 0.0)))
    return out


def lag_fit(segs: list[Segment]) -> float:
    """Time constant (s) of the first-order low-pass that best maps raw onto smoothed landmarks, moving frames."""
    taus = np.linspace(0.0, 0.2, 41)
    sse = np.zeros(len(taus))
    for seg in segs:
        if seg.raw is None:
            continue
        moving = ~still_frames(seg)
        x, y = seg.raw[..., :2], seg.lm[..., :2]
        for i, tau in enumerate(taus):
            a = np.exp(-1 / (seg.fps * tau)) if tau > 0 else 0.0
            lp = x.copy()
            for t in range(1, len(x)):
                lp[t] = a * lp[t - 1] + (1 - a) * x[t]
            sse[i] += float(np.square(per_h(lp - y, seg.height)[moving]).sum())
    return float(taus[np.argmin(sse)]) if sse.any() else float("nan")


# ------------------------------------------------------------------ visibility, z
def visibility_classes(segs: list[Segment]) -> dict[str, np.ndarray]:
    """Visibility values per class of point (see the module docstring)."""
    vals: dict[str, list[np.ndarray]] = {}
    counts = {"side": 0.0, "back": 0.0}
    for seg in segs:
        vis = seg.lm[..., 3]
        ins = inside(seg)
        sideness, back, far_side = orientation(seg)
        side = sideness > 0.6
        counts["side"] += side.sum() / seg.fps
        counts["back"] += back.sum() / seg.fps
        far = np.zeros((seg.n, 33), bool)
        far[side & (far_side > 0)] |= np.isin(np.arange(33), LIMB_LEFT)
        far[side & (far_side < 0)] |= np.isin(np.arange(33), LIMB_RIGHT)
        face_back = back[:, None] & np.isin(np.arange(33), GROUPS["face"])[None]
        vals.setdefault("outside the frame", []).append(vis[~ins])
        vals.setdefault("far-side limbs", []).append(vis[ins & far])
        vals.setdefault("face from behind", []).append(vis[ins & face_back])
        plain = ins & ~far & ~face_back
        for g, idx in GROUPS.items():
            m = np.zeros_like(plain)
            m[:, idx] = plain[:, idx]
            vals.setdefault(f"plain {g}", []).append(vis[m])
        # how much visibility wanders in time: plain points minus each one's mean over a chunk of
        # at most 2 s (synthetic clips are 1.5-4 s long, so both sides see about the same window)
        dev = np.full_like(vis, np.nan)
        chunk = max(1, round(2 * seg.fps))
        for c0 in range(0, seg.n, chunk):
            part = np.where(plain[c0:c0 + chunk], vis[c0:c0 + chunk], np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                dev[c0:c0 + chunk] = part - np.nanmean(part, 0)
        vals.setdefault("plain deviation", []).append(dev[np.isfinite(dev)])
        for g, idx in GROUPS.items():
            d = dev[:, idx]
            vals.setdefault(f"wander {g}", []).append(d[np.isfinite(d)])
        w, hgt = seg.size
        off = np.hypot(np.maximum(0, np.maximum(-seg.lm[..., 0], seg.lm[..., 0] - w)),
                       np.maximum(0, np.maximum(-seg.lm[..., 1], seg.lm[..., 1] - hgt))) / seg.height[:, None]
        vals.setdefault("outside distance", []).append(off[~ins])
        for i, lag_s in enumerate(VIS_LAGS):
            lag = round(lag_s * seg.fps)
            if 0 < lag < seg.n:
                p = dev[lag:] * dev[:-lag]
                ok = np.isfinite(p)
                acf = vals.setdefault("_acf", [np.zeros((2, len(VIS_LAGS)))])[0]
                acf[0, i] += p[ok].sum()
                acf[1, i] += ok.sum()
    acf = vals.pop("_acf", [np.zeros((2, len(VIS_LAGS)))])[0]
    out = {k: np.concatenate(v) if v else np.zeros(0) for k, v in vals.items()}
    dev = out["plain deviation"]
    rho = acf[0] / np.maximum(acf[1], 1) / max(float(np.mean(dev**2)) if len(dev) else 1.0, 1e-12)
    out["_acf"] = rho
    below = np.flatnonzero(rho < np.exp(-1))
    if len(below) and below[0] > 0:  # the lag where the correlation falls to 1/e, interpolated
        i = below[0]
        l0, l1, r0, r1 = VIS_LAGS[i - 1], VIS_LAGS[i], rho[i - 1], rho[i]
        out["_vis_time"] = np.array([l0 + (r0 - np.exp(-1)) / (r0 - r1) * (l1 - l0)])
    else:
        out["_vis_time"] = np.array([np.nan if not len(below) else VIS_LAGS[0]])
    out["_side_s"], out["_back_s"] = np.array([counts["side"]]), np.array([counts["back"]])
    return out


VIS_LAGS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)  # s


Z_POINTS = {"nose": [0], "shoulders": [11, 12], "wrists": [15, 16], "knees": [25, 26], "ankles": [27, 28]}


def z_profile(segs: list[Segment]) -> dict[str, float]:
    """Median |z| / H (body, hips left out) and median z / H per point on still front views."""
    allz, prof = [], {k: [] for k in Z_POINTS}
    keep = np.setdiff1d(np.arange(33), [23, 24])
    for seg in segs:
        allz.append((np.abs(seg.lm[:, keep, 2]) / seg.height[:, None]).ravel())
        sideness, back, _ = orientation(seg)
        front = still_frames(seg) & (sideness < 0.4) & ~back & (seg.lm[:, 11, 0] > seg.lm[:, 12, 0])
        for k, idx in Z_POINTS.items():
            prof[k].append((seg.lm[front][:, idx, 2] / seg.height[front, None]).ravel())
    out = {"size": float(np.nanmedian(np.concatenate(allz))) if allz else float("nan")}
    for k, v in prof.items():
        v = np.concatenate(v) if v else np.zeros(0)
        out[k] = float(np.nanmedian(v)) if len(v) >= 20 else float("nan")
    return out


# ------------------------------------------------------------------ lost frames, swaps, outliers
def lost_frames(clips: list[Clip]) -> dict:
    """Misses (1-frame gaps) and dropouts (longer gaps) on clips with one person in view throughout."""
    frames, seconds, misses, drops = 0, 0.0, 0, []
    for c in clips:
        present = np.isfinite(c.lm[:, 0, 0])
        frames += len(present)
        seconds += len(present) / c.fps
        for a, b in runs(~present):
            if b - a == 1:
                misses += 1
            else:
                drops.append(b - a)
    return {"frames": frames, "seconds": seconds, "misses": misses, "dropouts": len(drops),
            "miss_rate": misses / max(frames, 1), "dropout_rate": len(drops) / max(seconds, 1e-9),
            "dropout_frames": float(np.mean(drops)) if drops else float("nan")}


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[a, b) runs of True."""
    m = np.r_[False, np.asarray(mask, bool), False]
    edges = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _continuation(p: np.ndarray, a: int, b: int, parts: bool = False):
    """Smooth continuation of p (T, K, 2) across frames [a, b) from two frames on either side
    (with parts: also the forward and backward extrapolations it blends)."""
    n = b - a
    k = np.arange(1, n + 1)[:, None, None]
    fwd = p[a - 1] + k * (p[a - 1] - p[a - 2])
    bwd = p[b] - (n + 1 - k) * (p[b + 1] - p[b])
    w = (n + 1 - k) / (n + 1)
    return (w * fwd + (1 - w) * bwd, fwd, bwd) if parts else w * fwd + (1 - w) * bwd


def swap_events(seg: Segment, pair: str, max_s: float = 0.5) -> list[tuple[int, int]]:
    """Runs [a, b) where the left/right labels of `pair` are exchanged against their continuation."""
    left, right = seg.lm[:, LEFT[pair], :2], seg.lm[:, RIGHT[pair], :2]
    apart = np.linalg.norm(left - right, axis=-1).mean(-1) / seg.height
    cands = []
    dmax = max(2, round(max_s * seg.fps))
    for a in range(2, seg.n - 3):
        for b in range(a + 1, min(a + dmax, seg.n - 2) + 1):
            pl, pr = _continuation(left, a, b), _continuation(right, a, b)
            ol, orr, h = left[a:b], right[a:b], seg.height[a:b]
            same = (np.linalg.norm(ol - pl, axis=-1) + np.linalg.norm(orr - pr, axis=-1)).mean(-1) / h
            cross = (np.linalg.norm(ol - pr, axis=-1) + np.linalg.norm(orr - pl, axis=-1)).mean(-1) / h
            if (cross.mean() < 0.5 * same.mean() and same.mean() - cross.mean() > 0.08
                    and apart[a:b].mean() > 0.06 and (cross < same).all()):
                cands.append((same.mean() - cross.mean(), a, b))
    chosen: list[tuple[int, int]] = []
    for _, a, b in sorted(cands, reverse=True):  # the clearest first; a run whose anchors touch it is its echo
        if all(b + 2 <= c or a >= d + 2 for c, d in chosen):
            chosen.append((a, b))
    return sorted(chosen)


def swap_stats(segs: list[Segment]) -> dict:
    out = {}
    for pair in ("legs", "arms", "torso"):
        durations, in_view, view_s, total_s, where = [], 0, 0.0, 0.0, []
        for seg in segs:
            sideness, back, _ = orientation(seg)
            view = back if pair == "torso" else sideness > 0.6
            total_s += seg.n / seg.fps
            view_s += view.sum() / seg.fps
            for a, b in swap_events(seg, pair):
                durations.append((b - a) / seg.fps)
                in_view += bool(view[a:b].mean() > 0.5)
                where.append((seg.clip, seg.start + a, seg.start + b))
        out[pair] = {"events": len(durations), "per_s": len(durations) / max(total_s, 1e-9), "view_s": view_s,
                     "per_view_s": in_view / view_s if view_s > 0 else float("nan"),
                     "duration_s": float(np.median(durations)) if durations else float("nan"), "where": where}
    return out


def swap_detector_check(fps: float, seeds: int = 24, rate: float = 0.4) -> tuple[int, int, int]:
    """(found, true, false) swap events on synthetic side-view walks with known leg swaps only."""
    from dataclasses import replace

    from vision.synth.camera import View, frame_camera
    from vision.synth.clip import animate, clip_geometry
    from vision.synth.noise import apply_noise
    from vision.synth.skeleton import random_body
    from vision.synth.topology import LEG_LEFT, LEG_RIGHT

    found = true = false = 0
    noise = replace(TrackerNoise(), swap_rate=rate, swap_arms_share=0.0, flip_rate=0.0, outlier_rate=0.0,
                    miss_rate=0.0, dropout_rate=0.0)
    legs, crossed = np.r_[LEG_LEFT, LEG_RIGHT], np.r_[LEG_RIGHT, LEG_LEFT]
    for seed in range(seeds):
        body = random_body(np.random.default_rng(seed))
        n = round(5 * fps)
        anim = animate("walk", body, np.random.default_rng([seed, 1]), n, fps)
        view = View(yaw=90.0, elevation=8.0, roll=0.0, fov=60.0, size=(640, 480), fill=0.8, offset=(0.0, 0.0), upper_body=False)
        cam, _ = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
        exact = cam.project(anim.world.points)
        out = apply_noise(exact, clip_geometry(anim.world, cam, body), view.size, fps, noise, np.random.default_rng(seed))
        same = np.abs(out[:, legs, :2] - exact[:, legs, :2]).max((1, 2))
        swapped = np.abs(out[:, legs, :2] - exact[:, crossed, :2]).max((1, 2))
        events = runs(swapped < same)
        segs = split_segments("check", out, fps, view.size)
        det = [e for s in segs for e in swap_events(s, "legs")]
        overlap = lambda p, q: not (p[1] <= q[0] or p[0] >= q[1])
        true += len(events)
        found += sum(any(overlap(e, d) for d in det) for e in events)
        false += sum(not any(overlap(e, d) for e in events) for d in det)
    return found, true, false


def outlier_events(seg: Segment) -> list[tuple[int, int, int, float]]:
    """(point, a, b, per-axis RMS jump in H): runs of 1-3 frames off both sides' continuation."""
    p = seg.lm[..., :2]
    ok = inside(seg) & (speeds(seg, robust=True) < 1.0)
    cands = []
    for d in (1, 2, 3):
        for a in range(2, seg.n - d - 1):
            b = a + d
            pred, fwd, bwd = _continuation(p, a, b, parts=True)
            h = seg.height[a:b, None]
            dev = np.linalg.norm(p[a:b] - pred, axis=-1) / h  # (d, 33)
            disagree = (np.linalg.norm(fwd - bwd, axis=-1) / h).max(0)  # the anchors' own consistency
            hit = (dev.min(0) > OUTLIER_JUMP) & (disagree < 0.5 * dev.min(0)) & ok[a - 2:b + 2].all(0)
            for k in np.flatnonzero(hit):
                cands.append((float(np.sqrt(np.mean(dev[:, k] ** 2) / 2)), int(k), a, b))
    chosen: list[tuple[int, int, int, float]] = []
    for size, k, a, b in sorted(cands, reverse=True):  # the largest first; runs whose anchors touch it are echoes
        if all(k != k2 or b + 2 <= a2 or a >= b2 + 2 for k2, a2, b2, _ in chosen):
            chosen.append((k, a, b, size))
    return chosen


HAND_OF = {k: 0 for k in (15, 17, 19, 21)} | {k: 1 for k in (16, 18, 20, 22)}


def _clusters(events: list[tuple[int, int, int, float]]) -> int:
    """Events: detections that overlap in time count once, whichever points they are on."""
    n, end = 0, -1
    for _, a, b, _ in sorted(events, key=lambda e: e[1]):
        if a >= end:
            n += 1
        end = max(end, b)
    return n


def outlier_stats(segs: list[Segment]) -> dict:
    points, frames, sizes, where, clusters = 0, 0, [], [], 0
    for seg in segs:
        ok = inside(seg) & (speeds(seg, robust=True) < 1.0)
        points += int(ok[2:-2].sum())
        frames += seg.n
        events = outlier_events(seg)
        clusters += _clusters(events)
        for k, a, b, size in events:
            sizes.append(size)
            where.append((seg.clip, k, seg.start + a, seg.start + b))
    hands = sum(k in HAND_OF for _, k, _, _ in where)
    return {"rate": len(sizes) / max(points, 1), "events": len(sizes), "where": where, "clusters": clusters,
            "cluster_rate": clusters / max(frames, 1), "hand_share": hands / max(len(sizes), 1),
            "size": float(np.sqrt(np.mean(np.square(sizes)))) if sizes else float("nan")}


# ------------------------------------------------------------------ reports
@dataclass
class Report:
    label: str
    frames: int
    seconds: float
    still_share: float
    hf_still: dict
    hf_all: dict
    vis: dict
    z: dict
    lost: dict
    swaps: dict
    outliers: dict


def analyse(label: str, jitter: list[Clip], other: list[Clip], in_view: list[Clip], matched: list[Clip] | None = None) -> Report:
    """Still-frame jitter and z on `jitter` clips; all-frame jitter and outliers on `matched` (default
    `jitter`: clips whose motion is like the real footage's); visibility and swaps on `other`;
    lost frames on `in_view`."""
    js = [s for c in jitter for s in c.segments]
    ms = [s for c in (matched if matched is not None else jitter) for s in c.segments]
    os_ = [s for c in other for s in c.segments]
    frames = sum(s.n for s in ms)
    return Report(label, frames, sum(s.n / s.fps for s in ms), sum(int(still_frames(s).sum()) for s in ms) / max(frames, 1),
                  hf_jitter(js, "still"), hf_jitter(ms, "all"), visibility_classes(os_), z_profile(js),
                  lost_frames(in_view), swap_stats(os_), outlier_stats(ms))


def _q(v: np.ndarray) -> str:
    if len(v) < 20:
        return f"n={len(v)}"
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return f"{q[0]:.2f}/{q[1]:.2f}/{q[2]:.2f}"


def _f(x, fmt: str = "{:.4f}") -> str:
    return "—" if x is None or not np.isfinite(x) else fmt.format(x)


def table(reports: list[Report]) -> str:
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, fn) -> None:
        vals = []
        for r in reports:
            try:
                vals.append(fn(r))
            except (KeyError, ZeroDivisionError, TypeError):
                vals.append("—")
        rows.append((name, vals))

    row("all-frame jitter, outlier set: frames / s", lambda r: f"{r.frames} / {r.seconds:.1f}")
    row("  share of frames still", lambda r: f"{r.still_share:.2f}")
    for sub in ("still", "all"):
        hf = lambda r, s=sub: getattr(r, f"hf_{s}")
        row(f"[{sub}] HF jitter torso (H/axis)", lambda r, hf=hf: _f(hf(r)["torso"], "{:.5f}"))
        for g in ("face", "arms", "hands", "legs", "feet"):
            row(f"[{sub}]   {g} / torso", lambda r, g=g, hf=hf: _f(hf(r)[g] / hf(r)["torso"], "{:.2f}"))
        row(f"[{sub}]   z / x-y (torso; all groups)", lambda r, hf=hf: _f(hf(r)["z:torso"] / hf(r)["torso"], "{:.1f}") + "; "
            + _f(np.mean([hf(r)["z:" + g] / hf(r)[g] for g in GROUPS if g in hf(r)]), "{:.1f}"))
        row(f"[{sub}]   residual lag-1 corr (torso)", lambda r, hf=hf: _f(hf(r)["torso_rho1"], "{:+.2f}"))
        row(f"[{sub}] HF whole-skeleton shift (H)", lambda r, hf=hf: _f(hf(r)["shift"], "{:.5f}"))
        row(f"[{sub}]   shift / torso", lambda r, hf=hf: _f(hf(r)["shift"] / hf(r)["torso"], "{:.2f}"))
        row(f"[{sub}] HF whole-skeleton scale (rel)", lambda r, hf=hf: _f(hf(r)["scale"], "{:.5f}"))
    row("z size: median |z| / H", lambda r: _f(r.z["size"], "{:.3f}"))
    row("z / H still front: nose, shoulders, wrists", lambda r: ", ".join(_f(r.z[k], "{:+.2f}") for k in ("nose", "shoulders", "wrists")))
    row("z / H still front: knees, ankles", lambda r: ", ".join(_f(r.z[k], "{:+.2f}") for k in ("knees", "ankles")))
    for k in ("plain face", "plain torso", "plain arms", "plain hands", "plain legs", "plain feet",
              "far-side limbs", "face from behind", "outside the frame"):
        row(f"visibility {k} (p10/p50/p90)", lambda r, k=k: _q(r.vis[k]))
    row("visibility wander, plain (std)", lambda r: _f(np.std(r.vis["plain deviation"]), "{:.3f}"))
    row("  face, torso, arms, hands, legs, feet", lambda r: " ".join(_f(np.std(r.vis[f"wander {g}"]), "{:.2f}") for g in GROUPS))
    row("  its correlation time (1/e, s)", lambda r: _f(r.vis["_vis_time"][0], "{:.2f}"))
    row("side-on s / seen-from-behind s", lambda r: f'{r.vis["_side_s"][0]:.1f} / {r.vis["_back_s"][0]:.1f}')
    row("in-view clips: frames / s", lambda r: f'{r.lost["frames"]} / {r.lost["seconds"]:.1f}')
    row("missed frames per frame (n)", lambda r: f'{_f(r.lost["miss_rate"])} ({r.lost["misses"]})')
    row("dropouts per s (n, mean frames)", lambda r: f'{_f(r.lost["dropout_rate"], "{:.3f}")} ({r.lost["dropouts"]}, {_f(r.lost["dropout_frames"], "{:.1f}")})')
    for pair, what in (("legs", "leg swaps"), ("arms", "arm swaps"), ("torso", "whole-body flips")):
        view = "behind" if pair == "torso" else "side-on"
        row(f"{what}: n, per s", lambda r, p=pair: f'{r.swaps[p]["events"]}, {r.swaps[p]["per_s"]:.3f}')
        row(f"{what}: per {view} s", lambda r, p=pair: _f(r.swaps[p]["per_view_s"], "{:.3f}"))
        row(f"{what}: median duration (s)", lambda r, p=pair: _f(r.swaps[p]["duration_s"], "{:.3f}"))
    row(f"outliers > {OUTLIER_JUMP} H per point-frame (n)", lambda r: f'{_f(r.outliers["rate"], "{:.5f}")} ({r.outliers["events"]})')
    row("  events per frame, overlapping ones as one (n)", lambda r: f'{_f(r.outliers["cluster_rate"], "{:.4f}")} ({r.outliers["clusters"]})')
    row("  share on hand points", lambda r: _f(r.outliers["hand_share"], "{:.2f}"))
    row("outlier RMS jump per axis (H)", lambda r: _f(r.outliers["size"], "{:.3f}"))
    width = max(len(n) for n, _ in rows) + 1
    cols = [max(len(r.label), *(len(v[i]) for _, v in rows)) + 2 for i, r in enumerate(reports)]
    lines = ["".ljust(width) + "".join(r.label.rjust(c) for r, c in zip(reports, cols))]
    lines += [n.ljust(width) + "".join(v.rjust(c) for v, c in zip(vals, cols)) for n, vals in rows]
    return "\n".join(lines)


def per_clip(clips: list[Clip]) -> str:
    lines = [(f"{'clip':34s} {'frames':>6s} {'fps':>5s} {'found':>5s} {'segs':>4s} {'H px':>5s} {'still':>5s} "
              f"{'HF torso':>8s} {'hands/t':>7s} {'side s':>6s} {'back s':>6s} {'legsw':>5s} {'armsw':>5s} {'flips':>5s} {'outl':>4s}")]
    for c in clips:
        segs = c.segments
        if not segs:
            lines.append(f"{c.name:34s} {len(c.lm):6d} {c.fps:5.1f} {c.found:5.2f} {0:4d}   (no track of 0.5 s)")
            continue
        hpx = float(np.nanmedian(np.concatenate([s.height for s in segs])))
        st = sum(int(still_frames(s).sum()) for s in segs)
        hf = hf_jitter(segs, "still" if st > 30 else "all")
        sw = swap_stats(segs)
        vis = visibility_classes(segs)
        torso = hf.get("torso", float("nan"))
        lines.append(f"{c.name:34s} {len(c.lm):6d} {c.fps:5.1f} {c.found:5.2f} {len(segs):4d} {hpx:5.0f} {st:5d} "
                     f"{_f(torso, '{:.5f}'):>8s} {_f(hf.get('hands', float('nan')) / torso, '{:.2f}'):>7s} "
                     f"{vis['_side_s'][0]:6.1f} {vis['_back_s'][0]:6.1f} {sw['legs']['events']:5d} {sw['arms']['events']:5d} "
                     f"{sw['torso']['events']:5d} {outlier_stats(segs)['events']:4d}")
    lines.append("(HF torso, hands/t: on still frames where there are over 30, else on all frames)")
    return "\n".join(lines)


def derive(sim: dict, lag: float, close: Report, people: Report) -> dict:
    """Figures read straight off the footage, for TrackerNoise's table (see vision/synth/noise.py).

    The jitter defaults themselves are calibrated so that the synthetic HF-jitter rows match the
    real ones; the replayed-filter sigma and tau here are their physical cross-check."""
    a, st = sim.get("all", {}), sim.get("still", {})
    vis = people.vis
    q = lambda k, p: round(float(np.quantile(vis[k], p)), 2) if len(vis[k]) else None
    core = np.r_[vis["plain face"], vis["plain torso"]]
    limbs = np.r_[vis["plain arms"], vis["plain legs"], vis["plain feet"]]
    d, v = vis["outside distance"], vis["outside the frame"]
    bins = {f"{lo}-{hi} H": round(float(np.median(v[(d > lo) & (d <= hi)])), 2) if ((d > lo) & (d <= hi)).sum() >= 20 else None
            for lo, hi in ((0, 0.02), (0.02, 0.1), (0.1, 0.2), (0.2, 0.5), (0.5, 5))}
    lost = close.lost
    return {
        "replayed filter: torso sigma still / all (H)": [round(st.get("torso", {}).get("sigma", float("nan")), 5),
                                                         round(a.get("torso", {}).get("sigma", float("nan")), 5)],
        "replayed filter: tau still / all (s)": [round(float(np.mean([st[g]["tau"] for g in GROUPS if g in st])), 3),
                                                 round(float(np.mean([a[g]["tau"] for g in GROUPS if g in a])), 3)],
        "replayed filter: group / torso (all)": {g: round(a[g]["sigma"] / a["torso"]["sigma"], 2) for g in GROUPS if g in a},
        "lag (s)": round(lag, 3),
        "visible face+torso p10/p50": [round(float(np.quantile(core, 0.1)), 2), round(float(np.median(core)), 2)],
        "visible limbs p10/p50/p90": [round(float(np.quantile(limbs, p)), 2) for p in (0.1, 0.5, 0.9)],
        "visible hands p10/p50/p90": [q("plain hands", p) for p in (0.1, 0.5, 0.9)],
        "far-side drop (plain limbs median - far-side median)": round(float(np.median(limbs)) - float(np.median(vis["far-side limbs"])), 2)
        if len(vis["far-side limbs"]) else None,
        "face from behind p10/p50": [q("face from behind", 0.1), q("face from behind", 0.5)],
        "outside: median visibility by distance outside": bins,
        "misses / frames (95% bound per frame)": f'{lost["misses"]} / {lost["frames"]} ({_f(3 / max(lost["frames"], 1), "{:.4f}")})',
        "dropouts / s (95% bound per s)": f'{lost["dropouts"]} / {lost["seconds"]:.1f} ({_f(3 / max(lost["seconds"], 1e-9), "{:.3f}")})',
        "outlier events per frame, size per axis (H)": [round(close.outliers["cluster_rate"], 4), round(close.outliers["size"], 3)],
    }


# ------------------------------------------------------------------ plots
def plots(out: Path, real: list[Clip], synths: dict[str, list[Clip]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    spm = next(c for c in real if c.name.startswith("spm")).segments[0]
    st = still_frames(spm)
    a, b = max(runs(st), key=lambda r: r[1] - r[0])
    a, b = max(0, a - 5), min(spm.n, b + 5)

    def synth_still(clips: list[Clip]) -> tuple[Segment, int, int]:
        cands = [s for c in clips if c.meta.get("class") == "no_action" for s in c.segments if s.fps >= 24]
        s = max(cands, key=lambda s: max((q - p for p, q in runs(still_frames(s))), default=0))
        p, q = max(runs(still_frames(s)), key=lambda r: r[1] - r[0])
        return s, p, q

    # 1. standing: x of wrist, shoulder, nose, de-meaned, in H (one H per stretch)
    fig, axes = plt.subplots(1 + len(synths), 1, figsize=(11, 3.2 * (1 + len(synths))), sharey=True)
    pts = ((15, "left wrist"), (11, "left shoulder"), (0, "nose"))
    h = float(np.median(spm.height[a:b]))
    t = np.arange(b - a) / spm.fps
    for i, (k, name) in enumerate(pts):
        x = spm.lm[a:b, k, 0] / h
        axes[0].plot(t, x - x.mean() + 0.01 * i, lw=1.2, label=f"{name} x (+{0.01 * i:.2f})")
        r = spm.raw[a:b, k, 0] / h
        axes[0].plot(t, r - r.mean() + 0.01 * i, lw=0.6, ls=":", color=axes[0].lines[-1].get_color(), label="raw" if i == 0 else None)
    axes[0].set_title(f"real spm_example_video frames {a}-{b} (standing still between steps), x / H; dotted: before the tracker's filter")
    for ax, (lab, clips) in zip(axes[1:], synths.items()):
        s, p, q = synth_still(clips)
        h2 = float(np.median(s.height[p:q]))
        t2 = np.arange(q - p) / s.fps
        for i, (k, name) in enumerate(pts):
            x = s.lm[p:q, k, 0] / h2
            ax.plot(t2, x - x.mean() + 0.01 * i, lw=1.2, label=f"{name} x")
        ax.set_title(f"{lab}: {s.clip} ({s.fps:g} fps), standing still, x / H")
    for ax in axes:
        ax.set_ylabel("H")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1].set_xlabel("s")
    fig.tight_layout()
    saved.append(out / "standing_x.png")
    fig.savefig(saved[-1], dpi=100)
    plt.close(fig)

    # 2. the whole spm clip: ankle and wrist y, smoothed vs raw, still frames marked
    fig, ax = plt.subplots(figsize=(11, 4))
    t = np.arange(spm.n) / spm.fps
    for k, name in ((27, "left ankle"), (28, "right ankle"), (15, "left wrist")):
        ax.plot(t, spm.lm[:, k, 1] / spm.height, lw=1, label=f"{name} y")
        ax.plot(t, spm.raw[:, k, 1] / spm.height, lw=0.6, ls=":", color=ax.lines[-1].get_color())
    ax.fill_between(t, 0, 1, where=st, transform=ax.get_xaxis_transform(), color="0.85", label="still")
    ax.invert_yaxis()
    ax.set_title("real spm_example_video: y / H per frame (dotted: before the filter); grey: still frames")
    ax.legend(fontsize=7, ncol=4)
    ax.set_xlabel("s")
    fig.tight_layout()
    saved.append(out / "spm_walk_y.png")
    fig.savefig(saved[-1], dpi=100)
    plt.close(fig)

    # 3. visibility histograms
    real_vis = visibility_classes([s for c in real if c.name.startswith(PEOPLE) for s in c.segments])
    syn_vis = {lab: visibility_classes([s for c in clips for s in c.segments]) for lab, clips in synths.items()}
    keys = ["plain torso", "plain arms", "plain hands", "plain feet", "far-side limbs", "face from behind", "outside the frame", "plain face"]
    fig, axes = plt.subplots(2, 4, figsize=(15, 6))
    bins = np.linspace(0, 1, 26)
    for ax, k in zip(axes.ravel(), keys):
        ax.hist(real_vis[k], bins, density=True, alpha=0.45, label=f"real (n={len(real_vis[k])})")
        for lab, v in syn_vis.items():
            ax.hist(v[k], bins, density=True, histtype="step", lw=1.5, label=f"{lab} (n={len(v[k])})")
        ax.set_title(k)
        ax.legend(fontsize=6)
    fig.suptitle("visibility by class of point: real (spm, carphone, vtest) vs synthetic")
    fig.tight_layout()
    saved.append(out / "visibility.png")
    fig.savefig(saved[-1], dpi=100)
    plt.close(fig)

    # 4. walking: real spm (stepping back) vs synthetic walk towards/away, ankle y and wrist x over 3 s
    fig, axes = plt.subplots(1, 1 + len(synths), figsize=(5.5 * (1 + len(synths)), 3.6), sharey=True)
    n = int(3 * spm.fps)
    s0 = 90
    for k, name in ((27, "left ankle y"), (28, "right ankle y")):
        y = spm.lm[s0:s0 + n, k, 1] / np.median(spm.height[s0:s0 + n])
        axes[0].plot(np.arange(len(y)) / spm.fps, y - y[0], lw=1, label=name)
    axes[0].set_title("real spm, 3 s of stepping")
    for ax, (lab, clips) in zip(axes[1:], synths.items()):
        walks = [s for c in clips if c.meta.get("class") == "walk" and c.meta.get("travel_direction") in ("away", "towards")
                 for s in c.segments if s.n >= 2 * s.fps]
        if walks:
            s = walks[0]
            for k, name in ((27, "left ankle y"), (28, "right ankle y")):
                y = s.lm[:, k, 1] / np.median(s.height)
                ax.plot(np.arange(s.n) / s.fps, y - y[0], lw=1, label=name)
            ax.set_title(f"{lab}: {s.clip}")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_xlabel("s")
    fig.tight_layout()
    saved.append(out / "walking_ankles.png")
    fig.savefig(saved[-1], dpi=100)
    plt.close(fig)
    return saved


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--real", type=Path, default=REAL, help="real clips folder (../shared/data/real)")
    p.add_argument("--cache", type=Path, default=CACHE, help="tracked landmarks and synthetic sets (.cache/tracker_noise)")
    p.add_argument("--noise", action="append", default=[], metavar="LABEL=JSON",
                   help="also a synthetic set made with these TrackerNoise values (repeatable)")
    p.add_argument("--plots", type=Path, help="save PNG plots (real vs synthetic) into this folder")
    p.add_argument("--events", action="store_true", help="list where the swaps and flips were found on real clips")
    args = p.parse_args(argv)
    if not args.real.is_dir():
        print(f"no real footage at {args.real}", file=sys.stderr)
        return 2

    real = load_real(args.real, args.cache)
    sets = {"synth now": load_synth(make_synth(TrackerNoise(), args.cache))}
    clean = load_synth(make_synth(TrackerNoise.clean(), args.cache))  # the same motions, no tracker error
    for item in args.noise:
        label, _, path = item.partition("=")
        sets[f"synth {label}"] = load_synth(make_synth(TrackerNoise.from_dict(json.loads(Path(path).read_text())), args.cache))

    print("== Real clips: the tracker (smoothing on), per clip")
    print(per_clip(real))
    lo, med, hi = height_check()
    print(f"\nheight check: body_height / true height at the hips' depth, noise-free synthetic clips: {med:.3f} (quartiles {lo:.3f}..{hi:.3f})")
    spm = [s for c in real if c.name.startswith("spm") for s in c.segments]
    sw = np.median(np.concatenate([np.linalg.norm(s.lm[still_frames(s), 11, :2] - s.lm[still_frames(s), 12, :2], axis=1) / s.height[still_frames(s)] for s in spm]))
    hw = np.median(np.concatenate([np.linalg.norm(s.lm[still_frames(s), 23, :2] - s.lm[still_frames(s), 24, :2], axis=1) / s.height[still_frames(s)] for s in spm]))
    print(f"front-view 2D widths, spm still frames: shoulders {sw:.3f} H, hips {hw:.3f} H (side classifier uses {SHOULDER_SHARE}, {HIP_SHARE})")
    for fps in (30.0, 10.0):
        f, t, fa = swap_detector_check(fps)
        print(f"swap detector check, synthetic side-view walks at {fps:g} fps: found {f} of {t} leg swaps, {fa} false")

    close = [c for c in real if c.name.startswith(CLOSE)]
    people = [c for c in real if c.name.startswith(PEOPLE)]
    vtest = [c for c in real if c.name.startswith("vtest")]
    reports = [analyse("real", close, people, close), analyse("real close", close, close, close),
               analyse("real vtest", vtest, vtest, [])]
    for label, clips in list(sets.items()) + [("synth clean", clean)]:
        full = [c for c in clips if c.meta.get("framing") == "full"]
        reports.append(analyse(label, frontal(clips), clips, full, frontal(clips, LIKE_REAL)))
    print("\n== Real vs synthetic, the same estimators. real: jitter/z/lost frames/outliers on " + ", ".join(c.name for c in close)
          + "; visibility and swaps also on vtest.avi. real close: spm + carphone only. synth: visibility, swaps,"
          " lost frames on all clips; still-frame jitter and z on clips seen from the front (within 30 degrees, like"
          " the close real footage); all-frame jitter and outliers on those of them standing or walking. synth clean:"
          " the same clips without tracker error (what the synthetic motion alone gives each estimator).")
    print(table(reports))
    print("\nfound rate where no one person is in full view: " + ", ".join(
        f"{c.name} {c.found:.2f}" for c in real if c.name.startswith(("vtest", "bikes", "box", "cup"))))
    if args.events:
        rep = reports[0]
        for pair in ("legs", "arms", "torso"):
            print(f"{pair} events: " + ", ".join(f"{c}@{a}-{b}" for c, a, b in rep.swaps[pair]["where"]))
        print("outliers: " + ", ".join(f"{c}:{k}@{a}-{b}" for c, k, a, b in rep.outliers["where"]))

    segs = [s for c in close for s in c.segments]
    sim = smoothed_noise(segs)
    lag = lag_fit(segs)
    print("\n== The tracker's output noise (raw noise level + replay of its filter), spm + carphone")
    print(f"{'group':8s} {'raw HF':>8s} {'still sigma':>11s} {'tau':>6s} {'all sigma':>10s} {'tau':>6s}   (H per axis, s)")
    for g in list(GROUPS) + ["z:torso", "z:hands"]:
        s, a = sim.get("still", {}).get(g, {}), sim.get("all", {}).get(g, {})
        print(f"{g:8s} {_f(sim['raw'].get(g, float('nan')), '{:.5f}'):>8s} {_f(s.get('sigma', float('nan')), '{:.5f}'):>11s} "
              f"{_f(s.get('tau', float('nan')), '{:.3f}'):>6s} {_f(a.get('sigma', float('nan')), '{:.5f}'):>10s} {_f(a.get('tau', float('nan')), '{:.3f}'):>6s}")
    print(f"check: HF jitter of the replayed noisy output, torso, still: {_f(sim.get('hf_check_torso_still', float('nan')), '{:.5f}')}"
          f" (real output: {_f(reports[1].hf_still.get('torso', float('nan')), '{:.5f}')})")
    print(f"filter lag (first-order time constant, raw -> smoothed, moving frames): {lag:.3f} s")
    print("\n== Read straight off the footage (see vision/synth/noise.py for the defaults made of them)")
    for k, v in derive(sim, lag, reports[1], reports[0]).items():
        print(f"  {k}: {json.dumps(v)}")
    if args.plots:
        for path in plots(args.plots, real, sets):
            print(f"plot: {path}")
    return 0


def height_check(n_clips: int = 48, seed: int = 11) -> tuple[float, float, float]:
    """Quartiles of body_height / the synthesiser's true height at the hips' depth, noise-free clips."""
    from vision.synth.actions import CLASSES
    from vision.synth.camera import frame_camera, random_camera_range, random_view
    from vision.synth.clip import animate, clip_geometry
    from vision.synth.noise import apply_noise
    from vision.synth.skeleton import random_body

    ratios = []
    rng = np.random.default_rng(seed)
    for k in range(n_clips):
        body, habits = random_body(rng), random_camera_range(rng)
        anim = animate(CLASSES[k % len(CLASSES)], body, rng, 60, 30.0)
        view = random_view(rng, habits, 0.0)
        camera, _ = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
        geo = clip_geometry(anim.world, camera, body)
        lm = apply_noise(camera.project(anim.world.points), geo, view.size, 30.0, TrackerNoise.clean(), rng)
        ratios.append(body_height(lm.astype(np.float64)) / geo.person_px)
    q = np.quantile(np.concatenate(ratios), [0.25, 0.5, 0.75])
    return float(q[0]), float(q[1]), float(q[2])


if __name__ == "__main__":
    raise SystemExit(main())

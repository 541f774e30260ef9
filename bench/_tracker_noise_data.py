"""Tracker-noise benchmark: clips and tracked segments, loaded from real footage and synthetic
sets, and the landmark groups every estimator uses (see bench/tracker_noise.py)."""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from vision.data.landmarks import load_sequence
from vision.pose.features import body_height
from vision.synth.noise import TrackerNoise

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
    """One clip: landmarks (T, 33, 4), NaN rows for nobody, and its tracked segments."""

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
    """Every real video under `real_dir`, tracked (cached in `cache`) and cut into segments."""
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
    """Every synthetic clip under `root`, cut into segments."""
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

"""The synthetic body: random proportions and the joint-angle channels that animate it.

Proportions follow anthropometric segment ratios of stature (Drillis & Contini, via Winter's
"Biomechanics and Motor Control of Human Movement"), each scaled by its own random factor, so
no two bodies share limb ratios. Angles are degrees, translations metres.

Channel meanings (body frame: x = own left, y = up, z = facing; right side mirrored):
- `tx`, `tz`: extra root travel on the ground (walking needs none: the stance foot drives it);
  `lift`: height above ground contact (jumps); `yaw`, `pitch`, `roll`: pelvis orientation
  (pitch > 0 leans forward, roll > 0 tilts the top towards the own left).
- `spine_flex` (> 0 bends forward), `spine_side` (> 0 bends towards the own left),
  `spine_twist` (> 0 turns the chest to the own left); `neck_flex` (> 0 looks down),
  `neck_yaw` (> 0 looks to the own left), `neck_side`.
- per side `l_`/`r_`: `sh_el` arm elevation from hanging (90 = horizontal, 180 = overhead, < 0
  behind when `sh_az` is 90), `sh_az` the plane it rises in (0 = sideways, 90 = forward,
  > 90 across the chest), `sh_tw` twist about the upper arm (90 turns a bent forearm up when
  the arm is out sideways), `elbow` flexion, `wrist` flexion; `hip_flex` (> 0 thigh forward),
  `hip_abd` (> 0 outwards), `hip_rot`, `knee` flexion, `ankle` (> 0 toes up).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

SIDES = ("l", "r")
_ROOT = ("tx", "tz", "lift", "yaw", "pitch", "roll")
_TRUNK = ("spine_flex", "spine_side", "spine_twist", "neck_flex", "neck_yaw", "neck_side")
_LIMB = ("sh_el", "sh_az", "sh_tw", "elbow", "wrist", "hip_flex", "hip_abd", "hip_rot", "knee", "ankle")
CHANNELS = _ROOT + _TRUNK + tuple(f"{s}_{c}" for s in SIDES for c in _LIMB)
CHANNEL_INDEX = {name: i for i, name in enumerate(CHANNELS)}

# Relaxed standing: arms hang a little away from the thighs with soft elbows and knees.
NEUTRAL = {"sh_el": 7.0, "elbow": 12.0, "hip_abd": 3.0, "knee": 3.0}


@dataclass(frozen=True)
class BodyShape:
    """Segment lengths in metres (half-widths are centre-to-joint)."""

    height: float
    torso: float  # pelvis centre to the neck base (shoulder level)
    neck: float  # neck base to the head centre
    head_r: float
    shoulder_half: float
    shoulder_drop: float
    hip_half: float
    hip_drop: float
    upper_arm: float
    forearm: float
    hand: float
    thigh: float
    shin: float
    ankle_h: float
    foot_len: float
    # Where BlazePose puts its hip and shoulder landmarks, measured from the joint centres: its
    # hips follow COCO's annotation of the outer hip, lower and wider than the femoral heads,
    # and clothing moves both (the person demo's 2D torso is 1.5 times his thigh; joints give ~1.14).
    hip_mark_drop: float = 0.0
    hip_mark_out: float = 0.0
    shoulder_mark_drop: float = 0.0

    def joints_only(self) -> BodyShape:
        """The same body with its landmarks on the joint centres (for code that measures joints)."""
        return replace(self, hip_mark_drop=0.0, hip_mark_out=0.0, shoulder_mark_drop=0.0)

    @property
    def leg(self) -> float:
        """Hip joint to the sole, standing straight."""
        return self.thigh + self.shin + self.ankle_h


# Fraction of stature per segment and the spread of its own random factor.
_RATIOS = {
    "torso": (0.262, 0.06), "neck": (0.108, 0.06), "head_r": (0.056, 0.08),
    "shoulder_half": (0.112, 0.08), "shoulder_drop": (0.012, 0.3), "hip_half": (0.055, 0.1),
    "hip_drop": (0.028, 0.2), "upper_arm": (0.186, 0.05), "forearm": (0.146, 0.05), "hand": (0.108, 0.06),
    "thigh": (0.245, 0.05), "shin": (0.246, 0.05), "ankle_h": (0.039, 0.1), "foot_len": (0.152, 0.06),
}  # fmt: skip


def random_body(rng: np.random.Generator, height: tuple[float, float] = (1.45, 1.95)) -> BodyShape:
    """A body of uniform random stature with every proportion jittered on its own."""
    h = float(rng.uniform(*height))
    lengths = {k: h * r * float(rng.uniform(1 - s, 1 + s)) for k, (r, s) in _RATIOS.items()}
    return BodyShape(height=h, **lengths)


# The most each BlazePose mark sits off its joint, as a share of the stature (`random_marks`).
MARK_RANGES = {"hip_mark_drop": 0.07, "hip_mark_out": 0.02, "shoulder_mark_drop": 0.03}


def random_marks(rng: np.random.Generator, body: BodyShape) -> BodyShape:
    """`body` with its hip and shoulder landmarks drawn uniformly between the joint and `MARK_RANGES`."""
    return replace(body, **{k: body.height * float(rng.uniform(0, top)) for k, top in MARK_RANGES.items()})


class Pose:
    """Joint-angle trajectories over T frames: one row per channel of `CHANNELS`.

    Starts in the neutral stance; `pose["l_elbow"] = ...` sets a row (broadcast to T).
    """

    def __init__(self, n_frames: int) -> None:
        self.values = np.zeros((len(CHANNELS), n_frames))  # (C, T): rows are contiguous views
        self.info: dict[str, str | int | float | bool] = {}  # the variant a generator chose (for meta)
        self.momentum = False  # True: a flight keeps the ground speed (running); else it lands where it took off
        self.planted = False  # True: legs and pelvis tilt solved from planned footsteps (footwork): no personal offsets there
        self.tremor = 1.0  # scale of the personal joint tremor (a still person trembles less)
        self.held: set[str] = set()  # channels of a hand put on a point (a table, a pocket): no personal offsets there
        for side in SIDES:
            for name, value in NEUTRAL.items():
                self.values[CHANNEL_INDEX[f"{side}_{name}"]] = value

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[CHANNEL_INDEX[name]]

    def __setitem__(self, name: str, value: np.ndarray | float) -> None:
        self.values[CHANNEL_INDEX[name]] = value

    def blend_from_neutral(self, weight: np.ndarray) -> None:
        """Mix towards the neutral stance: weight 1 keeps the motion, 0 stands neutral (root travel kept)."""
        neutral = Pose(self.values.shape[1]).values
        keep = np.array([c in ("tx", "tz", "yaw") for c in CHANNELS])
        mixed = neutral + weight * (self.values - neutral)
        self.values = np.where(keep[:, None], self.values, mixed)

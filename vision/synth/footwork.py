"""Planned footsteps -> leg angles: feet put down where the plan says and kept still while they bear weight.

A plan lists, per foot, where it stands (ankle over the ground, yaw) and when: stance k from
`land[k]` to `off[k]`, a swing to stance k + 1 in between. A stance foot rolls: it lands on the
heel (forward steps, toes up) or the toes (backward steps, toes down) and rotates down about
that point, and it leaves by rotating up about the toes (push-off) or the heel (backward). The
pivot is always the sole point on the ground, so a stance foot never slides. The pelvis path
comes from the plan (the mid-point of the feet, smoothed over a step) or from the caller (idle
sway over planted feet); its height is the highest the legs allow. Legs are then solved by
inverse kinematics (hip flexion, abduction and rotation, knee) for the skeleton's own joint
order, so forward kinematics puts each ankle back on its planned point.

Travel is not animated: `kinematics` still moves the body by the sole points in contact, which
here stay put, so the body travels exactly as planned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vision.synth.geometry import rx, ry, rz, smoothstep
from vision.synth.skeleton import SIDES, BodyShape, Pose

_SIGN = {"l": 1, "r": -1}
_HEIGHT_SOFTNESS = 0.006  # m: the pelvis height is a soft minimum over what each leg allows


def _foot_points(body: BodyShape, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Heel and toe (foot index) offsets from the ankle in the foot's frame (kinematics' landmarks)."""
    a, f = body.ankle_h, body.foot_len
    return np.array([0.0, -0.85 * a, -0.25 * f]), np.array([s * 0.01 * f, -a, 0.72 * f])


def level_pitch(body: BodyShape) -> float:
    """Degrees of toes-up pitch at which heel and toe touch the ground together (flat is toe-only)."""
    return float(np.rad2deg(np.arctan2(0.15 * body.ankle_h, 0.97 * body.foot_len)))


def minimum_jerk(u: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero velocity and acceleration at both ends (a reaching foot or hand)."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10 - 15 * u + 6 * u * u)


@dataclass
class FootPlan:
    """One foot's stances. Pitch is degrees, > 0 toes down; positions are the flat-foot ankle over the ground."""

    land: list[float] = field(default_factory=list)
    off: list[float] = field(default_factory=list)
    pos: list[tuple[float, float]] = field(default_factory=list)  # (x, z) metres
    yaw: list[float] = field(default_factory=list)  # degrees, the body's yaw convention
    land_pitch: list[float] = field(default_factory=list)  # at touch-down, rolled out over `load`
    off_pitch: list[float] = field(default_factory=list)  # at lift-off, rolled in over `push`
    load: list[float] = field(default_factory=list)  # seconds
    push: list[float] = field(default_factory=list)
    lift: list[float] = field(default_factory=list)  # m: ankle clearance of the swing that ends at stance k

    def stand(self, land: float, off: float, pos: tuple[float, float], yaw: float, *, land_pitch: float = 0.0,
              off_pitch: float = 0.0, load: float = 0.12, push: float = 0.15, lift: float = 0.05) -> None:
        """Append a stance; a stance at the same place as the last one (and touching it in time) extends it."""
        if self.pos and np.hypot(pos[0] - self.pos[-1][0], pos[1] - self.pos[-1][1]) < 0.02 and abs(yaw - self.yaw[-1]) < 3:
            self.off[-1], self.off_pitch[-1], self.push[-1] = off, off_pitch, push
            return
        for name, value in (("land", land), ("off", off), ("pos", pos), ("yaw", yaw), ("land_pitch", land_pitch),
                            ("off_pitch", off_pitch), ("load", load), ("push", push), ("lift", lift)):
            getattr(self, name).append(value)


@dataclass(frozen=True)
class FootTrack:
    """A foot evaluated per frame."""

    ankle: np.ndarray  # (T, 3) world, y up
    yaw: np.ndarray  # (T,) degrees
    pitch: np.ndarray  # (T,) degrees, > 0 toes down
    ref: np.ndarray  # (T, 2) where the foot stands (or is heading, mid-swing): the pelvis follows these
    stance: np.ndarray  # (T,) bool


def _rot(yaw: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    return ry(np.deg2rad(yaw)) @ rx(np.deg2rad(pitch))


def _ankle_on_ground(body: BodyShape, s: int, pos: np.ndarray, yaw: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """(T, 3) ankle of a foot standing at `pos` (T, 2), rolled by `pitch` about its heel or toe point."""
    heel, toe = _foot_points(body, s)
    flat_yaw = ry(np.deg2rad(yaw))
    ankle_flat = np.stack([pos[:, 0], np.full(len(pos), body.ankle_h), pos[:, 1]], 1)
    toe_ground = ankle_flat + flat_yaw @ toe
    level = np.deg2rad(-level_pitch(body))
    heel_ground = toe_ground + flat_yaw @ (rx(np.array(level)) @ (heel - toe))
    r = _rot(yaw, pitch)
    on_toe = pitch >= -level_pitch(body)
    return np.where(on_toe[:, None], toe_ground - r @ toe, heel_ground - r @ heel)


def track_foot(plan: FootPlan, body: BodyShape, side: str, t: np.ndarray) -> FootTrack:
    """Evaluate `plan` at times `t`: stance k rolls in place, the swing to k + 1 travels and lifts."""
    s = _SIGN[side]
    n, k_count = len(t), len(plan.land)
    land, off = np.asarray(plan.land), np.asarray(plan.off)
    pos, yaw = np.asarray(plan.pos, float).reshape(-1, 2), np.asarray(plan.yaw, float)
    land_pitch, off_pitch = np.array(plan.land_pitch, float), np.array(plan.off_pitch, float)
    land_pitch[0] = off_pitch[-1] = 0.0  # the first stance never landed, the last never lifts off
    # The stance each frame belongs to, or the swing after it.
    k = np.clip(np.searchsorted(land, t, side="right") - 1, 0, k_count - 1)
    stance = (t >= land[k]) & (t <= off[k]) | (t < land[0])
    k = np.where(t < land[0], 0, k)
    pitch = np.zeros(n)
    for i in range(k_count):  # stance rolls: land pitch eased out over `load`, off pitch eased in over `push`
        span = max(off[i] - land[i], 1e-6)
        load, push = min(plan.load[i], 0.45 * span), min(plan.push[i], 0.45 * span)
        rolled = land_pitch[i] * (1 - smoothstep((t - land[i]) / max(load, 1e-6)))
        rolled += off_pitch[i] * smoothstep((t - (off[i] - push)) / max(push, 1e-6))
        pitch = np.where(stance & (k == i), rolled, pitch)
    ankle = _ankle_on_ground(body, s, pos[k], yaw[k], pitch)
    ref = pos[k].copy()
    out_yaw = yaw[k].copy()
    swing = ~stance & (k < k_count - 1)
    if swing.any():
        i = k[swing]
        u = (t[swing] - off[i]) / np.maximum(land[i + 1] - off[i], 1e-6)
        m = minimum_jerk(u)
        start = _ankle_on_ground(body, s, pos[i], yaw[i], off_pitch[i])
        end = _ankle_on_ground(body, s, pos[i + 1], yaw[i + 1], land_pitch[i + 1])
        lift = np.asarray(plan.lift)[i + 1] * np.sin(np.pi * np.clip(u, 0, 1)) ** 0.8
        ankle[swing] = start + (end - start) * m[:, None]
        ankle[swing, 1] += lift
        pitch[swing] = off_pitch[i] + (land_pitch[i + 1] - off_pitch[i]) * m
        out_yaw[swing] = yaw[i] + (yaw[i + 1] - yaw[i]) * m
        ref[swing] = pos[i] + (pos[i + 1] - pos[i]) * m[:, None]
    after = (t > off[-1])  # the plan ends standing: keep the last stance
    stance = stance | after
    return FootTrack(ankle, out_yaw, pitch, ref, stance)


def box_smooth(x: np.ndarray, frames: int) -> np.ndarray:
    """Centred moving average over `frames` along axis 0 (edges held): one step period cancels the step rhythm."""
    frames = max(int(frames), 1)
    if frames == 1:
        return x
    lo, hi = frames // 2, frames - frames // 2 - 1
    padded = np.concatenate([np.repeat(x[:1], lo + 1, 0), x, np.repeat(x[-1:], hi, 0)], 0)
    c = np.cumsum(padded, 0)
    return (c[frames:] - c[:-frames]) / frames


def _leg_ik(d: np.ndarray, thigh: float, shin: float, turn: np.ndarray, s: int) -> dict[str, np.ndarray]:
    """Hip flexion, abduction, rotation and knee (degrees) putting the ankle at `d` (T, 3) from the hip, pelvis frame.

    The skeleton's hip is rz(s * abd) @ rx(-flex) @ ry(s * rot), the knee rx(knee): the rotation
    turns the foot by `turn` (degrees, > 0 towards the own left) about the thigh, so the knee
    bends in the turned plane; flexion and abduction then aim the leg.
    """
    reach = np.linalg.norm(d, axis=1)
    top = (thigh + shin) * 0.99999
    scale = np.minimum(1.0, top / np.maximum(reach, 1e-9))
    d = d * scale[:, None]
    dist = np.minimum(reach, top)
    cos_k = (dist**2 - thigh**2 - shin**2) / (2 * thigh * shin)
    knee = np.arccos(np.clip(cos_k, -1.0, 1.0))
    a = np.deg2rad(turn)
    big_y, big_z = -thigh - shin * np.cos(knee), -shin * np.sin(knee)  # ankle in the thigh's frame before the turn
    c0 = big_z * np.sin(a)  # the turn moves the bent shin sideways
    y1 = -np.sqrt(np.maximum(d[:, 0] ** 2 + d[:, 1] ** 2 - c0**2, 0.0))
    theta = np.arctan2(d[:, 1], d[:, 0]) - np.arctan2(y1, c0)
    theta = (theta + np.pi) % (2 * np.pi) - np.pi
    flex = np.arctan2(d[:, 2], -y1) - np.arctan2(big_z * np.cos(a), -big_y)
    return {"hip_flex": np.rad2deg(flex), "hip_abd": s * np.rad2deg(theta), "hip_rot": s * turn, "knee": np.rad2deg(knee)}


def solve_legs(pose: Pose, body: BodyShape, feet: dict[str, FootTrack], pelvis_xz: np.ndarray, knee_bend: float = 5.0,
               sl: slice = slice(None), softness: float = _HEIGHT_SOFTNESS) -> np.ndarray:
    """Set the legs of `pose` (and mark it planted) so its ankles follow `feet` under a pelvis at `pelvis_xz`.

    `pose["yaw"]`, `pose["pitch"]` and `pose["roll"]` must already hold the pelvis orientation;
    the tracks may be longer than the pose (evaluated on a padded time grid): `sl` picks the
    pose's frames. The pelvis height is the highest the legs reach with the knees bent at least
    `knee_bend` degrees, a soft minimum over the two legs (`softness` m: walking hands the
    support over smoothly; standing wants it small, since a few millimetres lower bend straight
    knees by degrees). Returns the pelvis centre (T, 3) in world metres.
    """
    d = np.deg2rad
    yaw, pitch, roll = pose["yaw"], pose["pitch"], pose["roll"]
    rot = ry(d(yaw)) @ rx(d(pitch)) @ rz(-d(roll))  # (T, 3, 3) as in kinematics
    ankles = {s: feet[s].ankle[sl] for s in SIDES}
    xz = pelvis_xz[sl]
    thigh, shin = body.thigh, body.shin
    reach = np.sqrt(thigh**2 + shin**2 + 2 * thigh * shin * np.cos(d(knee_bend)))
    hips, allowed = {}, []
    for s in SIDES:
        hip = rot @ np.array([_SIGN[s] * body.hip_half, -body.hip_drop, 0.0])  # (T, 3) from the pelvis centre
        hips[s] = hip
        across = np.hypot(xz[:, 0] + hip[:, 0] - ankles[s][:, 0], xz[:, 1] + hip[:, 2] - ankles[s][:, 2])
        allowed.append(ankles[s][:, 1] + np.sqrt(np.maximum(reach**2 - across**2, 0.04 * reach**2)) - hip[:, 1])
    allowed_arr = np.stack(allowed)
    low = allowed_arr.min(0)
    height = low - softness * np.log(np.exp(-(allowed_arr - low) / softness).sum(0))
    centre = np.stack([xz[:, 0], height, xz[:, 1]], 1)
    for s in SIDES:
        to_ankle = np.einsum("tji,tj->ti", rot, ankles[s] - (centre + hips[s]))  # pelvis frame
        for name, value in _aim_leg(rot, to_ankle, thigh, shin, feet[s].yaw[sl], feet[s].pitch[sl], yaw, _SIGN[s]).items():
            pose[f"{s}_{name}"] = value
        # The clip adds knee - hip_flex + pitch to every ankle (a flat foot for hand-made poses): take it off.
        pose[f"{s}_ankle"] -= pose[f"{s}_knee"] - pose[f"{s}_hip_flex"] + pose["pitch"]
    pose.planted = True
    return centre


def _aim_leg(pelvis: np.ndarray, to_ankle: np.ndarray, thigh: float, shin: float, foot_yaw: np.ndarray,
             foot_pitch: np.ndarray, pelvis_yaw: np.ndarray, s: int) -> dict[str, np.ndarray]:
    """Leg angles that put the ankle at `to_ankle` and turn the foot to `foot_yaw` and `foot_pitch` (world, degrees).

    The hip rotation turns the foot about the thigh, which is not vertical, so the foot's yaw is
    not the rotation itself: a few fixed-point steps on the yaw error. The ankle then sets the
    pitch. What is left is a small roll of the foot about its own length, which moves neither
    heel nor toe off the ground.
    """
    d = np.deg2rad
    turn = foot_yaw - pelvis_yaw
    pitch = d(foot_pitch)
    for _ in range(3):
        legs = _leg_ik(to_ankle, thigh, shin, turn, s)
        shank = pelvis @ rz(d(s * legs["hip_abd"])) @ rx(-d(legs["hip_flex"])) @ ry(d(turn)) @ rx(d(legs["knee"]))
        m11, m12 = shank[:, 1, 1], shank[:, 1, 2]
        reach = np.maximum(np.hypot(m11, m12), 1e-6)
        ankle = np.arcsin(np.clip(-np.sin(pitch) / reach, -1, 1)) - np.arctan2(m12, m11)
        forward = shank @ np.stack([np.zeros_like(ankle), np.sin(ankle), np.cos(ankle)], 1)[..., None]
        actual = np.rad2deg(np.arctan2(forward[:, 0, 0], forward[:, 2, 0]))
        turn = turn + (foot_yaw - actual + 180) % 360 - 180
    legs["ankle"] = np.rad2deg(ankle)
    return legs

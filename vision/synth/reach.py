"""Arm inverse kinematics: put a wrist on a point (a table, a pocket, the other arm) and read off the arm channels.

Everyday postures are easier to say as where the hands are than as joint angles: hands resting on
a counter stay where they are while the body sways over its feet, a hand in a pocket follows the
hip, a phone is held a forearm's length in front of the chest. `Torso` measures the trunk of a
pose (forward kinematics with the arms left as they are: they move nothing else), and `reach`
turns wrist targets into `sh_el`, `sh_az`, `sh_tw`, `elbow` (and `wrist`, to point the hand) for
the skeleton's own joint order (see `kinematics`).

Frames: "chest axes" are the chest's own (x the person's left, y up, z forward); a target is
given relative to that arm's shoulder. The right arm is the mirror image of the left (kinematics
mirrors every angle), so it is solved as a left arm with x negated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.geometry import rx, ry, rz
from vision.synth.kinematics import forward_kinematics
from vision.synth.skeleton import SIDES, BodyShape, Pose

_MIRROR = np.array([-1.0, 1.0, 1.0])
_SHOULDER = {"l": 11, "r": 12}
_HIP = {"l": 23, "r": 24}
ARM_CHANNELS = ("sh_el", "sh_az", "sh_tw", "elbow", "wrist")


def _mirror(side: str) -> np.ndarray:
    return _MIRROR if side == "r" else np.ones(3)


@dataclass(frozen=True)
class Torso:
    """The trunk of a pose per frame, in the world the clip is rendered in (feet planted: fixed ground axes)."""

    chest: np.ndarray  # (T, 3, 3) chest axes in world
    pelvis: np.ndarray  # (T, 3, 3)
    shoulder: dict[str, np.ndarray]  # side -> (T, 3) shoulder joint
    hip: dict[str, np.ndarray]  # side -> (T, 3) hip joint
    head: np.ndarray  # (T, 3) centre of the head
    head_axes: np.ndarray  # (T, 3, 3)
    points: np.ndarray  # (T, 33, 3) the landmarks (arms as they were when measured)

    def to_shoulder(self, side: str, world: np.ndarray) -> np.ndarray:
        """(T, 3) world points -> relative to that shoulder in chest axes."""
        return np.einsum("tji,tj->ti", self.chest, world - self.shoulder[side])

    def from_chest(self, side: str, offset: np.ndarray) -> np.ndarray:
        """(T, 3) or (3,) offsets from that shoulder in chest axes -> world points."""
        return self.shoulder[side] + np.einsum("tij,tj->ti", self.chest, np.broadcast_to(offset, self.shoulder[side].shape))

    def from_pelvis(self, side: str, offset: np.ndarray) -> np.ndarray:
        """Offsets (x outwards on `side`, y up, z forward) from that hip joint in pelvis axes -> world points."""
        off = np.broadcast_to(np.asarray(offset, float) * _mirror(side), self.hip[side].shape)
        return self.hip[side] + np.einsum("tij,tj->ti", self.pelvis, off)

    def from_head(self, offset: np.ndarray) -> np.ndarray:
        """Offsets from the head's centre in head axes -> world points."""
        return self.head + np.einsum("tij,tj->ti", self.head_axes, np.broadcast_to(offset, self.head.shape))


def measure_torso(body: BodyShape, pose: Pose, fps: float) -> Torso:
    """The trunk `pose` puts the body in, as `clip.animate` will render it (its flat-foot ankle rule included).

    The arms do not matter (nothing else hangs on them). `points` has the shoulder and hip
    landmarks on the joint centres (`BodyShape.joints_only`). Personal posture offsets, added after the
    generator, tilt the chest by a few degrees more: a hand held on a point moves with it, once.
    """
    q = Pose(pose.values.shape[1])
    q.values = pose.values.copy()
    q.planted = pose.planted
    for s in SIDES:
        q[f"{s}_ankle"] += q[f"{s}_knee"] - q[f"{s}_hip_flex"] + q["pitch"]
    points = forward_kinematics(body.joints_only(), q, 30.0).points  # shoulders and hips on the joints
    d = np.deg2rad
    pelvis = ry(d(q["yaw"])) @ rx(d(q["pitch"])) @ rz(-d(q["roll"]))
    half = ry(d(q["spine_twist"] / 2)) @ rx(d(q["spine_flex"] / 2)) @ rz(-d(q["spine_side"] / 2))
    chest = pelvis @ half @ half
    head_axes = chest @ ry(d(q["neck_yaw"])) @ rx(d(q["neck_flex"])) @ rz(-d(q["neck_side"]))
    shoulder = {s: points[:, _SHOULDER[s]] for s in SIDES}
    neck = (shoulder["l"] + shoulder["r"]) / 2 - chest @ np.array([0.0, -body.shoulder_drop, -0.01 * body.height])
    head = neck + head_axes @ np.array([0.0, body.neck, 0.0])
    return Torso(chest, pelvis, shoulder, {s: points[:, _HIP[s]] for s in SIDES}, head, head_axes, points)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def solve_arm(body: BodyShape, side: str, target: np.ndarray, pole: np.ndarray,
              hand: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Arm channels (degrees, (T,)) putting the wrist at `target` (T, 3), from the shoulder in chest axes.

    `pole` (3,) or (T, 3), chest axes with x outwards on `side`: the direction the elbow points
    (down and a little out and back for a relaxed arm). A target out of reach is approached with
    the arm straight. `hand` (chest axes, x outwards): where the hand should point (flat on a
    table: forward; holding a phone: up); else it continues the forearm.
    """
    m = _mirror(side)
    w = np.atleast_2d(np.asarray(target, float)) * m  # as a left arm
    u, f = body.upper_arm, body.forearm
    dist = np.linalg.norm(w, axis=1)
    reach = np.clip(dist, abs(u - f) + 1e-3, 0.999 * (u + f))
    a = w / np.maximum(dist, 1e-9)[:, None]
    w = a * reach[:, None]
    cos_sh = (u * u + reach * reach - f * f) / (2 * u * reach)
    along, radius = u * cos_sh, u * np.sqrt(np.maximum(1 - cos_sh**2, 0.0))
    pole = np.broadcast_to(np.asarray(pole, float), w.shape)
    perp = pole - (pole * a).sum(1, keepdims=True) * a
    fallback = np.cross(a, [1.0, 0.0, 0.0])  # a pole along the arm: any perpendicular will do
    weak = np.linalg.norm(perp, axis=1) < 1e-6
    perp = _unit(np.where(weak[:, None], fallback, perp))
    elbow_pos = a * along[:, None] + perp * radius[:, None]
    d = elbow_pos / u
    el = np.arccos(np.clip(-d[:, 1], -1, 1))
    az = np.unwrap(np.arctan2(d[:, 2], d[:, 0]))
    r0 = ry(-az) @ rz(el)
    fore = np.einsum("tji,tj->ti", r0, _unit(w - elbow_pos))  # forearm in the upper arm's frame
    k = np.arccos(np.clip(-fore[:, 1], -1, 1))
    tw = np.unwrap(np.arctan2(fore[:, 0], fore[:, 2]))
    # Keep the twist near the plane the arm rises in (the same gauge as the hand-written postures).
    tw = tw - 2 * np.pi * np.round(tw / (2 * np.pi))[0]
    az = az - 2 * np.pi * np.round((az - np.pi / 2) / (2 * np.pi))[0]
    out = {"sh_el": np.rad2deg(el), "sh_az": np.rad2deg(az), "sh_tw": np.rad2deg(tw), "elbow": np.rad2deg(k)}
    if hand is None:
        out["wrist"] = np.zeros(len(w))
    else:
        h = np.broadcast_to(np.asarray(hand, float), w.shape)
        local = np.einsum("tji,tj->ti", r0 @ ry(tw), _unit(h))
        bend = np.arctan2(local[:, 2], -local[:, 1])
        out["wrist"] = np.clip(np.rad2deg(np.unwrap(bend) - k), -60.0, 70.0)
    return out


def arm_points(body: BodyShape, side: str, angles: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(elbow, wrist) (T, 3) from the shoulder in chest axes for `angles` (the forward kinematics of one arm)."""
    d = np.deg2rad
    s = 1 if side == "l" else -1
    el, az, tw, k = (np.asarray(angles[c], float) for c in ("sh_el", "sh_az", "sh_tw", "elbow"))
    shape = np.broadcast_shapes(el.shape, az.shape, tw.shape, k.shape)
    el, az, tw, k = (np.broadcast_to(x, shape) for x in (el, az, tw, k))
    r = ry(-s * d(az)) @ rz(s * d(el)) @ ry(s * d(tw))
    elbow = r @ np.array([0.0, -body.upper_arm, 0.0])
    wrist = elbow + (r @ rx(-d(k))) @ np.array([0.0, -body.forearm, 0.0])
    return elbow, wrist

"""Forward kinematics: joint angles + body shape -> the 33 BlazePose points in world metres.

The root is placed from the feet, not animated directly: every frame the lowest foot point
touches the ground (plus `lift` for jumps), and the feet's horizontal motion relative to the
pelvis is cancelled by the foot in contact, so stance feet do not slide and walking travels
by exactly its stride. Marching in place travels nowhere; a squat stays over its feet.
Poses solved from planned footsteps (`footwork`, `Pose.planted`) keep their feet still by
construction; their contact choice is sharper, so a foot swinging just above the ground does
not drag the body.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.geometry import rx, ry, rz
from vision.synth.skeleton import BodyShape, Pose
from vision.synth.topology import MIRROR

CONTACT_SOFTNESS = 0.008  # m: a sole point this much above the lowest still shares the support
PLANTED_SOFTNESS = 0.002  # m: the same for planned footsteps, whose feet stand still by construction


@dataclass(frozen=True)
class World:
    """Animated body in world metres (y up, ground at y = 0)."""

    points: np.ndarray  # (T, 33, 3) BlazePose landmarks
    chest_left: np.ndarray  # (T, 3) unit: the own-left axis of the chest (arms' side)
    pelvis_left: np.ndarray  # (T, 3) unit: the own-left axis of the pelvis (legs' side)
    head_forward: np.ndarray  # (T, 3) unit: where the face points


def _arm(el: np.ndarray, az: np.ndarray, tw: np.ndarray, s: int) -> np.ndarray:
    # Twist about the hanging arm, raise in the frontal plane, then swing that plane forward.
    return ry(-s * az) @ rz(s * el) @ ry(s * tw)


def _hip(flex: np.ndarray, abd: np.ndarray, rot: np.ndarray, s: int) -> np.ndarray:
    return rz(s * abd) @ rx(-flex) @ ry(s * rot)


def _landmark_offsets(b: BodyShape) -> tuple[list[str], np.ndarray]:
    """Per landmark: the frame it rides on and its offset in that frame (left side; right mirrored)."""
    r, hl, a, f = b.head_r, b.hand, b.ankle_h, b.foot_len
    head = lambda x, y, z: ("head", (x * r, b.neck + y * r, z * r))
    left = {
        0: head(0.0, -0.12, 1.05),
        1: head(0.2, 0.12, 0.92), 2: head(0.36, 0.13, 0.86), 3: head(0.5, 0.12, 0.78),
        7: head(0.95, 0.02, 0.0), 9: head(0.25, -0.5, 0.86),
        # shoulders and hips where BlazePose marks them (BodyShape's *_mark_*: 0 puts them on the joints)
        11: ("chest", (b.shoulder_half, -b.shoulder_drop - b.shoulder_mark_drop, -0.01 * b.height)),
        13: ("l_elbow", (0, 0, 0)), 15: ("l_wrist", (0, 0, 0)),
        # BlazePose's hand points are knuckles: palm towards the thigh, thumb forward.
        17: ("l_wrist", (-0.04 * hl, -0.42 * hl, -0.14 * hl)),
        19: ("l_wrist", (-0.04 * hl, -0.48 * hl, 0.14 * hl)),
        21: ("l_wrist", (-0.02 * hl, -0.30 * hl, 0.25 * hl)),
        23: ("l_hip", (b.hip_mark_out, -b.hip_mark_drop, 0)), 25: ("l_knee", (0, 0, 0)), 27: ("l_ankle", (0, 0, 0)),
        29: ("l_ankle", (0, -0.85 * a, -0.25 * f)), 31: ("l_ankle", (0.01 * f, -a, 0.72 * f)),
    }  # fmt: skip
    frames, offsets = [], np.zeros((33, 3))
    for i in range(33):
        src = i if i in left else int(MIRROR[i])
        frame, off = left[src]
        if src != i:  # the mirror image of a left point: flip x and the frame's side
            frame, off = frame.replace("l_", "r_"), (-off[0], off[1], off[2])
        frames.append(frame)
        offsets[i] = off
    return frames, offsets


def forward_kinematics(body: BodyShape, pose: Pose, fps: float) -> World:
    """Animate `body` by `pose` (frames at `fps`); returns world landmarks with the feet on the ground."""
    d = np.deg2rad
    n = pose.values.shape[1]
    eye = np.broadcast_to(np.eye(3), (n, 3, 3))
    frame_rot: dict[str, np.ndarray] = {}
    frame_pos: dict[str, np.ndarray] = {}

    def put(name: str, parent: str | None, offset: tuple[float, float, float], local: np.ndarray) -> None:
        pr = frame_rot[parent] if parent else eye
        pp = frame_pos[parent] if parent else np.zeros((n, 3))
        frame_pos[name] = pp + pr @ np.asarray(offset, float)
        frame_rot[name] = pr @ local

    put("pelvis", None, (0, 0, 0), ry(d(pose["yaw"])) @ rx(d(pose["pitch"])) @ rz(-d(pose["roll"])))
    half_spine = ry(d(pose["spine_twist"] / 2)) @ rx(d(pose["spine_flex"] / 2)) @ rz(-d(pose["spine_side"] / 2))
    put("waist", "pelvis", (0, 0.45 * body.torso, 0), half_spine)
    put("chest", "waist", (0, 0.55 * body.torso, 0), half_spine)
    put("head", "chest", (0, 0, 0), ry(d(pose["neck_yaw"])) @ rx(d(pose["neck_flex"])) @ rz(-d(pose["neck_side"])))
    for side, s in (("l", 1), ("r", -1)):
        def c(name: str, side: str = side) -> np.ndarray:
            return d(pose[f"{side}_{name}"])

        put(f"{side}_shoulder", "chest", (s * body.shoulder_half, -body.shoulder_drop, -0.01 * body.height),
            _arm(c("sh_el"), c("sh_az"), c("sh_tw"), s))
        put(f"{side}_elbow", f"{side}_shoulder", (0, -body.upper_arm, 0), rx(-c("elbow")))
        put(f"{side}_wrist", f"{side}_elbow", (0, -body.forearm, 0), rx(-c("wrist")))
        put(f"{side}_hip", "pelvis", (s * body.hip_half, -body.hip_drop, 0), _hip(c("hip_flex"), c("hip_abd"), c("hip_rot"), s))
        put(f"{side}_knee", f"{side}_hip", (0, -body.thigh, 0), rx(c("knee")))
        put(f"{side}_ankle", f"{side}_knee", (0, -body.shin, 0), rx(-c("ankle")))

    names, offsets = _landmark_offsets(body)
    rot = np.stack([frame_rot[f] for f in names], 1)  # (T, 33, 3, 3)
    pos = np.stack([frame_pos[f] for f in names], 1)  # (T, 33, 3)
    points = pos + np.einsum("tkij,kj->tki", rot, offsets)
    points = _stand_on_feet(points, pose, fps)
    return World(points, frame_rot["chest"][:, :, 0], frame_rot["pelvis"][:, :, 0], frame_rot["head"][:, :, 2])


_SOLES = np.array([29, 31, 30, 32])  # heels and toes: the points that touch the ground
AIRBORNE = 0.005  # m of `lift` above which the body is in flight
MOMENTUM_S = 0.4  # s of ground contact whose mean velocity a flight keeps


def _stand_on_feet(points: np.ndarray, pose: Pose, fps: float) -> np.ndarray:
    """Put the lowest sole point on the ground and let the points in contact drive the travel."""
    soles = points[:, _SOLES]  # (T, 4, 3)
    ground = soles[..., 1].min(1)  # (T,)
    # Soft choice of the contact points (heel strike, flat foot, toe-off, either foot), so the
    # support can change hands without a jump in velocity.
    # Planned footsteps (pose.planted) put their feet down with no speed left: a harder choice
    # keeps a swinging foot just above the ground from dragging the body along.
    softness = PLANTED_SOFTNESS if pose.planted else CONTACT_SOFTNESS
    w = np.exp(-(soles[..., 1] - ground[:, None]) / softness)
    w /= w.sum(1, keepdims=True)
    step = np.diff(soles[..., [0, 2]], axis=0)  # (T-1, 4, 2) sole motion relative to the pelvis
    velocity = -(0.5 * (w[1:] + w[:-1])[..., None] * step).sum(1)  # (T-1, 2)
    # In flight nothing pushes: keep the last velocity the ground gave.
    # In flight nothing pushes: a runner keeps the mean velocity of its last MOMENTUM_S on the
    # ground, a jump in place lands where it took off.
    on_ground = pose["lift"][1:] <= AIRBORNE  # (T-1,)
    window = max(1, round(MOMENTUM_S * fps))
    sums = np.cumsum(np.concatenate([np.zeros((1, 2)), velocity * on_ground[:, None]]), 0)  # (T, 2)
    counts = np.cumsum(np.concatenate([[0], on_ground]))
    lo = np.maximum(np.arange(1, len(sums)) - window, 0)
    hi = np.arange(1, len(sums))
    mean = (sums[hi] - sums[lo]) / np.maximum(counts[hi] - counts[lo], 1)[:, None]  # (T-1, 2)
    last = np.maximum.accumulate(np.where(on_ground, np.arange(len(velocity)), -1))
    carried = np.where((last >= 0)[:, None] & pose.momentum, mean[np.maximum(last, 0)], 0.0)
    velocity = np.where(on_ground[:, None], velocity, carried)
    travel = np.concatenate([np.zeros((1, 2)), np.cumsum(velocity, 0)])  # (T, 2)
    # Start with the feet centred under the nominal root (tx, tz).
    travel += np.stack([pose["tx"], pose["tz"]], 1) - soles[0][:, [0, 2]].mean(0)
    out = points.copy()
    out[:, :, 0] += travel[:, None, 0]
    out[:, :, 2] += travel[:, None, 1]
    out[:, :, 1] += (pose["lift"] - ground)[:, None]
    return out

"""Putting a hand somewhere for an everyday posture (see `everyday`): ground and chest axes,
a wrist on a world point by arm inverse kinematics, small hand motions, and what an arm not
doing anything does (hanging, in a pocket, on the hip or the thigh)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vision.synth.geometry import smooth_noise
from vision.synth.motion import MotionContext, pulse
from vision.synth.posture import SEATED, Angles, rest_angles
from vision.synth.reach import ARM_CHANNELS, Torso, solve_arm


def _scale(ctx: MotionContext) -> float:
    return ctx.body.height / 1.7


def _sign(side: str) -> float:
    return 1.0 if side == "l" else -1.0


def _other(side: str) -> str:
    return "r" if side == "l" else "l"


def _const(n: int, values: dict[str, float]) -> Angles:
    return {c: np.full(n, float(values.get(c, 0.0))) for c in ARM_CHANNELS}


def _axes(torso: Torso) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground axes at the middle of the clip: the facing, the own left (both horizontal) and up."""
    mid = len(torso.chest) // 2
    fwd = torso.chest[mid, :, 2].copy()
    fwd[1] = 0.0
    fwd /= max(float(np.linalg.norm(fwd)), 1e-9)
    return fwd, np.array([fwd[2], 0.0, -fwd[0]]), np.array([0.0, 1.0, 0.0])


def _reach(ctx: MotionContext, torso: Torso, side: str, world: np.ndarray, pole, hand=None) -> Angles:
    """Arm channels putting the wrist on world points (T, 3) (or one point)."""
    target = torso.to_shoulder(side, np.broadcast_to(world, torso.shoulder[side].shape))
    return solve_arm(ctx.body, side, target, np.asarray(pole, float), None if hand is None else np.asarray(hand, float))


def _chest_target(side: str, out: float, y: float, z: float) -> np.ndarray:
    """An offset from `side`'s shoulder in chest axes with x outwards (< 0: towards the midline and past it)."""
    return np.array([_sign(side) * out, y, z])


def _bursts(ctx: MotionContext, on: tuple[float, float], off: tuple[float, float], share: float = 0.6) -> np.ndarray:
    """(T,) 0..1: spells of activity of `on` seconds separated by pauses of `off` seconds (eased)."""
    t = ctx.t
    out = np.zeros(ctx.n)
    clock = float(t[0]) - ctx.u(0, on[1] + off[1])
    active = ctx.chance(share)
    while clock <= t[-1]:
        length = ctx.u(*(on if active else off))
        if active:
            out = np.maximum(out, pulse(t, clock, min(0.15, length / 3), max(length - 0.3, 0.0), min(0.15, length / 3)))
        clock += length
        active = not active
    return out


def _wiggle(ctx: MotionContext, amp: float, freq: float, axes: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> np.ndarray:
    """(T, 3) smooth irregular motion of about `amp` metres per axis at up to `freq` Hz."""
    return amp * smooth_noise(ctx.rng, ctx.t, freq, n=3).T * np.asarray(axes)


# --- free arms: what the hand not doing anything does ---

def _free_arm(ctx: MotionContext, side: str, stance: str) -> tuple[str, Callable[[Torso], Angles], bool]:
    """(name, build, held) of an arm at rest: hanging, in a pocket, on the hip, on the thigh (seated)."""
    if stance == SEATED:
        if ctx.chance(0.5):
            return "hanging", _resting(ctx.n, rest_angles(ctx, "hanging")), False
        return "on_thigh", _on_thigh(ctx, side), True
    pick = ctx.rng.choice(4, p=[0.6, 0.2, 0.12, 0.08])
    if pick == 1:
        return "pocket", _pocket(ctx, side, front=ctx.chance(0.8)), True
    if pick == 2:
        return "on_hip", _on_hip(ctx, side), True
    name = ("hanging", "", "", "behind_back")[pick]
    return name, _resting(ctx.n, rest_angles(ctx, name)), False


def _resting(n: int, angles: dict[str, float]) -> Callable[[Torso], Angles]:
    """An arm held in fixed angles (drawn already), whatever the trunk does."""
    return lambda torso: _const(n, angles)


def _pocket(ctx: MotionContext, side: str, front: bool) -> Callable[[Torso], Angles]:
    k = _scale(ctx)
    off = np.array([ctx.u(0.02, 0.06), -ctx.u(0.0, 0.1), ctx.u(0.05, 0.1) if front else -ctx.u(0.07, 0.12)]) * k
    pole = (1.0, -ctx.u(0.3, 1.0), -ctx.u(0.3, 0.8))
    hand = (-0.2, -1.0, 0.3) if front else (0.2, -1.0, -0.3)
    return lambda torso: _reach(ctx, torso, side, torso.from_pelvis(side, off), pole, hand)


def _on_hip(ctx: MotionContext, side: str) -> Callable[[Torso], Angles]:
    k = _scale(ctx)
    off = np.array([ctx.u(0.03, 0.07), ctx.u(0.05, 0.12), ctx.u(-0.04, 0.03)]) * k
    pole = (1.0, -ctx.u(0.0, 0.4), -ctx.u(0.2, 0.7))
    return lambda torso: _reach(ctx, torso, side, torso.from_pelvis(side, off), pole, (-0.4, -1.0, 0.6))


def _on_thigh(ctx: MotionContext, side: str) -> Callable[[Torso], Angles]:
    """Seated: the hand rests on the thigh, a little behind the knee."""
    k = _scale(ctx)
    along, inward = ctx.u(0.15, 0.3) * k, ctx.u(-0.02, 0.05) * k
    pole = (ctx.u(0.2, 0.6), -1.0, -ctx.u(0.0, 0.4))

    def build(torso: Torso) -> Angles:
        # The seated thigh points about forward in the pelvis's axes (hip flexion near 90 degrees).
        return _reach(ctx, torso, side, torso.from_pelvis(side, np.array([-inward, 0.08 * k, along])), pole, (-0.2, -0.3, 1.0))

    return build

"""The vocabulary of everyday postures: the `no_action` variants and their stances, the first
version's rest postures, and the `Posture` a plan returns (see `everyday`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vision.synth.motion import MotionContext
from vision.synth.reach import ARM_CHANNELS, Torso, measure_torso
from vision.synth.skeleton import SIDES, Pose

Angles = dict[str, np.ndarray]  # one arm's channels (ARM_CHANNELS) over the clip
Builder = Callable[[Torso], dict[str, Angles]]

# Arm rest postures of the first version: (sh_el, sh_az, sh_tw, elbow) centres, each drawn with a little spread.
REST_POSTURES = {
    "hanging": (7, 0, 0, 12),
    "crossed": (22, 95, -65, 115),
    "hips": (40, -10, -85, 105),
    "clasped_front": (18, 95, -40, 50),
    "behind_back": (-18, 85, 30, 45),
}

# The variants of `no_action` besides plain resting arms ("arms_down"), and the stances each allows.
STANDING, SEATED, LEANING = "standing", "seated", "leaning"
VARIANT_STANCES = {
    "arms_down": (STANDING, SEATED), "surface": (STANDING, SEATED), "typing": (STANDING, SEATED),
    "writing": (STANDING, SEATED), "phone": (STANDING, SEATED), "holding": (STANDING, SEATED),
    "pockets": (STANDING,), "talking": (STANDING, SEATED), "arms_folded": (STANDING, SEATED),
    "hand_on_hip": (STANDING,), "holding_arm": (STANDING, SEATED), "leaning": (LEANING,),
}  # fmt: skip
MOVING_HANDS = ("typing", "writing", "talking")  # never calm: the hands keep moving


@dataclass
class Posture:
    """One clip's arm posture, drawn: the trunk and head it asks for, then the arms once the trunk is measured."""

    name: str
    build: Builder
    held: frozenset[str]  # sides whose hand is put on a point: personal offsets and tremor would move it off
    trunk: dict[str, float] = field(default_factory=dict)  # degrees added to trunk and neck channels
    info: dict[str, str | float | bool] = field(default_factory=dict)
    motion: dict[str, np.ndarray] = field(default_factory=dict)  # (T,) degrees added to trunk and neck channels


def rest_angles(ctx: MotionContext, name: str) -> dict[str, float]:
    """One of the first version's rest postures, with its spread."""
    el, az, tw, elbow = REST_POSTURES[name]
    return {"sh_el": el + ctx.u(-5, 5), "sh_az": az + ctx.u(-8, 8), "sh_tw": tw + ctx.u(-10, 10),
            "elbow": elbow + ctx.u(-10, 10), "wrist": 0.0}


def hold_postures(p: Pose, ctx: MotionContext, postures: list[Posture], weights: list[np.ndarray]) -> list[str]:
    """Put `postures` on `p`, blended by `weights` ((T,) each): their trunk and head channels first,
    then the arms solved on the trunk that gives. Hands put on a point become `p.held`; returns the
    sides left free."""
    for posture, w in zip(postures, weights):
        for name, value in posture.trunk.items():
            p[name] += value * w
        for name, value in posture.motion.items():
            p[name] += value * w
    torso = measure_torso(ctx.body, p, 30.0)
    arms = [posture.build(torso) for posture in postures]
    held = set().union(*(posture.held for posture in postures))
    for s in SIDES:
        for c in ARM_CHANNELS:
            p[f"{s}_{c}"] = sum(a[s][c] * w for a, w in zip(arms, weights))
    p.held = {f"{s}_{c}" for s in held for c in ARM_CHANNELS}
    return [s for s in SIDES if s not in held]

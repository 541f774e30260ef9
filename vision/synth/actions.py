"""The action classes the pose synthesiser knows, in their dataset order."""
from __future__ import annotations

from vision.synth import idle, nonactions, oneshot, periodic, walking  # noqa: F401  (importing registers the generators)
from vision.synth.registry import REGISTRY, ActionSpec, get_action

CLASSES = (
    "jumping_jack", "walk", "run", "squat", "bend_pick_up", "wave_one_hand", "wave_both_hands",
    "clap", "arm_circles", "punch", "kick", "jump_in_place", "sit_stand", "lunge",
    "raise_both_arms", "no_action",
)  # fmt: skip
OTHER = "other"  # not a default class: random motion for training or calibrating a rejection
ALL_CLASSES = CLASSES + (OTHER,)  # fixed order: a class's seeds never depend on which are asked for

assert set(ALL_CLASSES) == set(REGISTRY), "every registered generator has a place in ALL_CLASSES"

__all__ = ["ALL_CLASSES", "CLASSES", "OTHER", "ActionSpec", "get_action"]

"""The action registry: a dict of generators filled by the `@action` decorator."""
from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from vision.synth.motion import MotionContext
from vision.synth.skeleton import Pose

Generator = Callable[[MotionContext], Pose]


@dataclass(frozen=True)
class ActionSpec:
    """A registered motion generator and how the clip builder treats it."""

    name: str
    make: Generator
    own_timing: bool  # True: it eases in and out itself (repetitions); else the clip envelope applies
    one_sided: bool  # uses MotionContext.hand


REGISTRY: dict[str, ActionSpec] = {}


def action(name: str, *, own_timing: bool = False, one_sided: bool = False) -> Callable[[Generator], Generator]:
    """Register a generator under `name` (lowercase snake_case, unique)."""

    def register(fn: Generator) -> Generator:
        if name in REGISTRY:
            raise ValueError(f"action {name!r} is registered twice")
        REGISTRY[name] = ActionSpec(name, fn, own_timing, one_sided)
        return fn

    return register


def get_action(name: str) -> ActionSpec:
    """The spec registered under `name`; an unknown name raises ValueError with close matches."""
    try:
        return REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, REGISTRY, n=3) or [n for n in REGISTRY if name and name in n][:3]
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(REGISTRY))}"
        raise ValueError(f"unknown action {name!r}{hint}") from None

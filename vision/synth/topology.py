"""BlazePose landmark topology the synthesiser needs: sides, mirror pairs, limb groups, edges."""
from __future__ import annotations

import numpy as np

from vision.data.landmarks import LANDMARK_NAMES

INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def _side(name: str) -> int:
    return 1 if name.startswith("left_") or name == "mouth_left" else -1 if name.startswith("right_") or name == "mouth_right" else 0


SIDE = np.array([_side(n) for n in LANDMARK_NAMES])  # +1 the person's left, -1 right, 0 midline


def _mirror_name(name: str) -> str:
    for a, b in (("left", "right"), ("right", "left")):
        if a in name:
            return name.replace(a, b)
    return name


MIRROR = np.array([INDEX[_mirror_name(n)] for n in LANDMARK_NAMES])  # left <-> right permutation

FACE = np.arange(0, 11)
ARM_LEFT = np.array([13, 15, 17, 19, 21])
ARM_RIGHT = ARM_LEFT + 1
LEG_LEFT = np.array([25, 27, 29, 31])
LEG_RIGHT = LEG_LEFT + 1
HANDS = np.array([15, 16, 17, 18, 19, 20, 21, 22])
FEET = np.array([27, 28, 29, 30, 31, 32])
HIPS = np.array([23, 24])

# Bones for drawing; each is (a, b) and the side it belongs to colours it.
EDGES = (
    (11, 12), (11, 23), (12, 24), (23, 24),
    (11, 13), (13, 15), (15, 17), (15, 19), (17, 19), (15, 21),
    (12, 14), (14, 16), (16, 18), (16, 20), (18, 20), (16, 22),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
    (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
    (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10),
)  # fmt: skip

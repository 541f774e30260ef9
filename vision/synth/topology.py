"""BlazePose landmark topology the synthesiser needs: sides, mirror pairs, limb groups, edges."""
from __future__ import annotations

import numpy as np

from vision.pose.skeleton import LANDMARK_NAMES, LIMBS, MIRROR as SKELETON_MIRROR

INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def _side(name: str) -> int:
    return 1 if name.startswith("left_") or name == "mouth_left" else -1 if name.startswith("right_") or name == "mouth_right" else 0


SIDE = np.array([_side(n) for n in LANDMARK_NAMES])  # +1 the person's left, -1 right, 0 midline
MIRROR = np.array(SKELETON_MIRROR)  # left <-> right permutation

FACE = np.arange(0, 11)
ARM_LEFT = np.array([13, 15, 17, 19, 21])
ARM_RIGHT = ARM_LEFT + 1
LEG_LEFT = np.array([25, 27, 29, 31])
LEG_RIGHT = LEG_LEFT + 1
HANDS = np.array([15, 16, 17, 18, 19, 20, 21, 22])
FEET = np.array([27, 28, 29, 30, 31, 32])
HIPS = np.array([23, 24])

EDGES = LIMBS  # bones for drawing (MediaPipe's pose connections)

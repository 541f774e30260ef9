"""Shrinking frames to the model's input: a per-frame cost that batch, streaming and training share.

Two ways, both area filters (each output pixel averages the input pixels it covers):

- decoded by PyAV, a frame is converted and scaled in one libswscale pass straight from its YUV
  planes (`decode.iter_frames(size=...)`): 640x480 -> 112x112 RGB costs about a sixth of RGB
  conversion at full size followed by OpenCV's area resize;
- an RGB array (a camera frame, a frame the GUI also shows) goes through `area_resize`: OpenCV's
  area filter is about 3x faster for integer factors, so it first averages k x k blocks, then
  resizes the small image.
"""
from __future__ import annotations

import cv2
import numpy as np

SWSCALE_FILTER = "AREA"  # libswscale's area averaging, the counterpart of cv2.INTER_AREA


def short_side_size(height: int, width: int, short_side: int) -> tuple[int, int]:
    """(width, height) that scales the shorter side to `short_side`, keeping the aspect."""
    scale = short_side / min(height, width)
    return max(1, round(width * scale)), max(1, round(height * scale))


def area_resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """(H, W, C) uint8 -> (height, width, C): area filter when shrinking, bilinear when enlarging.

    For shrinks of 2x or more the frame is first block-averaged by the largest integer factor
    k that keeps it at least the target size (OpenCV's fast path; the at most k-1 rows/columns
    beyond a multiple of k are dropped), then area-resized to the exact size.
    """
    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return np.ascontiguousarray(rgb)
    if w < width or h < height:
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_LINEAR)
    k = min(w // width, h // height)
    if k >= 2:
        rgb = rgb[: h - h % k, : w - w % k]
        rgb = cv2.resize(rgb, (w // k, h // k), interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)

"""Rotated regions of interest: built from two alignment points, cut out of frames, mapped back.

All in source-frame pixels. A region maps onto an S x S tensor the way MediaPipe's
ImageToTensorCalculator does (the region's corners go to the tensor's corners 0 and S; bilinear;
zero or replicated border), so converted weights see the inputs they were trained on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

ROI_SCALE = 1.25  # MediaPipe's RectTransformation for the pose ROI (square_long, x1.25)
TARGET_ANGLE = math.pi / 2  # the hip -> scale-point vector is turned to point up


@dataclass(frozen=True)
class Roi:
    """A rotated rectangle in pixels; `rotation` in radians, clockwise in image coordinates."""

    cx: float
    cy: float
    width: float
    height: float
    rotation: float = 0.0

    def inverse_affine(self, size: int) -> np.ndarray:
        """2x3 matrix taking tensor pixel (u, v) of an S x S crop to frame pixel (x, y)."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        w, h = self.width, self.height
        return np.array([
            [c * w / size, -s * h / size, self.cx - c * w / 2 + s * h / 2],
            [s * w / size, c * h / size, self.cy - s * w / 2 - c * h / 2],
        ], dtype=np.float64)


def normalize_radians(angle: float) -> float:
    """Angle in [-pi, pi)."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def roi_from_points(centre: np.ndarray, scale_point: np.ndarray, scale: float = ROI_SCALE) -> Roi:
    """The square region centred on `centre`, twice the distance to `scale_point` wide (times
    `scale`), turned so that centre -> scale_point points up in the crop."""
    dx, dy = float(scale_point[0] - centre[0]), float(scale_point[1] - centre[1])
    side = 2.0 * math.hypot(dx, dy) * scale
    rotation = normalize_radians(TARGET_ANGLE - math.atan2(-dy, dx))
    return Roi(float(centre[0]), float(centre[1]), side, side, rotation)


def letterbox_roi(width: int, height: int) -> Roi:
    """The whole frame padded to a centred square (the detector's keep-aspect-ratio input)."""
    side = float(max(width, height))
    return Roi(width / 2.0, height / 2.0, side, side, 0.0)


def crop_cv2(frame: np.ndarray, roi: Roi, size: int, zero_border: bool) -> np.ndarray:
    """(size, size, 3) uint8 crop with OpenCV, exactly as MediaPipe's CPU ImageToTensor does it
    (the rotated rectangle's corners, in float32, mapped by a perspective warp)."""
    border = cv2.BORDER_CONSTANT if zero_border else cv2.BORDER_REPLICATE
    rect = cv2.RotatedRect((roi.cx, roi.cy), (roi.width, roi.height), math.degrees(roi.rotation))
    corners = cv2.boxPoints(rect).astype(np.float32)  # bottom-left, top-left, top-right, bottom-right
    target = np.array([[0, size], [0, 0], [size, 0], [size, size]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(frame, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0)


def crop_torch(frames: torch.Tensor, rois: list[Roi], size: int, zero_border: bool) -> torch.Tensor:
    """Crops of float frames (N, 3, H, W) -> (N, 3, size, size) with `grid_sample`, on their device."""
    n, _, h, w = frames.shape
    mats = torch.tensor(np.stack([r.inverse_affine(size) for r in rois]), dtype=torch.float32,
                        device=frames.device)  # (N, 2, 3)
    uv = torch.arange(size, dtype=torch.float32, device=frames.device)
    v, u = torch.meshgrid(uv, uv, indexing="ij")
    ones = torch.ones_like(u)
    pix = torch.stack([u, v, ones], dim=-1).view(1, size * size, 3)  # (1, S*S, 3)
    xy = pix @ mats.transpose(1, 2)  # (N, S*S, 2) frame pixels
    scale = torch.tensor([2.0 / max(w - 1, 1), 2.0 / max(h - 1, 1)], device=frames.device)
    grid = (xy * scale - 1.0).view(n, size, size, 2)  # align_corners=True: -1/+1 = pixel centres
    return F.grid_sample(frames, grid, mode="bilinear", padding_mode="zeros" if zero_border else "border",
                         align_corners=True)


def project(points: np.ndarray, roi: Roi) -> np.ndarray:
    """(K, 2+) points in crop units [0, 1] -> frame pixels; a third column (z) scales like x."""
    c, s = math.cos(roi.rotation), math.sin(roi.rotation)
    x, y = points[:, 0] - 0.5, points[:, 1] - 0.5
    out = points.astype(np.float32, copy=True)
    out[:, 0] = (c * x - s * y) * roi.width + roi.cx
    out[:, 1] = (s * x + c * y) * roi.height + roi.cy
    if points.shape[1] > 2:
        out[:, 2] = points[:, 2] * roi.width
    return out

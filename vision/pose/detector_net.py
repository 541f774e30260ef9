"""BlazePose person detector (MediaPipe's pose_detection.tflite) as a torch module.

Input (N, 3, 224, 224) RGB in [-1, 1], letterboxed. Output, per image, 2254 SSD anchors:
`boxes` (N, 2254, 12) raw regressions (box centre, size, then 4 keypoints x/y, in input pixels
relative to the anchor) and `scores` (N, 2254) logits. Anchors live at strides 8 (28x28, 2 per
cell), 16 (14x14, 2) and 32 (7x7, 6); see `vision.pose.detection` for the decoding.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vision.pose.layers import (Depthwise, InvertedResidual, Lateral, ResidualDepthwise, channels_last_rows,
                                depth_to_space, pointwise, upsample2x)

INPUT_SIZE = 224
NUM_ANCHORS = 2254
NUM_COORDS = 12


class DetectorHead(nn.Module):
    """Scores and box regressions for one pyramid level: depthwise 3x3 stride 2 -> 1x1, twice."""

    def __init__(self, channels: int, anchors: int) -> None:
        super().__init__()
        self.score_dw = Depthwise(channels, 3, stride=2, act=False)
        self.score = pointwise(channels, anchors, act=False)
        self.box_dw = Depthwise(channels, 3, stride=2, act=False)
        self.box = pointwise(channels, anchors * NUM_COORDS, act=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = channels_last_rows(self.score(self.score_dw(x)), 1)  # (N, H*W*A, 1)
        boxes = channels_last_rows(self.box(self.box_dw(x)), NUM_COORDS)  # (N, H*W*A, 12)
        return scores, boxes


class PoseDetectorNet(nn.Module):
    """MobileNetV2-like encoder, a top-down pyramid, SSD heads at three scales."""

    def __init__(self) -> None:
        super().__init__()
        ir = InvertedResidual
        self.stem = nn.Conv2d(3, 24, 3, stride=2, padding=1)  # 112x112
        self.stage112 = nn.Sequential(ir(24, 16, 3))
        self.stage56 = nn.Sequential(ir(16, 24, 3, 2, 64), ir(24, 24, 3, 1, 144))
        self.stage28 = nn.Sequential(ir(24, 40, 5, 2, 144), ir(40, 40, 5, 1, 240))
        self.stage14 = nn.Sequential(
            ir(40, 80, 3, 2, 240), ir(80, 80, 3, 1, 480), ir(80, 80, 3, 1, 480),
            ir(80, 112, 5, 1, 480), ir(112, 112, 5, 1, 672), ir(112, 112, 5, 1, 672),
        )
        self.stage7 = nn.Sequential(
            ir(112, 192, 5, 2, 672), ir(192, 192, 5, 1, 1152), ir(192, 192, 5, 1, 1152), ir(192, 192, 5, 1, 1152),
        )
        self.lateral28 = Lateral(40, 96, dw_act=False)
        self.lateral14 = Lateral(112, 192, dw_act=False)
        self.top = nn.Sequential(pointwise(192, 1152, act=True), Depthwise(1152, 3))
        self.up14 = pointwise(1152, 192, act=True)
        self.refine14 = nn.Sequential(ResidualDepthwise(192, dw_act=False), ResidualDepthwise(192, dw_act=False))
        self.up28 = pointwise(192, 96, act=True)
        self.refine28 = nn.Sequential(ResidualDepthwise(96, dw_act=False), ResidualDepthwise(96, dw_act=False))
        self.head8 = DetectorHead(24, 2)
        self.head16 = DetectorHead(48, 2)
        self.head32 = DetectorHead(288, 6)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, 3, 224, 224) in [-1, 1] -> boxes (N, 2254, 12), score logits (N, 2254)."""
        x = F.relu6(self.stem(x))
        x = self.stage56(self.stage112(x))
        c28 = self.stage28(x)  # (N, 40, 28, 28)
        c14 = self.stage14(c28)  # (N, 112, 14, 14)
        lat28, lat14 = self.lateral28(c28), self.lateral14(c14)
        top = self.top(self.stage7(c14))  # (N, 1152, 7, 7)
        p14 = self.refine14(self.up14(upsample2x(top)) + lat14)  # (N, 192, 14, 14)
        p28 = self.refine28(self.up28(upsample2x(p14)) + lat28)  # (N, 96, 28, 28)
        levels = [
            self.head8(depth_to_space(p28, 2)),  # (N, 24, 56, 56) -> 28x28 anchors
            self.head16(depth_to_space(p14, 2)),  # (N, 48, 28, 28) -> 14x14
            self.head32(depth_to_space(top, 2)),  # (N, 288, 14, 14) -> 7x7
        ]
        scores = torch.cat([s for s, _ in levels], dim=1).squeeze(-1)  # (N, 2254)
        boxes = torch.cat([b for _, b in levels], dim=1)  # (N, 2254, 12)
        return boxes, scores

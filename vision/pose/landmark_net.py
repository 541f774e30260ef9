"""BlazePose landmark model (MediaPipe's pose_landmark_full.tflite) as a torch module.

Input (N, 3, 256, 256) RGB in [0, 1]: the rotated region of interest around one person.
Outputs (`LandmarkOutput`): 39 points x (x, y, z, visibility logit, presence logit) in input
pixels (33 body landmarks + 6 auxiliary points used to place the next frame's region), the
pose-presence probability, a 64x64 heatmap per point that refines x/y, and 39 x 3 world
landmarks (metres, hip-centred). The segmentation branch of the original is left out.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from vision.pose.layers import Depthwise, InvertedResidual, Lateral, ResidualDepthwise, pointwise, upsample2x

INPUT_SIZE = 256
NUM_POINTS = 39  # 33 landmarks + 6 auxiliary
HEATMAP_SIZE = 64


class LandmarkOutput(NamedTuple):
    points: torch.Tensor  # (N, 39, 5) x, y, z (input pixels), visibility and presence logits
    presence: torch.Tensor  # (N,) probability that a person fills the region
    heatmap: torch.Tensor  # (N, 39, 64, 64) logits
    world: torch.Tensor  # (N, 39, 3) metres, origin between the hips


class DownResidual(nn.Module):
    """Stride-2 block: max-pool shortcut + depthwise 3x3 (TF SAME, stride 2) -> 1x1, then ReLU6."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.depthwise = Depthwise(channels, 3, stride=2, pad=(0, 1, 0, 1))
        self.pointwise = pointwise(channels, channels, act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(F.max_pool2d(x, 2) + self.pointwise(self.depthwise(x)))


class PoseLandmarkNet(nn.Module):
    """Encoder with pyramid skips; a heatmap decoder at 64x64 and a regression tail to 2x2."""

    def __init__(self) -> None:
        super().__init__()
        ir = InvertedResidual
        self.stem = nn.Conv2d(3, 24, 3, stride=2, padding=1)  # 128x128
        self.stage128 = nn.Sequential(ir(24, 16, 3))
        self.stage64 = nn.Sequential(ir(16, 24, 3, 2, 64), ir(24, 24, 3, 1, 144))
        self.stage32 = nn.Sequential(ir(24, 32, 5, 2, 144), ir(32, 32, 5, 1, 192))
        self.stage16 = nn.Sequential(
            ir(32, 64, 3, 2, 192), ir(64, 64, 3, 1, 384), ir(64, 64, 3, 1, 384),
            ir(64, 88, 5, 1, 384), ir(88, 88, 5, 1, 528), ir(88, 88, 5, 1, 528),
        )
        self.stage8 = nn.Sequential(
            ir(88, 144, 5, 2, 528), ir(144, 144, 5, 1, 864), ir(144, 144, 5, 1, 864), ir(144, 144, 5, 1, 864),
        )
        self.skip64 = Lateral(24, 48, dw_act=True)
        self.skip32 = Lateral(32, 48, dw_act=True)
        self.skip16 = Lateral(88, 48, dw_act=True)
        self.top = nn.Sequential(pointwise(144, 864, act=True), Depthwise(864, 3))
        self.heat_in = Lateral(864, 48, dw_act=True)
        self.heatmap = pointwise(48, NUM_POINTS, act=False)
        self.tail_in = Lateral(864, 288, dw_act=True)
        self.tail4 = nn.Sequential(DownResidual(288), *[ResidualDepthwise(288, dw_act=True) for _ in range(4)])
        self.tail2 = nn.Sequential(DownResidual(288), *[ResidualDepthwise(288, dw_act=True) for _ in range(5)])
        self.points = nn.Conv2d(288, NUM_POINTS * 5, 2)
        self.world = nn.Conv2d(288, NUM_POINTS * 3, 2)
        self.presence = nn.Conv2d(288, 1, 2)

    def forward(self, x: torch.Tensor) -> LandmarkOutput:
        """(N, 3, 256, 256) in [0, 1] -> `LandmarkOutput`."""
        n = x.shape[0]
        x = self.stage128(F.relu6(self.stem(x)))
        c64 = self.stage64(x)  # (N, 24, 64, 64)
        c32 = self.stage32(c64)  # (N, 32, 32, 32)
        c16 = self.stage16(c32)  # (N, 88, 16, 16)
        skip64, skip32, skip16 = self.skip64(c64), self.skip32(c32), self.skip16(c16)
        top = self.top(self.stage8(c16))  # (N, 864, 8, 8)
        h = upsample2x(self.heat_in(top)) + skip16  # (N, 48, 16, 16)
        h = upsample2x(h) + skip32  # (N, 48, 32, 32)
        h = upsample2x(h) + skip64  # (N, 48, 64, 64)
        heatmap = self.heatmap(h)  # (N, 39, 64, 64)
        t = self.tail2(self.tail4(self.tail_in(top)))  # (N, 288, 2, 2)
        points = self.points(t).view(n, NUM_POINTS, 5)  # NHWC flatten of a 1x1 map = channel order
        world = self.world(t).view(n, NUM_POINTS, 3)
        presence = torch.sigmoid(self.presence(t)).view(n)
        return LandmarkOutput(points, presence, heatmap, world)

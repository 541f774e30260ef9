"""Building blocks shared by the BlazePose detector and landmark networks.

Both networks are MobileNetV2-style encoders with feature-pyramid decoders, as MediaPipe ships
them in TFLite. The blocks below reproduce the TFLite graphs op for op (explicit padding where
TensorFlow's "SAME" is asymmetric, TensorFlow's depth-to-space channel order), so converted
weights give the same numbers. Tensors are NCHW here; the converter transposes the weights.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def pointwise(cin: int, cout: int, act: bool) -> nn.Module:
    """1x1 convolution with bias, optionally followed by ReLU6."""
    conv = nn.Conv2d(cin, cout, 1)
    return nn.Sequential(conv, nn.ReLU6()) if act else conv


class Depthwise(nn.Module):
    """k x k depthwise convolution; `pad` is (left, right, top, bottom) like `F.pad`.

    Stride 1 and the detector's explicit PAD ops are symmetric; TensorFlow's SAME padding at
    stride 2 on an even input pads one pixel on the right/bottom only, hence the tuple.
    """

    def __init__(self, channels: int, kernel: int, stride: int = 1, act: bool = True,
                 pad: tuple[int, int, int, int] | None = None) -> None:
        super().__init__()
        half = kernel // 2
        self.pad = pad if pad is not None else (half, half, half, half)
        self.conv = nn.Conv2d(channels, channels, kernel, stride, groups=channels)
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(F.pad(x, self.pad))
        return F.relu6(x) if self.act else x


class InvertedResidual(nn.Module):
    """MobileNetV2 block: [1x1 expand, ReLU6] -> depthwise k x k, ReLU6 -> 1x1 project (+ input)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, expand: int | None = None) -> None:
        super().__init__()
        mid = expand or cin
        self.expand = pointwise(cin, mid, act=True) if expand else nn.Identity()
        self.depthwise = Depthwise(mid, kernel, stride)
        self.project = pointwise(mid, cout, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.depthwise(self.expand(x)))
        return x + y if self.residual else y


class ResidualDepthwise(nn.Module):
    """Decoder block: depthwise 3x3 (optionally ReLU6) -> 1x1 -> add input -> ReLU6."""

    def __init__(self, channels: int, dw_act: bool) -> None:
        super().__init__()
        self.depthwise = Depthwise(channels, 3, act=dw_act)
        self.pointwise = pointwise(channels, channels, act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(x + self.pointwise(self.depthwise(x)))


class Lateral(nn.Module):
    """Skip connection of the feature pyramid: depthwise 3x3 -> 1x1 + ReLU6."""

    def __init__(self, cin: int, cout: int, dw_act: bool) -> None:
        super().__init__()
        self.depthwise = Depthwise(cin, 3, act=dw_act)
        self.pointwise = pointwise(cin, cout, act=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


def upsample2x(x: torch.Tensor) -> torch.Tensor:
    """Bilinear x2 with half-pixel centres (TFLite RESIZE_BILINEAR, half_pixel_centers=True)."""
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def depth_to_space(x: torch.Tensor, block: int) -> torch.Tensor:
    """TensorFlow's DEPTH_TO_SPACE (DCR order), which differs from `pixel_shuffle` (CRD)."""
    n, c, h, w = x.shape
    x = x.view(n, block, block, c // (block * block), h, w)  # (N, bh, bw, C', H, W)
    x = x.permute(0, 3, 4, 1, 5, 2)  # (N, C', H, bh, W, bw)
    return x.reshape(n, c // (block * block), h * block, w * block)


def channels_last_rows(x: torch.Tensor, values: int) -> torch.Tensor:
    """(N, A*values, H, W) head output -> (N, H*W*A, values) in TFLite's NHWC row order."""
    n = x.shape[0]
    return x.permute(0, 2, 3, 1).reshape(n, -1, values)

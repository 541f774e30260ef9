"""Inference-time fusion: fold each BatchNorm2d into the Conv2d before it (eval mode only).

Halves the per-frame op count of the CNN encoders, which is what a batch-of-one streaming
encoder pays for; results match the unfused model up to float rounding.
"""
from __future__ import annotations

import copy

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def fuse_conv_bn(model: nn.Module) -> nn.Module:
    """A fused eval-mode copy of `model` (the original is untouched)."""
    fused = copy.deepcopy(model).eval()
    for module in fused.modules():
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module.named_children())
        for (name, conv), (bn_name, bn) in zip(children, children[1:]):
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                setattr(module, name, fuse_conv_bn_eval(conv, bn))
                setattr(module, bn_name, nn.Identity())
    return fused

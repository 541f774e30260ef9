"""Freeze a pretrained backbone (weights and BatchNorm statistics), optionally all but its last blocks."""
from __future__ import annotations

import types

from torch import nn


def backbone_blocks(encoder: nn.Module) -> list[nn.Module]:
    """The encoder's stages in input-to-output order (what `--unfreeze-last N` counts)."""
    lite = getattr(encoder, "net", None)
    if lite is not None and hasattr(lite, "_blocks"):  # EfficientNet-Lite trunk
        return [lite._conv_stem, lite._bn0, *lite._blocks, lite._conv_head, lite._bn1]
    blocks = list(encoder.children())
    while len(blocks) == 1 and list(blocks[0].children()):
        blocks = list(blocks[0].children())
    return blocks


def always_eval(module: nn.Module) -> None:
    """Keep `module` in eval mode whatever `.train()` says: frozen BatchNorm keeps its statistics."""
    module.eval()
    module.train = types.MethodType(lambda self, mode=True: nn.Module.train(self, False), module)  # type: ignore[method-assign]


def freeze_backbone(encoder: nn.Module, unfreeze_last: int = 0) -> int:
    """Freeze `encoder` except its last `unfreeze_last` blocks; returns the trainable block count."""
    blocks = backbone_blocks(encoder)
    trainable = blocks[len(blocks) - unfreeze_last :] if unfreeze_last > 0 else []
    for block in blocks:
        if any(block is t for t in trainable):
            continue
        for p in block.parameters():
            p.requires_grad_(False)
        always_eval(block)
    return len(trainable)


def parameter_groups(model: nn.Module, lr: float, backbone_scale: float) -> list[dict]:
    """AdamW groups: head parameters at `lr` first, trainable backbone parameters at `lr * scale`;
    one group of everything at `lr` when the scale is 1 (a backbone trained from scratch)."""
    if backbone_scale == 1.0:
        return [{"params": [p for p in model.parameters() if p.requires_grad], "lr": lr}]
    backbone = {id(p) for p in model.encoder.parameters()}
    head = [p for p in model.parameters() if id(p) not in backbone and p.requires_grad]
    trunk = [p for p in model.encoder.parameters() if p.requires_grad]
    groups = [{"params": head, "lr": lr}]
    if trunk:
        groups.append({"params": trunk, "lr": lr * backbone_scale})
    return groups

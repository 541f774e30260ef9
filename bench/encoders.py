"""CPU frames/s of the frame encoders side by side: tiny at 112 px vs EfficientNet-Lite0 at 160/224 px.

Batch of 16 frames (batch mode) and one frame at a time (streaming), BatchNorm folded, best of
interleaved repeats, in one run. Weights do not change the cost: models are random-init.

    python bench/encoders.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.config import ModelConfig  # noqa: E402
from vision.model import build_model  # noqa: E402
from vision.model.fuse import fuse_conv_bn  # noqa: E402

VARIANTS = (("tiny", 112), ("efficientnet_lite0", 160), ("efficientnet_lite0", 224))


@torch.no_grad()
def main() -> None:
    torch.set_num_threads(2)
    models = {(b, s): fuse_conv_bn(build_model(ModelConfig(num_classes=9, backbone=b))) for b, s in VARIANTS}
    best = {key: [float("inf"), float("inf")] for key in models}
    for _ in range(3):  # interleaved repeats
        for (backbone, size), model in models.items():
            batch, one = torch.randn(16, 3, size, size), torch.randn(1, 3, size, size)
            model.encode_frames(batch)
            t0 = time.perf_counter()
            model.encode_frames(batch)
            t1 = time.perf_counter()
            for _ in range(8):
                model.encode_frames(one)
            t2 = time.perf_counter()
            best[(backbone, size)][0] = min(best[(backbone, size)][0], (t1 - t0) / 16)
            best[(backbone, size)][1] = min(best[(backbone, size)][1], (t2 - t1) / 8)
    base = best[VARIANTS[0]]
    print(f"{'encoder':<26} {'frames/s batch 16':>18} {'frames/s one by one':>20} {'cost vs tiny':>13}")
    for (backbone, size), (batched, single) in best.items():
        print(f"{backbone + f' @ {size}px':<26} {1 / batched:18.1f} {1 / single:20.1f} {batched / base[0]:12.1f}x")


if __name__ == "__main__":
    main()

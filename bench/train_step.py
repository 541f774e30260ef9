"""One training step (forward, backward, AdamW) in NCHW vs channels_last, side by side.

`vision-train` lays convolutions out channels_last on every device; this shows what that buys
on the machine at hand (random data: speed does not depend on the values).

    .venv/bin/python bench/train_step.py [--frame-size 112] [--batch-sizes 16 32] [--repeats 3]
"""
from __future__ import annotations

import argparse
import time

import torch

from vision.config import ModelConfig
from vision.model import build_model


def step_seconds(model: torch.nn.Module, optimizer: torch.optim.Optimizer, clips: torch.Tensor, labels: torch.Tensor) -> float:
    start = time.perf_counter()
    loss = torch.nn.functional.cross_entropy(model(clips).logits, labels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="tiny")
    parser.add_argument("--frame-size", type=int, default=112)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--repeats", type=int, default=3, help="timed steps per layout, interleaved (best kept)")
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"{args.backbone}, {args.frame_size} px, T={args.frames}, {torch.get_num_threads()} threads")
    for batch in args.batch_sizes:
        layouts = {}
        for name, fmt in (("NCHW", torch.contiguous_format), ("channels_last", torch.channels_last)):
            model = build_model(ModelConfig(num_classes=9, backbone=args.backbone)).train().to(memory_format=fmt)
            layouts[name] = (model, torch.optim.AdamW(model.parameters(), lr=1e-3))
        clips = torch.randn(batch, args.frames, 3, args.frame_size, args.frame_size)
        labels = torch.randint(0, 9, (batch,))
        best = {name: float("inf") for name in layouts}
        for i in range(args.repeats + 1):  # the first round warms up
            for name, (model, optimizer) in layouts.items():
                seconds = step_seconds(model, optimizer, clips, labels)
                best[name] = min(best[name], seconds) if i else best[name]
        nchw, cl = batch / best["NCHW"], batch / best["channels_last"]
        print(f"batch {batch:3d}: NCHW {nchw:6.1f} clips/s | channels_last {cl:6.1f} clips/s | {cl / nchw:4.2f}x")


if __name__ == "__main__":
    main()

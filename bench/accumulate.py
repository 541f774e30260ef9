"""Gradient accumulation: loss curves of one batch of B*N vs N accumulated micro-batches of B,
on identical data in identical order, side by side in one run (plus plain batches of B as the
contrast: the same clips, but N times the optimizer steps).

Training runs the trainer's own loop (`train_epoch`, with `--accumulate`'s code path) on a
frozen encoder's cached feature maps (the shipped model's CNN; no BatchNorm in what trains),
AdamW at a constant lr with the default gradient clipping. Every step's clips are drawn with
a per-step seed, so every run sees exactly the same tensors. The two curves should agree to
float rounding: a float64 pair (all but the spatial softmax, which the model keeps in float32)
shows how much of their gap is float32's summation order, which Adam amplifies (it divides
by each gradient component's running RMS). With dropout 0.3 both runs draw their masks from
the same generator in the same order, so on the CPU they coincide too.

    python bench/accumulate.py DATA [--steps 60] [--batch 32] [--micro 8] [--plot runs/accumulate.png]
"""
from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn

from _common import save_trunk
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ClipConfig, ModelConfig
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import FeatureClipDataset
from vision.data.ucf import index_dataset
from vision.model import build_model
from vision.model.network import FeatureHead
from vision.train.data import build_feature_cache
from vision.train.freeze import freeze_backbone
from vision.train.loops import Precision, predict, train_epoch


def batches(dataset: FeatureClipDataset, steps: int, size: int) -> list[list[int]]:
    """Clip indices of each step: epochs of a seeded shuffle, `size` clips a step."""
    order: list[int] = []
    epoch = 0
    while len(order) < steps * size:
        perm = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(epoch)).tolist()
        order += perm[: len(perm) - len(perm) % size]
        epoch += 1
    return [order[i * size : (i + 1) * size] for i in range(steps)]


def fetch(dataset: FeatureClipDataset, indices: list[int], step: int) -> tuple[torch.Tensor, ...]:
    """The step's clips (B, T, C, h, w), masks and labels; the random segments seeded by the step."""
    torch.manual_seed(10_000 + step)
    items = [dataset[i] for i in indices]
    return torch.stack([c for c, _, _ in items]), torch.stack([m for _, m, _ in items]), torch.tensor([y for _, _, y in items])


def run(start: FeatureHead, dataset, steps: list[list[int]], micro: int, accumulate: int, val,
        dtype: torch.dtype = torch.float32) -> tuple[list[float], float]:
    """Train a copy of `start`; returns the loss of every step (before its update) and final val top-1."""
    net = copy.deepcopy(start).to(dtype)
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4)
    torch.manual_seed(0)  # dropout draws
    losses = []
    for s, indices in enumerate(steps):
        clips, mask, labels = fetch(dataset, indices, s)
        clips = clips.to(dtype)
        loader = [(clips[i : i + micro], mask[i : i + micro], labels[i : i + micro]) for i in range(0, len(indices), micro)]
        stats = train_epoch(net, loader, optimizer, nn.CrossEntropyLoss(), torch.device("cpu"), Precision(None), None,
                            1.0, "", False, accumulate)
        losses.append(stats.loss)
    val = [(clips.to(dtype), mask, labels) for clips, mask, labels in val]
    probs, labels = predict(net, val, torch.device("cpu"), Precision(None), "", False)
    return losses, float((probs.argmax(1) == labels).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a vision-synth dataset (UCF101 layout with split files)")
    parser.add_argument("--weights", type=Path, default=SHAPES_WEIGHTS, help="checkpoint whose CNN is frozen")
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/temporal-options/cache"))
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=32, help="B*N: the big batch")
    parser.add_argument("--micro", type=int, default=8, help="B: the micro-batch")
    parser.add_argument("--plot", type=Path, help="write the loss curves as a PNG here")
    args = parser.parse_args()
    n = args.batch // args.micro
    clip = ClipConfig(frame_size=112)
    index = index_dataset(args.data, 1, 0.2, 0)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    trunk = save_trunk(args.weights, args.cache_dir.parent / "accumulate-trunk.safetensors")
    curves, top1 = {}, {}
    for dropout, dtype in ((0.0, torch.float32), (0.0, torch.float64), (0.3, torch.float32)):
        torch.manual_seed(0)
        model = build_model(ModelConfig(num_classes=len(index.classes), dropout=dropout), str(trunk))
        freeze_backbone(model.encoder)
        frames = FrameCache(args.cache_dir, DecodeParams.for_clip(clip))
        features = build_feature_cache(model.encoder, "tiny", frames, args.cache_dir, index.train + index.test, clip,
                                       torch.device("cpu"))
        train_set = FeatureClipDataset(index.train, clip, features, "random")
        val = torch.utils.data.DataLoader(FeatureClipDataset(index.test, clip, features, "center"), batch_size=64)
        steps = batches(train_set, args.steps, args.batch)
        start = FeatureHead(model)
        variants = {f"1 x {args.batch}": (args.batch, 1), f"{n} x {args.micro} accumulated": (args.micro, n)}
        if dropout == 0.0 and dtype == torch.float32:
            variants[f"{args.micro} plain ({n}x the steps)"] = (args.micro, 1)
        setting = f"{str(dtype)[6:]}, dropout {dropout}"
        for name, (micro, acc) in variants.items():
            curves[(setting, name)], top1[(setting, name)] = run(start, train_set, steps, micro, acc, val, dtype)
            print(f"{setting}: {name} done", flush=True)
    report(curves, top1, args, n)


def report(curves: dict, top1: dict, args: argparse.Namespace, n: int) -> None:
    settings = list(dict.fromkeys(setting for setting, _ in curves))
    big, acc = f"1 x {args.batch}", f"{n} x {args.micro} accumulated"
    columns = [key for key in curves]
    print(f"\nloss per optimizer step (before the step), {args.steps} steps of {args.batch} clips, identical data")
    print(f"{'step':>5}  " + "  ".join(f"{name} ({setting})" for setting, name in columns))
    for s in sorted({1, 2, 5, 10, 20, 40, args.steps} & set(range(1, args.steps + 1))):
        print(f"{s:>5}  " + "  ".join(f"{curves[key][s - 1]:.6f}".rjust(len(f"{key[1]} ({key[0]})")) for key in columns))
    for setting in settings:
        diff = np.abs(np.array(curves[(setting, big)]) - np.array(curves[(setting, acc)]))
        print(f"{setting}: |loss({big}) - loss({acc})| max {diff.max():.1e} (step 1 {diff[0]:.1e}, step 20 "
              f"{diff[min(19, len(diff) - 1)]:.1e}); final val top-1 {top1[(setting, big)]:.1%} vs {top1[(setting, acc)]:.1%}")
    for (setting, name), value in top1.items():
        if "plain" in name:
            print(f"{setting}: {name}: final val top-1 {value:.1%}, last loss {curves[(setting, name)][-1]:.4f}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        for (setting, name), losses in curves.items():
            ax.plot(range(1, len(losses) + 1), losses, label=f"{name}, {setting}", linestyle="--" if "accum" in name else "-")
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("training loss")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()

"""Temporal-side ModelConfig options, side by side on a frozen encoder: epochs to a top-1
threshold and final top-1 on the held-out test groups, 2 seeds each.

The shipped model's CNN is frozen (its `encoder.*` tensors saved as a backbone file) and its
feature maps are cached once, so every run trains only what the options change: spatial
attention pooling, the LSTM, temporal pooling and the classifier (`vision-train DATA
--pretrained trunk.safetensors --freeze-backbone ...`, called in-process). Every run uses the
same data, schedule and budget; top-1 is read on the test split (unseen groups) after every
epoch, and the *final* epoch's figure is reported (no best-epoch selection). Runs already
finished in OUT are reused, so an interrupted benchmark continues where it stopped.

    vision-synth DATA --clips-per-class 60 --seed 5
    python bench/temporal_options.py DATA [--out runs/temporal-options] [--epochs 30] [--seeds 0 1]
"""
from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from _common import save_trunk
from vision.cli.classify import SHAPES_WEIGHTS
from vision.train.config import TrainConfig
from vision.train.trainer import train

VARIANTS: dict[str, dict] = {
    "baseline: 1 layer, attention": {},
    "forget-gate bias 1.0": {"forget_bias": 1.0},
    "temperature 0.5 (spatial + temporal)": {"spatial_temperature": 0.5, "temporal_temperature": 0.5},
    "temperatures learned (from 1.0)": {"learn_temperature": True},
    "multihead pooling, 4 heads": {"pooling": "multihead"},
    "4 layers": {"lstm_layers": 4},
    "4 layers + residual + LayerNorm": {"lstm_layers": 4, "lstm_residual": True, "lstm_layernorm": True},
    "6 layers": {"lstm_layers": 6},
    "6 layers + residual + LayerNorm": {"lstm_layers": 6, "lstm_residual": True, "lstm_layernorm": True},
}


def run_dir(out: Path, name: str, seed: int) -> Path:
    return out / name.replace(" ", "_").replace(":", "").replace(",", "").replace("(", "").replace(")", "") / f"seed{seed}"


def curve(run: Path) -> tuple[list[float], float]:
    """Test top-1 after each epoch and the total training seconds of a finished run."""
    with (run / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    return [float(r["val_top1"]) for r in rows], sum(float(r["epoch_seconds"]) for r in rows)


def first_epoch(top1: list[float], threshold: float) -> int | None:
    return next((i + 1 for i, v in enumerate(top1) if v >= threshold), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a vision-synth dataset (UCF101 layout with split files)")
    parser.add_argument("--out", type=Path, default=Path("runs/temporal-options"), help="run directories")
    parser.add_argument("--weights", type=Path, default=SHAPES_WEIGHTS, help="checkpoint whose CNN is frozen")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.9, 0.95])
    parser.add_argument("--variants", nargs="*", help="names (default: all)")
    parser.add_argument("--cache-dir", help="frame and feature cache (default: OUT/cache)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    trunk = save_trunk(args.weights, args.out / "trunk.safetensors")
    names = args.variants or list(VARIANTS)
    base = dict(data_dir=args.data, pretrained=str(trunk), freeze_backbone=True, frame_size=112, epochs=args.epochs,
                batch_size=args.batch_size, lr=3e-3, scheduler="cosine", early_stop=args.epochs + 1,
                cache_dir=args.cache_dir or str(args.out / "cache"))
    for name in names:
        for seed in args.seeds:
            run = run_dir(args.out, name, seed)
            if (run / "metrics.csv").exists() and len(curve(run)[0]) == args.epochs:
                continue
            started = time.perf_counter()
            train(TrainConfig(out=str(run), seed=seed, **base, **VARIANTS[name]), log=lambda line: None, show_progress=False)
            print(f"trained {name}, seed {seed}: {time.perf_counter() - started:.0f} s", flush=True)

    thresholds = "  ".join(f"ep>={t:.0%}" for t in args.thresholds)
    print(f"\nfrozen encoder of {args.weights}, {args.epochs} epochs of batch {args.batch_size}, cosine lr 3e-3, "
          f"seeds {args.seeds}; test top-1 (unseen groups) after every epoch")
    print(f"{'variant':<38} {thresholds}  {'final top-1 per seed':<22} {'mean':>6} {'s/run':>6}")
    for name in names:
        curves = [curve(run_dir(args.out, name, seed)) for seed in args.seeds]
        reach = "  ".join("/".join(str(first_epoch(c, t) or "-") for c, _ in curves).rjust(7) for t in args.thresholds)
        finals = [c[-1] for c, _ in curves]
        per_seed = " ".join(f"{v:6.1%}" for v in finals)
        seconds = sum(s for _, s in curves) / len(curves)
        print(f"{name:<38} {reach}  {per_seed:<22} {sum(finals) / len(finals):6.1%} {seconds:6.0f}")


if __name__ == "__main__":
    main()

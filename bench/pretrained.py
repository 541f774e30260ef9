"""Pretrained EfficientNet-Lite0 (frozen, cached features) vs the tiny encoder from scratch, in one run.

1. Epoch time with a frozen Lite0: encoding every epoch (`--augment`) vs cached feature maps
   (encoded once, then head-only epochs), on a small `vision-synth` set.
2. Same epoch budget, same data: Lite0 frozen vs tiny from scratch, top-1 on the test split.
3. The tiny real set `../shared/data/real/steps/` (2 classes x 3 clips), leave-one-out: each clip
   is predicted by a model trained on the other five (skipped when ../shared is absent).

    python bench/pretrained.py [--epochs 15] [--clips-per-class 16]
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.cli.synth import main as synth_main  # noqa: E402
from vision.cli.train import main as train_main  # noqa: E402
from vision.engine.batch import classify_video  # noqa: E402

STEPS = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "steps"
LITE = ["--backbone", "efficientnet_lite0", "--pretrained", "imagenet", "--frame-size", "160"]
TINY = ["--backbone", "tiny", "--frame-size", "112"]


def train(data: Path, out: Path, cache: Path, epochs: int, *extra: str) -> tuple[list[dict], float]:
    """Run vision-train quietly; (metrics rows, wall seconds including any one-off encoding)."""
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = train_main([str(data), "--out", str(out), "--epochs", str(epochs), "--batch-size", "8", "--lr", "3e-3",
                           "--scheduler", "cosine", "--early-stop", "1000", "--cache-dir", str(cache), "--quiet", *extra])
    if code != 0:
        raise SystemExit(f"vision-train failed ({code})")
    with (out / "metrics.csv").open() as f:
        return list(csv.DictReader(f)), time.perf_counter() - start


def leave_one_out(root: Path, tmp: Path, epochs: int, options: list[str]) -> tuple[int, int]:
    """(correct, total) over the clips of `root`, each predicted by a model trained without it."""
    clips = sorted(root.glob("*/*.mp4"))
    classes = sorted({c.parent.name for c in clips})
    correct = 0
    for k, held in enumerate(clips):
        fold = tmp / f"fold{k}"
        for c in clips:
            (fold / c.parent.name).mkdir(parents=True, exist_ok=True)
            (fold / c.parent.name / c.name).symlink_to(c)
        (fold / "classInd.txt").write_text("".join(f"{i} {c}\n" for i, c in enumerate(classes, 1)))
        (fold / "trainlist01.txt").write_text("".join(f"{c.parent.name}/{c.name} {classes.index(c.parent.name) + 1}\n"
                                                      for c in clips if c != held))
        (fold / "testlist01.txt").write_text(f"{held.parent.name}/{held.name}\n")
        train(fold, tmp / f"run{k}", tmp / "cache", epochs, *options, "--frames", "8")
        result = classify_video(load_checkpoint(tmp / f"run{k}" / "best"), held)
        correct += result.top[0] == held.parent.name
    return correct, len(clips)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--clips-per-class", type=int, default=16)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    data = tmp / "synth"
    synth_main([str(data), "--clips-per-class", str(args.clips_per_class), "--seconds", "2", "3", "--seed", "3",
                "--workers", "2", "--quiet"])

    rows_aug, wall_aug = train(data, tmp / "aug", tmp / "c1", 2, *LITE, "--augment")
    rows_cached, wall_cached = train(data, tmp / "cached", tmp / "c2", 2, *LITE)
    encode_every = sum(float(r["epoch_seconds"]) for r in rows_aug) / len(rows_aug)
    head_only = sum(float(r["epoch_seconds"]) for r in rows_cached) / len(rows_cached)
    print(f"Lite0 frozen @160px, {args.clips_per_class} clips/class: epoch {encode_every:.1f} s encoding every epoch vs "
          f"{head_only:.1f} s from cached features = {encode_every / head_only:.1f}x faster per epoch "
          f"(one-off encoding included: 2-epoch run {wall_aug:.0f} s vs {wall_cached:.0f} s)")

    results = {}
    for name, options, cache in (("efficientnet_lite0 frozen (ImageNet)", LITE, tmp / "c2"), ("tiny from scratch", TINY, tmp / "c3")):
        rows, wall = train(data, tmp / name.split()[0], cache, args.epochs, *options)
        results[name] = (max(float(r["val_top1"]) for r in rows), wall)
    print(f"same budget ({args.epochs} epochs, test split of unseen groups):")
    for name, (top1, wall) in results.items():
        print(f"  {name:<38} best top-1 {top1:6.1%}  {wall:6.0f} s")

    if STEPS.is_dir():
        for name, options in (("efficientnet_lite0 frozen", LITE), ("tiny from scratch", TINY)):
            correct, total = leave_one_out(STEPS, tmp / f"loo-{name.split()[0]}", args.epochs, options)
            print(f"steps leave-one-out, {name}: {correct}/{total} clips right")
    else:
        print(f"steps leave-one-out: skipped ({STEPS} not present)")


if __name__ == "__main__":
    main()

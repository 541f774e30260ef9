"""A pose checkpoint on a fresh synthetic set, broken down by camera view.

    python bench/pose_views.py weights/default --data /tmp/fresh      # made with a seed never trained on:
    vision-synth /tmp/fresh --pose --clips-per-class 40 --seed 99

Every clip of the set (train and test lists: none of it was seen in training when the seed is
fresh) is classified from 3 windows spread over it; top-1 is printed overall, per class and
per camera yaw (0 = the person faces the camera, 90 = the camera at their left, 180 = behind)
and elevation, from each clip's `meta`.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.data.landmarks import load_sequence  # noqa: E402
from vision.data.ucf import index_dataset  # noqa: E402
from vision.train.evaluate import evaluate_items  # noqa: E402

YAW_BINS = ((-22.5, 22.5, "front"), (22.5, 67.5, "front-left"), (67.5, 112.5, "left side"),
            (112.5, 157.5, "back-left"), (157.5, 202.5, "back"), (202.5, 247.5, "back-right"),
            (247.5, 292.5, "right side"), (292.5, 337.5, "front-right"))


def yaw_bin(yaw: float) -> str:
    yaw = (yaw + 22.5) % 360 - 22.5
    return next(name for lo, hi, name in YAW_BINS if lo <= yaw < hi)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--data", required=True, type=Path, help="a vision-synth --pose folder made with a fresh seed")
    p.add_argument("--clips", type=int, default=3, help="windows averaged per clip (3)")
    p.add_argument("--variants", action="store_true", help="also break each class down by its generator variant")
    args = p.parse_args()
    ckpt = load_checkpoint(args.checkpoint)
    index = index_dataset(args.data)
    items = index.train + index.test
    result = evaluate_items(ckpt, items, index.classes, args.clips)
    by: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for item, pred in zip(items, result.predictions):
        meta = load_sequence(item.path).meta
        right = pred["predicted"] == pred["true"]
        by["class"][pred["true"]].append(right)
        by["yaw"][yaw_bin(float(meta.get("yaw_deg", 0.0)))].append(right)
        elevation = float(meta.get("elevation_deg", 0.0))
        by["elevation"]["below 10" if elevation < 10 else "10-25" if elevation < 25 else "25 and above"].append(right)
        by["framing"][str(meta.get("framing", "?"))].append(right)
        variant = meta.get("variant", {})
        by["variant"][f"{pred['true']}/{variant.get('variant', '-') if isinstance(variant, dict) else variant}"].append(right)
    ev = result.evaluation
    print(f"{args.checkpoint} on {args.data} ({ev.count} clips, fresh seed): top-1 {ev.top1:.1%}, top-5 {ev.top5:.1%}")
    for kind in ("yaw", "elevation", "framing", "class") + (("variant",) if args.variants else ()):
        print(f"\nby {kind}:")
        order = [n for _, _, n in YAW_BINS] if kind == "yaw" else sorted(by[kind])
        for name in order:
            hits = by[kind].get(name, [])
            if hits:
                print(f"  {name:<{max(16, len(name))}} {np.mean(hits):6.1%}  ({len(hits)} clips)")


if __name__ == "__main__":
    main()

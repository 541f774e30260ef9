"""Calibrate the `unknown` answer of a checkpoint: a threshold on the top class probability.

    python -m vision.train.calibrate CHECKPOINT --known DATA --other OTHER [--accept 0.95]

`DATA` holds clips of the checkpoint's own classes (its test split is used), `OTHER` clips of
actions outside them (e.g. `vision-synth OTHER --pose --classes other --include-other`). The
threshold keeps `--accept` of the known clips' windows (their top probability at or above it);
the share of OTHER's windows that still clear it is the false-accept rate. The threshold, both
rates and what they were measured on go into the checkpoint's `config.json` (`extra`), which
every engine reads: windows below it say "unknown". `--upright-only` (pose models trained only
on upright people, like every `vision-synth --pose` class) also makes the engines call a window
"unknown" when its person is not upright in most frames (lying down, upside down, or a false
find such as an arm taken for a body lying across the view).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from vision.atomic import atomic_file
from vision.checkpoint import CONFIG_FILE, Checkpoint, load_checkpoint
from vision.data.ucf import VideoItem, index_dataset
from vision.train.evaluate import evaluate_items

# what calibration writes into config.json `extra` (a checkpoint whose weights change loses them)
CALIBRATION_KEYS = ("unknown_threshold", "known_accepted", "other_false_accept", "unknown_calibration")


def top_probabilities(ckpt: Checkpoint, items: list[VideoItem], classes: list[str], clips: int = 3) -> np.ndarray:
    """The top class probability of each clip (test-time averaged over `clips` windows)."""
    result = evaluate_items(ckpt, items, classes, clips)
    return np.array([p["probability"] for p in result.predictions])


def choose_threshold(known: np.ndarray, other: np.ndarray, accept: float) -> dict:
    """The threshold keeping `accept` of `known`, and what it does to `other`."""
    threshold = float(np.quantile(known, 1.0 - accept)) if len(known) else 0.0
    return {
        "unknown_threshold": round(threshold, 4),
        "known_accepted": round(float((known >= threshold).mean()), 4) if len(known) else None,
        "other_false_accept": round(float((other >= threshold).mean()), 4) if len(other) else None,
    }


def write_extra(path: Path, values: dict) -> None:
    """Merge `values` into a checkpoint's config.json `extra`, atomically."""
    config_path = path / CONFIG_FILE
    config = json.loads(config_path.read_text())
    config.setdefault("extra", {}).update(values)
    with atomic_file(config_path) as tmp:
        tmp.write_text(json.dumps(config, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m vision.train.calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", type=Path)
    p.add_argument("--known", required=True, help="dataset of the checkpoint's classes (its test split is used)")
    p.add_argument("--other", required=True, help="dataset of actions outside the label set (all its clips are used)")
    p.add_argument("--accept", type=float, default=0.95, help="share of known windows to keep (0.95)")
    p.add_argument("--clips", type=int, default=3, help="windows averaged per clip (3)")
    p.add_argument("--upright-only", action="store_true",
                   help="the model only knows upright people: windows of anyone else say unknown")
    args = p.parse_args(argv)
    ckpt = load_checkpoint(args.checkpoint)
    known_index = index_dataset(args.known)
    other_index = index_dataset(args.other, split=None, val_fraction=0.5)
    known = top_probabilities(ckpt, known_index.test, known_index.classes, args.clips)
    other = top_probabilities(ckpt, other_index.train + other_index.test, other_index.classes, args.clips)
    values = choose_threshold(known, other, args.accept)
    values["unknown_calibration"] = {"known": str(args.known), "other": str(args.other), "known_clips": len(known),
                                     "other_clips": len(other), "accept": args.accept}
    if args.upright_only:
        values["upright_only"] = True
    write_extra(args.checkpoint, values)
    print(json.dumps(values, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

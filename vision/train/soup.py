"""Average the weights of checkpoints fine-tuned from one starting point (a "model soup").

    python -m vision.train.soup OUT CKPT CKPT [...] [--weights W W ...]

Runs fine-tuned from the same checkpoint with different seeds usually sit in one basin of the
loss, so the mean of their weights is a model of its own that often generalises like their
ensemble at the cost of one model (Wortsman et al., "Model soups", ICML 2022). Two ingredients
with weights (1 - a, a), the starting checkpoint and a fine-tune of it, give the interpolation
of "Robust fine-tuning of zero-shot models" (WiSE-FT, CVPR 2022). Checkpoints must share the
model config, clip config and labels. The soup's `unknown` threshold is dropped: calibrate it
again (`python -m vision.train.calibrate OUT ...`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from vision.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from vision.config import to_dict
from vision.errors import CheckpointError, VisionError
from vision.train.calibrate import CALIBRATION_KEYS


def _check_compatible(first: Checkpoint, other: Checkpoint) -> None:
    if to_dict(first.model_config) != to_dict(other.model_config):
        raise CheckpointError(f"{other.path}: model config differs from {first.path}'s; only the same model can be averaged")
    if to_dict(first.clip_config) != to_dict(other.clip_config):
        raise CheckpointError(f"{other.path}: clip config differs from {first.path}'s")
    if first.labels != other.labels:
        raise CheckpointError(f"{other.path}: labels differ from {first.path}'s")


def average_states(states: list[dict[str, torch.Tensor]], weights: list[float]) -> dict[str, torch.Tensor]:
    """The weighted mean of floating-point tensors; integer buffers (BatchNorm's step count) from the first."""
    total = float(sum(weights))
    out = {}
    for key, first in states[0].items():
        if first.is_floating_point():
            out[key] = sum(w / total * s[key].double() for s, w in zip(states, weights)).to(first.dtype)
        else:
            out[key] = first.clone()
    return out


def make_soup(paths: list[Path], out: Path, weights: list[float] | None = None) -> Path:
    """Write the weighted average of the checkpoints at `paths` as a new checkpoint at `out`."""
    if len(paths) < 2:
        raise VisionError("a soup needs at least two checkpoints")
    weights = list(weights) if weights is not None else [1.0] * len(paths)
    if len(weights) != len(paths) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise VisionError(f"--weights needs {len(paths)} non-negative numbers with a positive sum, got {weights}")
    ckpts = [load_checkpoint(p) for p in paths]
    for other in ckpts[1:]:
        _check_compatible(ckpts[0], other)
    state = average_states([c.model.state_dict() for c in ckpts], weights)
    model = ckpts[0].model
    model.load_state_dict(state)
    extra = {k: v for k, v in ckpts[0].extra.items() if k not in CALIBRATION_KEYS}
    extra["soup"] = {"ingredients": [str(p) for p in paths], "weights": weights}
    return save_checkpoint(out, model, ckpts[0].clip_config, ckpts[0].labels, extra=extra)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m vision.train.soup", description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="checkpoint folder to write")
    p.add_argument("checkpoints", type=Path, nargs="+", help="checkpoints fine-tuned from the same start")
    p.add_argument("--weights", type=float, nargs="+", help="one weight per checkpoint (default: equal)")
    args = p.parse_args(argv)
    try:
        out = make_soup(args.checkpoints, args.out, args.weights)
    except VisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} (mean of {len(args.checkpoints)} checkpoints; calibrate its unknown threshold again)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

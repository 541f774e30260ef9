"""Does a pose model read the hips' motion? Its answers on a real clip's windows with the motion
numbers (hip velocity, body growth) scaled by 0, 1, 3 and 10, next to how far the body travelled
and how much the ankles moved in each window.

    python bench/motion_probe.py weights/default                       # the person demo, its hand labels
    python bench/motion_probe.py runs/t1/best --video PATH --labels tests/data/real_labels.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.real_eval import label_at  # noqa: E402
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.engine.posefront import track_video_samples  # noqa: E402
from vision.pose.features import POINT_DIM, PRESENT  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GAINS = (0.0, 1.0, 3.0, 10.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--video", type=Path, default=ROOT.parent / "shared/data/real/spm_example_video.webm")
    p.add_argument("--labels", type=Path, default=ROOT / "tests/data/real_labels.json")
    p.add_argument("--classes", nargs=2, default=["walk", "no_action"], help="the two probabilities to print")
    args = p.parse_args()
    ckpt = load_checkpoint(args.checkpoint)
    model, t = ckpt.model.eval(), ckpt.clip_config.num_frames
    a, b = (ckpt.labels.index(c) for c in args.classes)
    segs = next(c["segments"] for c in json.loads(args.labels.read_text()) if Path(c["path"]).name == args.video.name)
    tracked = track_video_samples(args.video, ckpt.clip_config.fps)
    feats, times = tracked.features, tracked.times
    print(f"{args.checkpoint} on {args.video.name}: p({args.classes[0]})/p({args.classes[1]}) "
          f"with the motion numbers x{', x'.join(f'{g:g}' for g in GAINS)}")
    for s in range(0, len(feats) - t + 1, ckpt.clip_config.stride):
        window = feats[s:s + t]
        cells = []
        for gain in GAINS:
            x = window.copy()
            x[:, PRESENT + 1:] *= gain
            with torch.no_grad():
                probs = torch.softmax(model(torch.from_numpy(x)[None]).logits, 1)[0]
            cells.append(f"{probs[a]:.2f}/{probs[b]:.2f}")
        travel = window[:, PRESENT + 1:].sum(axis=0)
        ankles = window[:, :PRESENT].reshape(t, -1, POINT_DIM)[:, 27:29, :2].std(axis=0).mean()  # the ankles
        truth = label_at(segs, (times[s] + times[s + t - 1]) / 2)
        print(f"{times[s]:5.1f}s {truth:<10} {'  '.join(cells)}   travel dx {travel[0]:+.2f} dlogH {travel[2]:+.2f}"
              f"   ankle spread {ankles:.3f}")


if __name__ == "__main__":
    main()

"""Which body part makes a pose model say what it says? Transplant the arms, legs or head between
a real clip's windows of one label and synthetic clips of that class, and read p(class).

    python bench/part_swap.py weights/default                  # the person demo's steps vs synthetic frontal steps back
    python bench/part_swap.py CKPT --data DIR --variant forward --yaw 30 --video PATH --labels JSON

Synthetic windows: the first `num_frames` sampled frames of `--class` clips in `--data` (all
splits) whose camera is within `--yaw` degrees of the face, whose body is fully in frame, and
whose walk variant (if `--variant`) and step directions (`--directions`, degrees from the
heading) match. Real windows: those of `--video` whose centre has that hand label. A part
swapped in keeps its own canvas coordinates (both sides are centred on the hips and scaled by
the body's height). Also printed: the arm geometry of both sides, in body heights from the hips.
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
from vision.data.landmarks import load_sequence  # noqa: E402
from vision.data.posedata import resample  # noqa: E402
from vision.engine.posefront import track_video_samples  # noqa: E402
from vision.pose.features import POINT_DIM, PRESENT, sequence_features  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PARTS = {"head": list(range(11)), "arms": list(range(13, 23)), "legs": list(range(23, 33))}


def points(window: np.ndarray) -> np.ndarray:
    """(T, FEATURE_DIM) features -> a (T, 33, 3) view of their canvas landmarks."""
    return window[:, :PRESENT].reshape(len(window), 33, POINT_DIM)


def transplant(into: np.ndarray, source: np.ndarray, part: str) -> np.ndarray:
    """`into` with `part`'s landmarks taken from `source` (frame by frame)."""
    out = into.copy()
    points(out)[:, PARTS[part]] = points(source)[:, PARTS[part]]
    return out


def synthetic_windows(args: argparse.Namespace, t: int, fps: float) -> list[np.ndarray]:
    """The matching synthetic clips' first windows."""
    found = []
    for path in sorted((args.data / args.cls).glob("*.npz")):
        seq = load_sequence(path)
        meta = seq.meta
        variant = meta.get("variant", {})
        if min(meta["yaw_deg"] % 360, 360 - meta["yaw_deg"] % 360) > args.yaw or meta["framing"] != "full":
            continue
        if args.variant and variant.get("variant") != args.variant:
            continue
        if args.directions and not all(abs(abs(float(d)) - args.directions) < 30
                                       for d in str(variant.get("directions", "")).split(",") if d):
            continue
        window = sequence_features(resample(seq, fps))  # at the model's rate, as training samples it
        if len(window) >= t:
            found.append(window[:t])
    return found


def arm_geometry(windows: list[np.ndarray]) -> np.ndarray:
    """(N, 4): elbows' and wrists' mean distance out from the hips' centre, their mean height."""
    rows = []
    for w in windows:
        p = points(w)
        rows.append([np.abs(p[:, 13:15, 0]).mean(), np.abs(p[:, 15:17, 0]).mean(), p[:, 13:15, 1].mean(), p[:, 15:17, 1].mean()])
    return np.array(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--video", type=Path, default=ROOT.parent / "shared/data/real/spm_example_video.webm")
    p.add_argument("--labels", type=Path, default=ROOT / "tests/data/real_labels.json")
    p.add_argument("--data", type=Path, required=True, help="a `vision-synth --pose` folder")
    p.add_argument("--class", dest="cls", default="walk")
    p.add_argument("--variant", default="start_stop", help="walk variant ('' for any)")
    p.add_argument("--directions", type=float, default=180.0, help="step direction, degrees from the heading (0: any)")
    p.add_argument("--yaw", type=float, default=30.0, help="camera within this many degrees of the face")
    args = p.parse_args()
    ckpt = load_checkpoint(args.checkpoint)
    model, t, fps = ckpt.model.eval(), ckpt.clip_config.num_frames, ckpt.clip_config.fps
    k = ckpt.labels.index(args.cls)

    def prob(window: np.ndarray) -> float:
        with torch.no_grad():
            return float(torch.softmax(model(torch.from_numpy(window)[None]).logits, 1)[0, k])

    segments = next(c["segments"] for c in json.loads(args.labels.read_text()) if Path(c["path"]).name == args.video.name)
    tracked = track_video_samples(args.video, fps)
    real = [tracked.features[s:s + t] for s in range(0, len(tracked.features) - t + 1, ckpt.clip_config.stride)
            if label_at(segments, (tracked.times[s] + tracked.times[s + t - 1]) / 2) == args.cls]
    synth = synthetic_windows(args, t, fps)
    if not real or not synth:
        sys.exit(f"part_swap: {len(real)} real and {len(synth)} synthetic '{args.cls}' windows: nothing to compare")
    print(f"{args.checkpoint}: p({args.cls}), {len(real)} real windows of {args.video.name}, {len(synth)} synthetic "
          f"({args.data.name}, {args.variant or 'any variant'}, camera within {args.yaw:g} deg of the face)")
    print(f"  as they are:          real {np.mean([prob(w) for w in real]):.2f}   synthetic {np.mean([prob(w) for w in synth]):.2f}")
    for part in PARTS:
        into_synth = np.mean([prob(transplant(w, real[i % len(real)], part)) for i, w in enumerate(synth)])
        into_real = np.mean([prob(transplant(w, synth[i % len(synth)], part)) for i, w in enumerate(real)])
        print(f"  {part:<5} swapped:        real with synthetic {part} {into_real:.2f}   synthetic with real {part} {into_synth:.2f}")
    a, b = arm_geometry(real), arm_geometry(synth)
    for i, name in enumerate(("elbows out", "wrists out", "elbows y", "wrists y")):
        lo, mid, hi = np.percentile(b[:, i], [10, 50, 90])
        print(f"  {name:<11} real {a[:, i].mean():+.3f}   synthetic p10 {lo:+.3f} median {mid:+.3f} p90 {hi:+.3f}")


if __name__ == "__main__":
    main()

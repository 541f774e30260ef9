"""Batch classification cost, measured side by side in one run on the same file.

Prints three wall times and two ratios: `vision-classify`'s pipeline vs PyAV decode-only of
the same file (goal <= 1.5x on CPU with the default model), and the naive way (re-encoding all
T frames of every window) vs ours.

    .venv/bin/python bench/classify.py [--weights weights/shapes] [--seconds 30]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from _common import add_model_options, bench_checkpoint, with_backend
from vision.data.clips import dense_windows
from vision.data.transforms import preprocess_frames
from vision.engine.batch import classify_video
from vision.video.decode import iter_frames, read_video
from vision.video.encode import write_video
from vision.video.synth import ACTIONS, render_sequence


def decode_only(path: Path) -> float:
    import av

    start = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass
    return time.perf_counter() - start


@torch.no_grad()
def naive(ckpt, path: Path) -> float:
    """Decode + for every window, preprocess and encode all of its T frames again."""
    clip = ckpt.clip_config
    start = time.perf_counter()
    frames, _ = read_video(path, fps=clip.fps)
    for w in dense_windows(len(frames), clip.num_frames, clip.stride):
        model = ckpt.model
        model.classify_embeddings(model.encode_frames(preprocess_frames(frames[w], clip)[None]).embeddings)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_options(parser)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the generated 640x480 30 fps video")
    parser.add_argument("--video", type=Path, help="use this file instead of a generated one")
    parser.add_argument("--repeats", type=int, default=3, help="runs per variant, interleaved (best kept)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt, name = bench_checkpoint(args.weights, Path(tmp), args.backbone)
        ckpt, name = with_backend(ckpt, name, args.backend, Path(tmp))
        path = args.video
        if path is None:
            n = max(1, round(args.seconds / 3))
            actions = [ACTIONS[i % len(ACTIONS)] for i in range(n)]
            frames, _ = render_sequence(actions, args.seconds / n, np.random.default_rng(0), 640, 480, 30)
            path = write_video(Path(tmp) / "bench.mp4", frames, 30)
        sampled = sum(1 for _ in iter_frames(path, fps=ckpt.clip_config.fps))
        print(f"{path.name}: {sampled} sampled frames at {ckpt.clip_config.fps} fps; model {name}: "
              f"{ckpt.model_config.backbone} {ckpt.clip_config.frame_size}px T={ckpt.clip_config.num_frames} "
              f"stride={ckpt.clip_config.stride}")
        classify_video(ckpt, path)  # warm-up
        times = {"decode": [], "ours": [], "naive": []}
        for _ in range(args.repeats):
            times["decode"].append(decode_only(path))
            times["ours"].append(classify_video(ckpt, path).seconds)
            times["naive"].append(naive(ckpt, path))
        d, o, n = (min(times[k]) for k in ("decode", "ours", "naive"))
        print(f"PyAV decode only      {d:7.2f} s")
        print(f"vision-classify       {o:7.2f} s   = {o / d:4.2f}x decode-only (goal <= 1.5x)")
        print(f"naive re-encode       {n:7.2f} s   = {n / o:4.1f}x slower than vision-classify")


if __name__ == "__main__":
    main()

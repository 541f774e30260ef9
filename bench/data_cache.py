"""One training epoch's data loading: through the decode cache vs decoding every clip.

Same clips, same sampling, measured side by side in one run; prints the ratio.

    .venv/bin/python bench/data_cache.py [--clips-per-class 8] [--repeats 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from vision.config import ClipConfig
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import ClipDataset
from vision.data.synthset import SynthOptions, make_synth_dataset
from vision.data.transforms import TrainAugment
from vision.data.ucf import index_dataset


def epoch_seconds(dataset: ClipDataset) -> float:
    torch.manual_seed(0)
    start = time.perf_counter()
    for i in range(len(dataset)):
        dataset[i]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-per-class", type=int, default=8, help="synth clips per class (9 classes)")
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per variant (best is kept)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    clip = ClipConfig()  # T=16, 112 px, 10 fps
    params = DecodeParams(clip.fps, short_side=128)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_synth_dataset(Path(tmp) / "ds", SynthOptions(clips_per_class=args.clips_per_class, seed=0))
        items = index_dataset(root).train
        cache = FrameCache(Path(tmp) / "cache", params)
        t0 = time.perf_counter()
        cache.build(item.path for item in items)
        build = time.perf_counter() - t0
        print(f"{len(items)} training clips; building the cache took {build:.2f} s (once)")
        for label, augment in (("with augmentation", TrainAugment(clip)), ("plain preprocessing", None)):
            decode, cached = [], []
            for _ in range(args.repeats):  # interleaved so machine noise hits both alike
                decode.append(epoch_seconds(ClipDataset(items, clip, FrameCache(None, params), "random", augment)))
                cached.append(epoch_seconds(ClipDataset(items, clip, cache, "random", augment)))
            d, c = min(decode), min(cached)
            print(f"{label:20s} decode every clip {d:6.2f} s | through cache {c:6.2f} s | speed-up {d / c:5.1f}x")


if __name__ == "__main__":
    main()

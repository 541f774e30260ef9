"""The data side of a run: readable videos, class checks, class weights, the feature cache,
and starting weights from another checkpoint (`--init`)."""
from __future__ import annotations

import hashlib
import os
import random
import sys
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from vision.config import ClipConfig
from vision.data.cache import FrameCache
from vision.data.features import FeatureCache
from vision.data.ucf import DatasetIndex, VideoItem
from vision.errors import CheckpointError, DatasetError
from vision.train import distributed as D
from vision.train.config import TrainConfig


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def drop_unreadable(index: DatasetIndex, cache: FrameCache, config: TrainConfig, info: D.DistInfo) -> tuple[list[VideoItem], list[VideoItem]]:
    """Decode every video once (filling the cache); skip unreadable ones, fail if too many."""
    items = index.train + index.test
    if info.is_main:
        bar = tqdm(total=len(items), desc="decoding videos", unit="video", leave=False, disable=None)
        threads = min(8, os.cpu_count() or 1)
        bad = dict(cache.build((i.path for i in items), progress=lambda: bar.update(1), workers=threads))
        bar.close()
    D.barrier(info)
    if not info.is_main:  # after rank 0 filled the cache: hits, only failures decode again
        bad = dict(cache.build(i.path for i in items))
    if bad and info.is_main:
        warn(f"skipping {len(bad)} unreadable video(s): " + "; ".join(bad.values()))
    if len(bad) > config.max_bad_fraction * len(items):
        raise DatasetError(
            f"{index.root}: {len(bad)} of {len(items)} videos are unreadable (more than "
            f"--max-bad-fraction {config.max_bad_fraction:g}); first: {next(iter(bad.values()))}"
        )
    return [i for i in index.train if i.path not in bad], [i for i in index.test if i.path not in bad]


def check_classes(index: DatasetIndex, train: list[VideoItem], val: list[VideoItem]) -> None:
    """Every class needs training videos, the run needs validation videos."""
    if len(index.classes) < 2:
        raise DatasetError(f"{index.root}: need at least 2 classes, found {len(index.classes)}")
    counts = {c: 0 for c in index.classes}
    for item in train:
        counts[index.classes[item.label]] += 1
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise DatasetError(f"{index.root}: no readable training videos for class(es) {', '.join(empty)}")
    if not val:
        raise DatasetError(f"{index.root}: no validation videos (add a testlist or more clips per class)")
    no_val = set(index.classes) - {index.classes[i.label] for i in val}
    if no_val:
        warn(f"class(es) without validation videos: {', '.join(sorted(no_val))}")


def holdout_split(items: list[VideoItem], fraction: float, seed: int) -> tuple[list[VideoItem], list[VideoItem]]:
    """Per class, hold out about `fraction` of the training clips for validation (at least one,
    never all): whole groups when the class has 4 or more (so validation shares no look with
    training), else single clips taken from different groups."""
    rng = random.Random(seed)
    train: list[VideoItem] = []
    held: list[VideoItem] = []
    for label in sorted({i.label for i in items}):
        mine = [i for i in items if i.label == label]
        groups = sorted({i.group for i in mine})
        if len(groups) >= 4:
            rng.shuffle(groups)
            chosen = set(groups[: max(1, round(len(groups) * fraction))])
            out = [i for i in mine if i.group in chosen]
        else:  # round-robin over groups, so the held-out clips come from as many groups as possible
            by_group = {g: [i for i in mine if i.group == g] for g in groups}
            for clips in by_group.values():
                rng.shuffle(clips)
            order = [clips[k] for k in range(max(map(len, by_group.values()))) for clips in by_group.values() if k < len(clips)]
            out = order[: min(len(mine) - 1, max(1, round(len(mine) * fraction)))]
        train += [i for i in mine if i not in out]
        held += out
    return train, held


def class_weights(items: list[VideoItem], num_classes: int, device: torch.device) -> torch.Tensor:
    """Inverse class frequency, normalised to a mean of 1 over classes."""
    counts = np.bincount([i.label for i in items], minlength=num_classes).astype(np.float64)
    return torch.tensor(counts.sum() / (len(counts) * np.maximum(counts, 1)), dtype=torch.float32, device=device)


def build_feature_cache(encoder: torch.nn.Module, backbone: str, frames: FrameCache, root: Path, items: list[VideoItem],
                        clip: ClipConfig, device: torch.device, info: D.DistInfo = D.DistInfo(), show: bool = False) -> FeatureCache:
    """Backbone feature maps of every video, computed once (rank 0 first, then the others hit);
    keyed by the backbone's name and weights, so runs on the same frozen backbone share them."""
    digest = hashlib.sha1()
    for name, tensor in sorted(encoder.state_dict().items()):
        digest.update(name.encode() + tensor.detach().cpu().numpy().tobytes())
    features = FeatureCache(Path(root) / "features", frames, encoder, clip, f"{backbone}|{digest.hexdigest()}", device)
    if info.is_main:
        bar = tqdm(total=len(items), desc="encoding frames once", unit="video", leave=False, disable=not show)
        features.build((i.path for i in items), progress=lambda: bar.update(1))
        bar.close()
    D.barrier(info)
    return features


def load_init_weights(model: torch.nn.Module, checkpoint: str | Path) -> list[str]:
    """Copy a checkpoint's weights into `model`; every tensor must fit. Returns the model's keys the
    checkpoint lacks (e.g. a new video head), which keep their fresh initialisation."""
    from safetensors.torch import load_file

    from vision.checkpoint import WEIGHTS_FILE

    path = Path(checkpoint) / WEIGHTS_FILE
    if not path.is_file():
        raise CheckpointError(f"{checkpoint}: --init needs a checkpoint directory with {WEIGHTS_FILE}")
    state, expected = load_file(str(path)), model.state_dict()
    misfit = [k for k, v in state.items() if k not in expected or expected[k].shape != v.shape]
    if misfit:
        raise CheckpointError(f"{checkpoint}: {len(misfit)} tensor(s) do not fit the model being trained "
                              f"(e.g. {misfit[0]}): --init needs the same architecture")
    model.load_state_dict(state, strict=False)
    return sorted(set(expected) - set(state))

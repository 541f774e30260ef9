"""Clip sampling, preprocessing and the ClipDataset."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import (
    ClipDataset,
    center_segment,
    dense_windows,
    random_segment,
    spread_windows,
    uniform_indices,
)
from vision.data.transforms import TrainAugment, preprocess_frames
from vision.data.ucf import index_dataset


def test_sampling_functions() -> None:
    assert center_segment(10, 4).tolist() == [3, 4, 5, 6]
    assert center_segment(3, 4).tolist() == [0, 1, 2]
    assert uniform_indices(8, 4).tolist() == [1, 3, 5, 7]
    windows = dense_windows(10, 4, 4)
    assert [w[0] for w in windows] == [0, 4, 6]
    assert all(len(w) == 4 for w in windows)
    assert [w[0] for w in spread_windows(20, 4, 3)] == [0, 8, 16]
    for _ in range(20):
        seg = random_segment(10, 4)
        assert len(seg) == 4 and seg[0] in range(7) and np.all(np.diff(seg) == 1)


def test_preprocess_normalises_full_frame() -> None:
    clip = ClipConfig(frame_size=32, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    frames = np.zeros((2, 48, 64, 3), np.uint8)
    frames[:, :, 32:] = 255  # right half white survives the squash to 32x32
    x = preprocess_frames(frames, clip)
    assert x.shape == (2, 3, 32, 32) and x.dtype == torch.float32
    assert x[0, :, :, :15].max() == -1 and x[0, :, :, 17:].min() == 1


def test_augmentation_is_the_same_for_every_frame_of_a_clip() -> None:
    torch.manual_seed(0)
    clip = ClipConfig(frame_size=32)
    frame = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    out = TrainAugment(clip, flip=True)(np.stack([frame] * 5))
    assert out.shape == (5, 3, 32, 32)
    for t in range(1, 5):
        torch.testing.assert_close(out[t], out[0])


def test_dataset_pads_short_videos_and_labels(synth_root: Path, tmp_path: Path) -> None:
    index = index_dataset(synth_root)
    clip = ClipConfig(num_frames=32, frame_size=48, fps=10)  # longer than any 1-1.5 s clip
    cache = FrameCache(tmp_path / "c", DecodeParams(clip.fps, 56))
    ds = ClipDataset(index.train, clip, cache, mode="random", augment=TrainAugment(clip))
    x, mask, label = ds[0]
    assert x.shape == (32, 3, 48, 48)
    n = int(mask.sum())
    assert 10 <= n <= 16 and mask[:n].all() and not mask[n:].any()
    assert (x[n:] == 0).all()
    assert label == index.train[0].label
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert batch[0].shape == (4, 32, 3, 48, 48) and batch[1].shape == (4, 32)

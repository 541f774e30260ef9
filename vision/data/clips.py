"""Clip sampling and the training/evaluation `ClipDataset`.

Frames are decoded at the model's fps, so a clip is T *consecutive* sampled frames; videos
shorter than T give a shorter clip, zero-padded with a mask (the model ignores padding).
"""
from __future__ import annotations

from typing import Callable, Literal, Sequence

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.cache import FrameCache
from vision.data.transforms import preprocess_frames
from vision.data.ucf import VideoItem

SampleMode = Literal["random", "center", "uniform"]


def random_segment(n: int, t: int, generator: torch.Generator | None = None) -> np.ndarray:
    """T consecutive indices at a random start (all n when n <= T): training's temporal jitter."""
    if n <= t:
        return np.arange(n)
    start = int(torch.randint(0, n - t + 1, (1,), generator=generator))
    return np.arange(start, start + t)


def center_segment(n: int, t: int) -> np.ndarray:
    """T consecutive indices in the middle of the video (all n when n <= T)."""
    if n <= t:
        return np.arange(n)
    start = (n - t) // 2
    return np.arange(start, start + t)


def uniform_indices(n: int, t: int) -> np.ndarray:
    """T indices spread over the whole video, one per equal segment (TSN style)."""
    if n <= t:
        return np.arange(n)
    return ((np.arange(t) + 0.5) * n / t).astype(np.int64)


def dense_windows(n: int, t: int, stride: int) -> list[np.ndarray]:
    """Sliding windows of T consecutive indices every `stride`; the last one ends at n."""
    if n <= t:
        return [np.arange(n)]
    starts = list(range(0, n - t + 1, stride))
    if starts[-1] != n - t:
        starts.append(n - t)
    return [np.arange(s, s + t) for s in starts]


def spread_windows(n: int, t: int, k: int) -> list[np.ndarray]:
    """K windows of T consecutive indices spread evenly over the video (test-time averaging)."""
    if n <= t or k <= 1:
        return [center_segment(n, t)]
    starts = np.linspace(0, n - t, k).round().astype(int)
    return [np.arange(s, s + t) for s in sorted(set(starts.tolist()))]


def pad_clip(clip: torch.Tensor, t: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-pad (n, 3, S, S) to (T, 3, S, S); return it with its (T,) valid-step mask."""
    n = clip.shape[0]
    mask = torch.zeros(t, dtype=torch.bool)
    mask[:n] = True
    if n < t:
        clip = torch.cat([clip, clip.new_zeros(t - n, *clip.shape[1:])])
    return clip, mask


class ClipDataset(torch.utils.data.Dataset):
    """Yields `(clip (T, 3, S, S) float32, mask (T,) bool, label)` for indexed videos.

    Args:
        items: the videos.
        clip: clip length, frame size, normalisation.
        cache: where decoded frames come from.
        mode: `random` segment (training), `center` segment or `uniform` spread (evaluation).
        augment: maps (n, H, W, 3) uint8 frames to a normalised tensor; None = plain preprocessing.
    """

    def __init__(
        self,
        items: Sequence[VideoItem],
        clip: ClipConfig,
        cache: FrameCache,
        mode: SampleMode = "center",
        augment: Callable[[np.ndarray], torch.Tensor] | None = None,
    ) -> None:
        self.items = list(items)
        self.clip = clip
        self.cache = cache
        self.mode = mode
        self.augment = augment

    def __len__(self) -> int:
        return len(self.items)

    def indices(self, n: int) -> np.ndarray:
        t = self.clip.num_frames
        if self.mode == "random":
            return random_segment(n, t)
        if self.mode == "uniform":
            return uniform_indices(n, t)
        return center_segment(n, t)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.items[i]
        frames = self.cache.load(item.path).frames
        picked = np.asarray(frames[self.indices(len(frames))])  # (n, H, W, 3), read from the memmap
        x = self.augment(picked) if self.augment else preprocess_frames(picked, self.clip)
        clip, mask = pad_clip(x, self.clip.num_frames)
        return clip, mask, item.label


class FeatureClipDataset(ClipDataset):
    """Like `ClipDataset`, but yields cached backbone feature maps `(T, C, h, w)` instead of frames."""

    def __init__(self, items: Sequence[VideoItem], clip: ClipConfig, features, mode: SampleMode = "center") -> None:
        super().__init__(items, clip, features.frames, mode)
        self.features = features

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.items[i]
        fmaps = self.features.load(item.path)
        picked = torch.from_numpy(np.asarray(fmaps[self.indices(len(fmaps))], np.float32))
        clip, mask = pad_clip(picked, self.clip.num_frames)
        return clip, mask, item.label

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
from vision.data.motion import consecutive_motion, has_motion
from vision.data.transforms import preprocess_frames
from vision.data.ucf import VideoItem

SampleMode = Literal["random", "center", "uniform"]


def random_segment(n: int, t: int, generator: torch.Generator | None = None) -> np.ndarray:
    """T consecutive indices at a random start (all n when n <= T): training's temporal jitter."""
    if n <= t:
        return np.arange(n)
    start = int(torch.randint(0, n - t + 1, (1,), generator=generator))
    return np.arange(start, start + t)


def speed_segment(n: int, t: int, jitter: float, generator: torch.Generator | None = None) -> np.ndarray:
    """Speed jitter: T indices one `rate` apart at a random start, `rate` drawn log-uniformly in
    [1/(1+jitter), 1+jitter] (rounded to frames; slower than recorded repeats a frame now and then,
    faster skips). The rate is drawn once, so the segment has the largest start range it allows."""
    rate = float(np.exp((torch.rand(1, generator=generator).item() * 2 - 1) * np.log1p(jitter)))
    span = (t - 1) * rate
    if n - 1 <= span:  # too short at this rate: the whole video, at its own pace
        return random_segment(n, t, generator)
    start = torch.rand(1, generator=generator).item() * (n - 1 - span)
    return np.round(start + np.arange(t) * rate).astype(np.int64)


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
    """Zero-pad (n, C, S, S) to (T, C, S, S); return it with its (T,) valid-step mask."""
    n = clip.shape[0]
    mask = torch.zeros(t, dtype=torch.bool)
    mask[:n] = True
    if n < t:
        clip = torch.cat([clip, clip.new_zeros(t - n, *clip.shape[1:])])
    return clip, mask


class ClipDataset(torch.utils.data.Dataset):
    """Yields `(clip (T, C, S, S) float32, mask (T,) bool, label)` for indexed videos.

    Args:
        items: the videos.
        clip: clip length, frame size, normalisation.
        cache: where decoded frames come from.
        mode: `random` segment (training), `center` segment or `uniform` spread (evaluation).
        augment: maps (n, H, W, 3) uint8 frames to a normalised tensor; None = plain preprocessing.
        input: the model's `ModelConfig.input`; with motion, each clip also reads the frame before
            its first, augmented with the clip, for that frame's difference (`vision.data.motion`).
        speed_jitter: `random` mode: playback-rate jitter (0: consecutive frames, see `speed_segment`).
    """

    def __init__(
        self,
        items: Sequence[VideoItem],
        clip: ClipConfig,
        cache: FrameCache,
        mode: SampleMode = "center",
        augment: Callable[[np.ndarray], torch.Tensor] | None = None,
        input: str = "rgb",
        speed_jitter: float = 0.0,
    ) -> None:
        self.items = list(items)
        self.clip = clip
        self.cache = cache
        self.mode = mode
        self.augment = augment
        self.input = input
        self.speed_jitter = speed_jitter

    def __len__(self) -> int:
        return len(self.items)

    def indices(self, n: int) -> np.ndarray:
        t = self.clip.num_frames
        if self.mode == "random":
            return speed_segment(n, t, self.speed_jitter) if self.speed_jitter > 0 else random_segment(n, t)
        if self.mode == "uniform":
            return uniform_indices(n, t)
        return center_segment(n, t)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.items[i]
        frames = self.cache.load(item.path).frames
        index = self.indices(len(frames))
        before = self._before(index)
        if before is not None:  # read and augment it with the clip (one crop and jitter for all)
            index = np.concatenate([[before], index])
        picked = np.asarray(frames[index])  # (n, H, W, 3), read from the memmap
        x = self.augment(picked) if self.augment else preprocess_frames(picked, self.clip)  # (n, 3, S, S)
        if before is not None:
            x = consecutive_motion(x[1:], self.input, self.clip, x[0])  # (T, C, S, S)
        elif has_motion(self.input):
            x = consecutive_motion(x, self.input, self.clip)  # the video's first frame: no motion
        clip, mask = pad_clip(x, self.clip.num_frames)
        return clip, mask, item.label

    def _before(self, index: np.ndarray) -> int | None:
        """Motion inputs: the frame one step (at the clip's own rate) before the clip, if the video has it."""
        if not has_motion(self.input) or len(index) == 0:
            return None
        step = max(1, int(index[1] - index[0])) if len(index) > 1 else 1
        return int(index[0]) - step if index[0] >= step else None


class FeatureClipDataset(ClipDataset):
    """Like `ClipDataset`, but yields cached backbone feature maps `(T, C, h, w)` instead of frames."""

    def __init__(self, items: Sequence[VideoItem], clip: ClipConfig, features, mode: SampleMode = "center",
                 speed_jitter: float = 0.0) -> None:
        super().__init__(items, clip, features.frames, mode, speed_jitter=speed_jitter)
        self.features = features

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.items[i]
        fmaps = self.features.load(item.path)
        picked = torch.from_numpy(np.asarray(fmaps[self.indices(len(fmaps))], np.float32))
        clip, mask = pad_clip(picked, self.clip.num_frames)
        return clip, mask, item.label


class Repeated(torch.utils.data.Dataset):
    """`dataset` seen `times` times per pass: several random temporal crops of every video per epoch."""

    def __init__(self, dataset: torch.utils.data.Dataset, times: int) -> None:
        self.dataset, self.times = dataset, max(1, times)
        self.collate = getattr(dataset, "collate", None)

    def __len__(self) -> int:
        return len(self.dataset) * self.times  # type: ignore[arg-type]

    def __getitem__(self, i: int):  # noqa: ANN204 (the wrapped dataset's item)
        return self.dataset[i % len(self.dataset)]  # type: ignore[arg-type]

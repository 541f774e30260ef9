"""Frame preprocessing shared by training, batch, streaming and export, plus train augmentation.

Inference squashes the whole frame to `frame_size`² (nothing is cropped away, so the heatmap
lines up with the full frame); training augments with a random-resized crop of the same aspect.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from vision.config import ClipConfig
from vision.video.resize import area_resize


def normalize(x: torch.Tensor, clip: ClipConfig) -> torch.Tensor:
    """Normalise float RGB in [0, 1], channels at dim -3, in place."""
    mean = torch.tensor(clip.mean, dtype=x.dtype, device=x.device).view(3, 1, 1)
    std = torch.tensor(clip.std, dtype=x.dtype, device=x.device).view(3, 1, 1)
    return x.sub_(mean).div_(std)


def resize_frames(frames: np.ndarray, size: int) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, size, size, 3) uint8 (area filter when shrinking)."""
    if frames.shape[1:3] == (size, size):
        return np.ascontiguousarray(frames)
    return np.stack([area_resize(f, size, size) for f in frames])


def preprocess_frames(frames: np.ndarray, clip: ClipConfig) -> torch.Tensor:
    """RGB uint8 frames (N, H, W, 3) -> normalised model input (N, 3, S, S) float32."""
    resized = resize_frames(frames, clip.frame_size)  # (N, S, S, 3)
    x = torch.from_numpy(resized).permute(0, 3, 1, 2).float().div_(255)  # (N, 3, S, S)
    return normalize(x, clip)


class TrainAugment:
    """Clip-consistent augmentation with torchvision.transforms.v2 (same draw for all T frames).

    Random-resized crop (on uint8, aspect kept near the frame's so it matches inference's squash),
    optional flip, brightness/contrast/saturation jitter (in float: 2x cheaper than on uint8).
    Hue jitter is left out: it costs ~4x the rest of the pipeline for little gain.
    `flip` must stay False when direction is the label (MoveLeft/MoveRight, rotations).
    """

    def __init__(
        self, clip: ClipConfig, flip: bool = False, color: bool = True, scale: tuple[float, float] = (0.6, 1.0),
        color_jitter: float = 0.3,
    ) -> None:
        self.clip = clip
        self.flip = flip
        self.color = color and color_jitter > 0
        self.scale = scale
        self.color_jitter = color_jitter
        self._pipelines: dict[float, Callable] = {}

    def _pipeline(self, aspect: float) -> Callable:
        from torchvision.transforms import v2

        key = round(aspect, 3)
        if key not in self._pipelines:
            steps = [
                v2.RandomResizedCrop(
                    (self.clip.frame_size,) * 2, scale=self.scale, ratio=(key * 0.85, key / 0.85), antialias=True
                )
            ]
            if self.flip:
                steps.append(v2.RandomHorizontalFlip())
            steps.append(v2.ToDtype(torch.float32, scale=True))
            if self.color:
                j = self.color_jitter
                steps.append(v2.ColorJitter(brightness=j, contrast=j, saturation=j))
            self._pipelines[key] = v2.Compose(steps)
        return self._pipelines[key]

    def __call__(self, frames: np.ndarray) -> torch.Tensor:
        """(T, H, W, 3) uint8 -> (T, 3, S, S) float32, normalised."""
        from torchvision import tv_tensors

        video = tv_tensors.Video(torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2))
        out = self._pipeline(frames.shape[2] / frames.shape[1])(video)
        return normalize(out.as_subclass(torch.Tensor), self.clip)

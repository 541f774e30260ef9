"""Cache a frozen backbone's feature maps per video, so later epochs train only the head.

With the backbone frozen and no spatial augmentation, a frame's feature map is the same every
epoch: computing it once turns each later epoch into spatial-attention pooling + LSTM + head.
Entries are float16 `.npy` files (memory-mapped on read), keyed by the decoded-frame cache key
plus the backbone, its weights source and the preprocessing, and written atomically.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from vision.atomic import atomic_file
from vision.config import ClipConfig
from vision.data.cache import FrameCache
from vision.data.transforms import preprocess_frames

FEATURE_VERSION = 1


class FeatureCache:
    """Feature maps (N, C, h, w) float16 of every cached frame of a video."""

    def __init__(self, root: str | Path, frames: FrameCache, encoder: torch.nn.Module, clip: ClipConfig,
                 identity: str, device: torch.device, batch_size: int = 64) -> None:
        self.root, self.frames, self.encoder = Path(root), frames, encoder
        self.clip, self.device, self.batch_size = clip, device, batch_size
        self.identity = f"{FEATURE_VERSION}|{identity}|{clip.frame_size}|{clip.mean}|{clip.std}"

    def _file(self, path: Path) -> Path:
        key = hashlib.sha1(f"{self.frames.key(path)}|{self.identity}".encode()).hexdigest()
        return self.root / f"{key}.npy"

    @torch.no_grad()
    def _compute(self, path: Path) -> np.ndarray:
        frames = self.frames.load(path).frames
        was_training = self.encoder.training
        self.encoder.eval()  # here, not in `build`: loader workers compute missing entries too
        try:
            out = []
            for i in range(0, len(frames), self.batch_size):
                x = preprocess_frames(np.asarray(frames[i : i + self.batch_size]), self.clip).to(self.device)
                out.append(self.encoder(x).float().cpu().numpy().astype(np.float16))
        finally:
            self.encoder.train(was_training)
        return np.concatenate(out)

    def load(self, path: str | Path) -> np.ndarray:
        """Feature maps of `path`, computed on first use (raises `VideoError` like the frame cache)."""
        path = Path(path)
        file = self._file(path)
        if file.is_file():
            try:
                return np.load(file, mmap_mode="r")
            except (OSError, ValueError):
                pass  # damaged entry: compute again
        features = self._compute(path)
        with atomic_file(file) as tmp:
            np.save(tmp, features)
        return features

    def build(self, paths: Iterable[Path], progress: Callable[[], None] | None = None) -> None:
        """Compute every missing entry here, before training, so loader workers only read them."""
        for path in paths:
            self.load(path)
            if progress:
                progress()

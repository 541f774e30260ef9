"""Landmark clips for pose models: sequences from `.npz` files or from videos (tracked once and
cached), resampled to the model's rate, augmented, turned into per-frame feature vectors.

`PoseClipDataset` yields `(features (T, FEATURE_DIM), mask (T,), label)` like `ClipDataset`
yields frames, so the trainer and evaluation treat both inputs alike.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.clips import SampleMode, center_segment, pad_clip, random_segment, uniform_indices
from vision.data.landmarks import LandmarkSequence, load_sequence, save_sequence
from vision.data.ucf import VideoItem
from vision.errors import DatasetError, VideoError
from vision.pose.features import sequence_features
from vision.pose.skeleton import MIRROR

CACHE_VERSION = 1


def resample(seq: LandmarkSequence, fps: float | None, rate: float = 1.0, offset: float = 0.0) -> np.ndarray:
    """Landmarks at `fps` (keep the first frame of each 1/fps slot, as decoding does).

    `rate` > 1 plays the clip faster (speed augmentation); `offset` shifts the slot grid (0..1).
    """
    lms = seq.landmarks
    if fps is None:
        return lms
    times = np.arange(len(lms)) / seq.fps * rate
    slots = np.floor(times * fps + offset + 1e-6).astype(np.int64)
    keep = np.ones(len(lms), bool)
    keep[1:] = slots[1:] > slots[:-1]
    return lms[keep]


@dataclass(frozen=True)
class PoseAugment:
    """Label-preserving changes to a landmark clip (T, 33, 4) in pixels (training only).

    mirror: flip left/right (no class here depends on the side); rotate: degrees of in-plane
    camera roll; jitter: landmark noise in body heights; drop: share of frames lost;
    speed: range of playback rates.
    """

    mirror: bool = True
    rotate: float = 10.0
    scale: tuple[float, float] = (0.85, 1.15)
    jitter: float = 0.01
    drop: float = 0.05
    speed: tuple[float, float] = (0.8, 1.25)

    def __call__(self, lms: np.ndarray, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        out = lms.astype(np.float32, copy=True)
        w, h = size
        if self.mirror and rng.random() < 0.5:
            out = out[:, list(MIRROR)]
            out[..., 0] = w - out[..., 0]
        angle = math.radians(rng.uniform(-self.rotate, self.rotate))
        scale = rng.uniform(*self.scale)
        c, s = math.cos(angle) * scale, math.sin(angle) * scale
        x, y = out[..., 0] - w / 2, out[..., 1] - h / 2
        out[..., 0], out[..., 1] = c * x - s * y + w / 2, s * x + c * y + h / 2
        out[..., 2] *= scale
        present = np.isfinite(out[:, 0, 0])
        if present.any():
            extent = np.nanmax(out[present, :, 1]) - np.nanmin(out[present, :, 1])
            out[..., :2] += rng.normal(0, self.jitter * max(extent, 1.0), out[..., :2].shape)
        lost = rng.random(len(out)) < self.drop
        out[lost] = np.nan
        return out


class LandmarkCache:
    """Landmark sequences of dataset items: `.npz` files as they are, videos tracked once.

    Tracked videos are stored as `.npz` under `root` keyed by path, size and mtime; with
    `root=None` they are tracked every time. `tracker` makes the `PoseTracker` (lazily: only
    video datasets need one).
    """

    def __init__(self, root: str | Path | None, tracker: Callable[[], object] | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self._make_tracker = tracker
        self._tracker = None

    def key(self, path: Path) -> str:
        st = path.resolve().stat()
        return hashlib.sha1(f"pose{CACHE_VERSION}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()

    def _track(self, path: Path) -> LandmarkSequence:
        from vision.pose.tracker import PoseTracker
        from vision.pose.video import track_video

        if self._tracker is None:
            self._tracker = self._make_tracker() if self._make_tracker else PoseTracker()
        video = track_video(path, self._tracker)
        return LandmarkSequence(video.landmarks(), float(video.fps), (video.width, video.height),
                                {"source": str(path)})

    def load(self, path: str | Path) -> LandmarkSequence:
        """The sequence of `path`; raises `DatasetError` / `VideoError` naming the file."""
        path = Path(path)
        if path.suffix.lower() == ".npz":
            return load_sequence(path)
        if self.root is None:
            return self._track(path)
        try:
            cached = self.root / f"{self.key(path)}.npz"
        except OSError as exc:
            raise VideoError(f"{path}: {exc.strerror or exc}") from None
        if cached.is_file():
            try:
                return load_sequence(cached)
            except DatasetError:
                pass  # a damaged entry: track again
        seq = self._track(path)
        if len(seq.landmarks):
            save_sequence(cached, seq)
        return seq

    def build(self, paths: Iterable[Path], progress: Callable[[], None] | None = None,
              workers: int = 1) -> list[tuple[Path, str]]:
        """Load (tracking videos) every item; returns `(path, reason)` for unreadable ones.

        One item at a time whatever `workers` says: the tracker is stateful, and it uses the cores.
        """
        failures = []
        for path in paths:
            try:
                self.load(path)
            except (DatasetError, VideoError) as exc:
                failures.append((Path(path), str(exc)))
            if progress:
                progress()
        return failures


class PoseClipDataset(torch.utils.data.Dataset):
    """Yields `(features (T, FEATURE_DIM) float32, mask (T,) bool, label)` for indexed clips.

    mode: `random` segment (training), `center` or `uniform` (evaluation); augment: a
    `PoseAugment` for training (its speed range also varies the resampling).
    """

    def __init__(self, items: Sequence[VideoItem], clip: ClipConfig, cache: LandmarkCache,
                 mode: SampleMode = "center", augment: PoseAugment | None = None, seed: int = 0) -> None:
        self.items, self.clip, self.cache = list(items), clip, cache
        self.mode, self.augment = mode, augment
        self.seed = seed

    def __len__(self) -> int:
        return len(self.items)

    def features(self, seq: LandmarkSequence, rng: np.random.Generator | None = None) -> np.ndarray:
        """(n, FEATURE_DIM) features of a whole sequence at the model's rate (augmented with `rng`)."""
        if rng is None or self.augment is None:
            return sequence_features(resample(seq, self.clip.fps))
        lms = resample(seq, self.clip.fps, rng.uniform(*self.augment.speed), rng.random())
        return sequence_features(self.augment(lms, seq.size, rng))

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.items[i]
        seq = self.cache.load(item.path)
        rng = np.random.default_rng((self.seed, i, int(torch.randint(0, 2**31, (1,))))) if self.augment else None
        feats = self.features(seq, rng)
        if len(feats) == 0:
            raise DatasetError(f"{item.path}: empty landmark sequence")
        t = self.clip.num_frames
        n = len(feats)
        idx = random_segment(n, t) if self.mode == "random" else uniform_indices(n, t) if self.mode == "uniform" \
            else center_segment(n, t)
        clip, mask = pad_clip(torch.from_numpy(feats[idx]), t)
        return clip, mask, item.label

"""Look at a dataset before training: how many clips, how long, how large, and whether people are in them.

What `vision.train.recipe` reads to choose a recipe. Everything here is cheap: container metadata
for clip lengths and sizes, and the pose tracker on a few frames of a few clips.
"""
from __future__ import annotations

import functools
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from vision.data.ucf import LANDMARK_SUFFIX, DatasetIndex, VideoItem
from vision.errors import DatasetError, VideoError

PROBE_CLIPS = 16  # clips looked at for people
PROBE_FRAMES = 3  # frames per clip
PROBE_SHORT_SIDE = 256  # the detector sees 224 px anyway


@dataclass(frozen=True)
class DataProfile:
    """What a dataset looks like to the recipe."""

    classes: int
    train_per_class: int  # median training clips per class
    seconds: float  # median clip length
    size: tuple[int, int]  # median width, height in pixels
    landmarks: bool  # the clips are landmark sequences (.npz), not videos
    person: tuple[int, int] | None  # clips where a person was found, clips looked at (None: not looked)
    test_list: bool  # split files with a test list: the split has no validation part
    groups_per_class: int  # median distinct groups (UCF101's gXX) among a class's training clips

    @property
    def person_found(self) -> bool:
        """A person in most of the clips looked at."""
        return self.person is not None and self.person[0] * 2 > self.person[1]


def _median(values: Sequence[float], default: float) -> float:
    return float(statistics.median(values)) if values else default


def _spread(items: list[VideoItem], k: int) -> list[VideoItem]:
    """Up to k items taken evenly over the list (so over the classes, which are in order)."""
    if len(items) <= k:
        return items
    return [items[int(i)] for i in np.linspace(0, len(items) - 1, k).round()]


def clip_shapes(items: list[VideoItem], k: int = 64) -> tuple[float, tuple[int, int]]:
    """Median length (s) and size (w, h) of up to k videos, from their headers."""
    from vision.video.decode import probe

    seconds, widths, heights = [], [], []
    for item in _spread(items, k):
        if item.path.suffix.lower() == LANDMARK_SUFFIX:
            continue
        try:
            info = probe(item.path)
        except VideoError:
            continue
        if info.duration:
            seconds.append(info.duration)
        widths.append(info.width)
        heights.append(info.height)
    return _median(seconds, 0.0), (int(_median(widths, 0)), int(_median(heights, 0)))


@functools.lru_cache(maxsize=2)
def _estimator(device: str):  # noqa: ANN202 (vision.pose.estimator.PoseEstimator, imported lazily)
    """The torch pose estimator: half the start-up time of the onnxruntime one (no graph export)."""
    from vision.pose.estimator import PoseEstimator

    return PoseEstimator(device, backend="torch")


def person_found(path: Path, frames: int = PROBE_FRAMES, device: str = "cpu") -> bool:
    """Whether the pose tracker finds a person (big enough to count) in most of `frames` frames of
    a video, each looked at afresh (detector + landmarks, no tracking between them)."""
    from vision.engine.posefront import MIN_BODY
    from vision.pose.features import body_height
    from vision.pose.tracker import PoseTracker
    from vision.video.decode import iter_frames, probe

    info = probe(path)
    fps = frames / info.duration if info.duration else None
    tracker = PoseTracker(_estimator(device))
    found = looked = 0
    for frame in iter_frames(path, fps=fps, short_side=PROBE_SHORT_SIDE, max_frames=frames):
        tracker.reset()
        pose = tracker.update(frame.rgb, frame.time)
        looked += 1
        found += pose is not None and body_height(pose.landmarks[None])[0] >= MIN_BODY * min(frame.rgb.shape[:2])
    return found * 2 > looked


def probe_people(items: list[VideoItem], clips: int = PROBE_CLIPS, device: str = "cpu") -> tuple[int, int]:
    """(clips with a person, clips looked at) over up to `clips` videos spread over the classes.

    Stops once the majority is certain, or when none of the first `PROBE_CLIPS // 4` clips (taken
    from classes far apart) shows anybody. Remembered per file set within a process.
    """
    chosen = _spread(items, clips)
    order = [chosen[i] for i in _interleaved(len(chosen))]  # early clips span the classes
    key = tuple((str(i.path), *_stamp(i.path)) for i in order)
    if key not in _PEOPLE:
        _PEOPLE[key] = _count_people(order, device)
    return _PEOPLE[key]


_PEOPLE: dict[tuple, tuple[int, int]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return 0, 0
    return st.st_mtime_ns, st.st_size


def _interleaved(n: int) -> list[int]:
    """0..n-1 reordered so every prefix is spread over the range (0, n/2, n/4, 3n/4, ...)."""
    order: list[int] = []
    step = 1 << max(0, (n - 1).bit_length())
    while step >= 1:
        order += [i for i in range(0, n, step) if i not in order]
        step //= 2
    return order


def _count_people(order: list[VideoItem], device: str) -> tuple[int, int]:
    found = looked = 0
    quick = max(1, PROBE_CLIPS // 4)
    for item in order:
        try:
            found += person_found(item.path, device=device)
            looked += 1
        except (VideoError, DatasetError):
            continue
        if found * 2 > len(order) or (looked - found) * 2 >= len(order) or (looked == quick and found == 0):
            break
    return found, looked


def has_test_list(index: DatasetIndex, split: int | None) -> bool:
    """Whether `index` took its test part from a test list (not a split of its own)."""
    return index.mode == "split-files" and split is not None and (index.root / f"testlist{split:02d}.txt").is_file()


def profile_dataset(index: DatasetIndex, split: int | None) -> DataProfile:
    """Profile the training part of an indexed dataset (see `DataProfile`); people are not looked
    for here (`probe_people` costs a few seconds: the caller decides whether the answer matters)."""
    counts = list(index.counts(index.train).values())
    landmarks = bool(index.train) and all(i.path.suffix.lower() == LANDMARK_SUFFIX for i in index.train)
    seconds, size = clip_shapes(index.train)
    person = None
    groups = [len({i.group for i in index.train if i.label == c}) for c in range(len(index.classes))]
    return DataProfile(len(index.classes), int(_median(counts, 0)), seconds, size, landmarks, person,
                       has_test_list(index, split),
                       int(_median(groups, 0)))

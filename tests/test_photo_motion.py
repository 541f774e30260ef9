"""bench/photo_motion.py: the third motion generator (checking data for the small-data recipe)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from vision.data.ucf import index_dataset
from vision.video.decode import probe

_SPEC = importlib.util.spec_from_file_location("photo_motion", Path(__file__).resolve().parents[1] / "bench" / "photo_motion.py")
photo_motion = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(photo_motion)


def _turn(path: np.ndarray) -> float:
    """Summed cross product of successive steps: > 0 turns clockwise on a screen (y grows downwards)."""
    step = np.diff(path, axis=0)
    return float(np.sum(step[:-1, 0] * step[1:, 1] - step[:-1, 1] * step[1:, 0]))


def test_paths_differ_only_in_how_the_patch_moves() -> None:
    t = np.arange(60) / 25.0
    rng = np.random.default_rng(0)
    paths = {a: photo_motion._path(a, t, rng) for a in photo_motion.CLASSES}
    for path in paths.values():
        assert np.abs(path[30]).max() < 0.01  # every path passes its midpoint at the middle frame
    assert paths["Left"][-1, 0] < -0.1 < 0.1 < paths["Right"][-1, 0]
    assert paths["Up"][-1, 1] < -0.1 < 0.1 < paths["Down"][-1, 1]
    assert _turn(paths["OrbitClockwise"]) > 0 > _turn(paths["OrbitCounterClockwise"])
    assert np.ptp(paths["Shake"][:, 0]) > 0.05 and abs(paths["Shake"][:, 0].mean()) < 0.03


def test_writes_a_ucf101_folder_of_real_videos(tmp_path: Path, shared_data: Path) -> None:
    photo_motion.make(tmp_path, seed=1, clips_per_class=2, test_fraction=0.5)
    index = index_dataset(tmp_path, 1)
    assert index.classes == list(photo_motion.CLASSES)
    assert len(index.train) == len(index.test) == len(photo_motion.CLASSES)  # one group each side
    info = probe(tmp_path / "Left" / "v_Left_g01_c01.avi")
    assert info.frame_count >= 48 and (info.width, info.height) in photo_motion.SIZES

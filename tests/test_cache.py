"""The decoded-frame cache: hits, invalidation, damaged entries, concurrent writers."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from vision.data.cache import DecodeParams, FrameCache
from vision.errors import VideoError
from vision.video.encode import write_video


def _video(path: Path, value: int) -> Path:
    return write_video(path, [np.full((48, 64, 3), value, np.uint8)] * 12, fps=12)


def test_second_load_is_a_memory_mapped_hit(tmp_path: Path) -> None:
    video = _video(tmp_path / "v.mp4", 100)
    cache = FrameCache(tmp_path / "cache", DecodeParams(fps=6, short_side=24))
    first = cache.load(video)
    assert first.frames.shape == (6, 24, 32, 3)
    second = cache.load(video)
    assert isinstance(second.frames, np.memmap)
    np.testing.assert_array_equal(first.frames, second.frames)
    np.testing.assert_allclose(first.times, second.times)
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 1


def test_changed_file_and_params_are_new_entries(tmp_path: Path) -> None:
    video = _video(tmp_path / "v.mp4", 50)
    cache = FrameCache(tmp_path / "cache", DecodeParams(fps=None, short_side=24))
    assert abs(int(cache.load(video).frames.mean()) - 50) < 5
    _video(video, 200)
    os.utime(video, ns=(1, 1_000_000_000_000))  # mtime certainly differs
    assert abs(int(cache.load(video).frames.mean()) - 200) < 5
    other = FrameCache(tmp_path / "cache", DecodeParams(fps=None, short_side=16))
    assert other.load(video).frames.shape[1] == 16


def test_damaged_entry_is_rebuilt(tmp_path: Path) -> None:
    video = _video(tmp_path / "v.mp4", 80)
    cache = FrameCache(tmp_path / "cache", DecodeParams(fps=None, short_side=24))
    cache.load(video)
    (tmp_path / "cache" / f"{cache.key(video)}.npy").write_bytes(b"garbage")
    assert cache.load(video).frames.shape == (12, 24, 32, 3)


def test_concurrent_loads_agree(tmp_path: Path) -> None:
    video = _video(tmp_path / "v.mp4", 120)
    results = []

    def work() -> None:
        results.append(FrameCache(tmp_path / "cache", DecodeParams(None, 24)).load(video).frames.sum())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(int(r) for r in results)) == 1
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_build_reports_unreadable_videos(tmp_path: Path) -> None:
    good = _video(tmp_path / "good.mp4", 10)
    bad = tmp_path / "bad.mp4"
    bad.write_text("nope")
    cache = FrameCache(tmp_path / "cache", DecodeParams(None, 24))
    failures = cache.build([good, bad, tmp_path / "missing.mp4"])
    assert [p.name for p, _ in failures] == ["bad.mp4", "missing.mp4"]
    with pytest.raises(VideoError):
        cache.load(tmp_path / "missing.mp4")

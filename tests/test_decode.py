"""Decoding real encoded videos with both backends, and the bad-input corpus."""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from corpus import bad_videos, moving_square, vfr_video
from vision.errors import VideoError
from vision.video.decode import iter_frames, probe, read_video
from vision.video.encode import write_video
from vision.video.resize import area_resize

FORMATS = [
    (".mp4", {}),  # H.264
    (".avi", {}),  # MPEG-4 Part 2
    (".mkv", {"codec": "mjpeg", "pix_fmt": "yuvj420p"}),
    (".webm", {}),  # VP9
    (".mov", {}),
]


@pytest.mark.parametrize("suffix,kwargs", FORMATS, ids=[f[0] for f in FORMATS])
@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_round_trip(tmp_path: Path, suffix: str, kwargs: dict, backend: str) -> None:
    src = moving_square()
    path = write_video(tmp_path / f"v{suffix}", src, fps=12, **kwargs)
    info = probe(path, backend=backend)
    assert (info.width, info.height) == (96, 64)
    assert info.fps == pytest.approx(12, rel=0.02)
    assert abs(info.frame_count - 24) <= 1
    assert info.duration == pytest.approx(2.0, abs=0.15)
    frames, times = read_video(path, backend=backend)
    assert frames.shape == (24, 64, 96, 3) and frames.dtype == np.uint8
    assert np.all(np.diff(times) > 0)
    red = frames[10, 30, 2 * 10 + 10]  # centre of the square in frame 10: reddish after lossy coding
    assert red[0] > 180 and red[1] < 90


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_sampling_at_fps_and_stride(tmp_path: Path, backend: str) -> None:
    path = write_video(tmp_path / "v.mp4", moving_square(60), fps=30)
    _, times = read_video(path, fps=10, backend=backend)
    assert len(times) == 20
    np.testing.assert_allclose(np.diff(times), 0.1, atol=0.02)
    frames, _ = read_video(path, stride=4, short_side=32, backend=backend)
    assert frames.shape == (15, 32, 48, 3)
    assert len(read_video(path, fps=100, backend=backend)[1]) == 60  # above native: every frame
    assert len(list(iter_frames(path, max_frames=5, backend=backend))) == 5


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_resize_on_decode_matches_resizing_after(tmp_path: Path, backend: str) -> None:
    """`size=` (libswscale in one pass for PyAV) gives what decoding then area-resizing gives."""
    frames = [cv2.GaussianBlur(f, (0, 0), 2) for f in moving_square(8, 192, 160)]
    path = write_video(tmp_path / "v.mp4", frames, fps=8)
    full, _ = read_video(path, backend=backend)
    small, _ = read_video(path, size=(40, 48), backend=backend)
    assert small.shape == (8, 48, 40, 3)
    after = np.stack([area_resize(f, 40, 48) for f in full])
    assert np.abs(small.astype(int) - after).mean() < 2.0  # filters differ a little, images do not
    grown, _ = read_video(path, size=(400, 300), max_frames=1, backend=backend)  # enlarging works too
    assert grown.shape == (1, 300, 400, 3)


def test_variable_frame_rate_is_sampled_by_timestamp(tmp_path: Path) -> None:
    path = vfr_video(tmp_path / "vfr.mkv")
    pts_ms = [10 * i for i in range(40)] + [400 + 50 * i for i in range(40)]
    _, all_times = read_video(path, backend="pyav")
    np.testing.assert_allclose(all_times, np.array(pts_ms) / 1000, atol=2e-3)
    _, times = read_video(path, fps=10, backend="pyav")
    assert len(times) == 4 + 20  # one frame per 100 ms slot
    assert np.all(np.diff(times) >= 0.099)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("backend", ["auto", "pyav", "opencv"])
def test_bad_inputs_raise_one_line_video_error(tmp_path: Path, backend: str) -> None:
    for name, path in bad_videos(tmp_path).items():
        with pytest.raises(VideoError) as info:
            read_video(path, backend=backend)
        message = str(info.value)
        assert "\n" not in message, name
        assert str(path) in message, name


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.mp4", moving_square(), fps=12)
    path.chmod(0)
    with pytest.raises(VideoError):
        read_video(path)


def test_real_footage(shared_data: Path) -> None:
    info = probe(shared_data / "vtest.avi")  # msmpeg4v3 in AVI
    assert (info.width, info.height) == (768, 576)
    frames, times = read_video(shared_data / "spm_example_video.webm", fps=5, short_side=72)
    assert frames.shape[1:] == (72, 128, 3)
    assert len(times) == pytest.approx(12.7 * 5, abs=2)

"""`area_resize`: the two-stage area filter stays what a one-pass area resize gives."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.data.transforms import resize_frames
from vision.video.resize import area_resize, short_side_size


@pytest.fixture(scope="module")
def photo_like() -> np.ndarray:
    rng = np.random.default_rng(0)
    return cv2.GaussianBlur((rng.random((480, 640, 3)) * 255).astype(np.uint8), (0, 0), 3)


def test_integer_factor_is_exact(photo_like: np.ndarray) -> None:
    expected = cv2.resize(photo_like, (160, 120), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(area_resize(photo_like, 160, 120), expected)


@pytest.mark.parametrize("size", [(112, 112), (224, 224), (171, 128), (37, 29)])
def test_close_to_one_pass_area_filter(photo_like: np.ndarray, size: tuple[int, int]) -> None:
    out = area_resize(photo_like, *size)
    assert out.shape == (size[1], size[0], 3) and out.dtype == np.uint8
    one_pass = cv2.resize(photo_like, size, interpolation=cv2.INTER_AREA)
    diff = np.abs(out.astype(int) - one_pass)
    assert diff.mean() < 1.5 and diff.max() <= 16


def test_same_size_and_enlarging(photo_like: np.ndarray) -> None:
    small = photo_like[:50, :60]
    assert np.array_equal(area_resize(small, 60, 50), small)
    assert area_resize(small, 120, 100).shape == (100, 120, 3)
    assert resize_frames(np.stack([small, small]), 112).shape == (2, 112, 112, 3)


def test_short_side_size() -> None:
    assert short_side_size(480, 640, 128) == (171, 128)
    assert short_side_size(1280, 720, 90) == (90, 160)
    assert short_side_size(2, 4000, 1) == (2000, 1)

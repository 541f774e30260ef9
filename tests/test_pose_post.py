"""BlazePose pre/post-processing: anchors, decoding, weighted NMS, ROIs, heatmap refinement,
One-Euro smoothing."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vision.pose.detection import anchor_centres, decode, weighted_nms
from vision.pose.landmarks import refine_on_heatmap
from vision.pose.roi import Roi, crop_cv2, crop_torch, letterbox_roi, project, roi_from_points
from vision.pose.smoothing import OneEuroFilter, PoseSmoother


def test_anchor_layout_matches_the_network_output_order() -> None:
    a = anchor_centres().numpy()
    assert a.shape == (2254, 2)
    np.testing.assert_allclose(a[0], [0.5 / 28, 0.5 / 28])  # stride 8, first cell, two anchors
    np.testing.assert_allclose(a[1], a[0])
    np.testing.assert_allclose(a[2], [1.5 / 28, 0.5 / 28])  # x varies fastest
    np.testing.assert_allclose(a[1568], [0.5 / 14, 0.5 / 14])  # stride 16 starts after 28*28*2
    np.testing.assert_allclose(a[1568 + 392: 1568 + 392 + 6], np.tile([0.5 / 7, 0.5 / 7], (6, 1)))


def test_decode_puts_a_box_on_its_anchor() -> None:
    boxes = torch.zeros(1, 2254, 12)
    scores = torch.full((1, 2254), -50.0)
    k = 1568 + 2 * (14 * 3 + 5)  # stride 16, row 3, column 5
    boxes[0, k, :4] = torch.tensor([11.2, -22.4, 56.0, 112.0])  # centre offset and size, in 224 px
    boxes[0, k, 4:6] = torch.tensor([22.4, 0.0])
    scores[0, k] = 3.0
    rows, probs = decode(boxes, scores)
    cx, cy = 5.5 / 14 + 0.05, 3.5 / 14 - 0.1
    np.testing.assert_allclose(rows[0, k, :4].numpy(), [cx - 0.125, cy - 0.25, cx + 0.125, cy + 0.25], atol=1e-6)
    np.testing.assert_allclose(rows[0, k, 4:6].numpy(), [5.5 / 14 + 0.1, 3.5 / 14], atol=1e-6)
    assert probs[0, k] == pytest.approx(1 / (1 + math.exp(-3)))
    assert probs[0].argmax() == k and probs[0, 0] < 1e-20


def _row(box: list[float], kp: float) -> np.ndarray:
    return np.array(box + [kp] * 8, np.float32)


def test_weighted_nms_merges_overlaps_and_keeps_separate_people() -> None:
    rows = np.stack([_row([0.1, 0.1, 0.5, 0.5], 0.2), _row([0.12, 0.1, 0.52, 0.5], 0.4),
                     _row([0.6, 0.6, 0.9, 0.9], 0.7), _row([0.0, 0.0, 0.1, 0.1], 0.9)])
    probs = np.array([0.9, 0.6, 0.8, 0.3], np.float32)  # the last is below the 0.5 threshold
    found = weighted_nms(rows, probs)
    assert [round(d.score, 2) for d in found] == [0.9, 0.8]  # best first, score of the best box
    np.testing.assert_allclose(found[0].box, [0.1 + 0.02 * 0.6 / 1.5, 0.1, 0.5 + 0.02 * 0.6 / 1.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(found[0].keypoints, np.full((4, 2), (0.2 * 0.9 + 0.4 * 0.6) / 1.5), atol=1e-6)
    np.testing.assert_allclose(found[1].box, [0.6, 0.6, 0.9, 0.9])
    assert weighted_nms(rows[:0], probs[:0]) == []


def test_roi_from_points_is_upright_for_a_standing_person() -> None:
    roi = roi_from_points(np.array([100.0, 200.0]), np.array([100.0, 100.0]))
    assert (roi.cx, roi.cy) == (100.0, 200.0)
    assert roi.width == roi.height == pytest.approx(250.0)  # 2 x distance x 1.25
    assert roi.rotation == pytest.approx(0.0)
    lying = roi_from_points(np.array([100.0, 200.0]), np.array([200.0, 200.0]))  # head to the right
    assert lying.rotation == pytest.approx(math.pi / 2)


def test_crop_and_project_are_inverse_and_backends_agree() -> None:
    rng = np.random.default_rng(0)
    frame = (rng.random((120, 160, 3)) * 60).astype(np.uint8)
    frame[70:73, 100:103] = 255  # a bright dot centred on pixel (101, 71)
    roi = Roi(90.0, 60.0, 80.0, 80.0, 0.6)
    crop = crop_cv2(frame, roi, 64, zero_border=False)
    v, u = np.unravel_index(crop[..., 0].astype(float).argmax(), crop.shape[:2])
    back = project(np.array([[u / 64, v / 64]]), roi)[0]
    assert np.hypot(back[0] - 101, back[1] - 71) < 1.5
    t = torch.from_numpy(frame).permute(2, 0, 1)[None].float()
    for zero in (True, False):
        a = crop_cv2(frame, roi, 64, zero).astype(np.float32)
        b = crop_torch(t, [roi], 64, zero)[0].permute(1, 2, 0).numpy()
        assert np.abs(a - b).mean() < 0.6 and np.percentile(np.abs(a - b), 99) < 2.0


def test_letterbox_roi_pads_the_short_side() -> None:
    roi = letterbox_roi(640, 360)
    assert (roi.cx, roi.cy, roi.width, roi.height) == (320, 180, 640, 640)
    frame = np.full((360, 640, 3), 200, np.uint8)
    crop = crop_cv2(frame, roi, 224, zero_border=True)
    assert crop[:40].max() == 0 and crop[112, 112, 0] == 200  # black bands above and below


def test_heatmap_refinement() -> None:
    heat = torch.full((1, 3, 64, 64), -10.0)
    yy, xx = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    heat[0, 0] = 8 - ((xx - 20.0) ** 2 + (yy - 30.0) ** 2)  # confident peak at (20, 30)
    heat[0, 2] = 8 - ((xx - 1.0) ** 2 + (yy - 1.0) ** 2)
    xy = torch.tensor([[[20.6 / 64, 30.3 / 64], [10 / 64, 10 / 64], [-0.01, 0.5]]])
    out = refine_on_heatmap(xy, heat)[0]
    np.testing.assert_allclose(out[0].numpy(), [20 / 64, 30 / 64], atol=1e-5)  # onto the peak (window centred on it)
    np.testing.assert_allclose(out[1].numpy(), xy[0, 1].numpy())  # no confident heat: unchanged
    np.testing.assert_allclose(out[2].numpy(), xy[0, 2].numpy())  # trunc(-0.64) = 0 is "inside" but cold


def test_one_euro_filter() -> None:
    f = OneEuroFilter(min_cutoff=0.05, beta=0.0)
    assert f(np.array([5.0]), 0.0)[0] == 5.0  # first value passes
    steady = [f(np.array([5.0]), t / 30)[0] for t in range(1, 5)]
    assert steady == pytest.approx([5.0] * 4)
    jump = f(np.array([15.0]), 5 / 30)[0]
    assert 5.0 < jump < 6.0  # heavily smoothed at a low cutoff without speed adaptation
    fast = OneEuroFilter(min_cutoff=0.05, beta=80.0)
    fast(np.array([5.0]), 0.0)
    assert fast(np.array([15.0]), 1 / 30, value_scale=1 / 10)[0] > 14.0  # speed opens the cutoff
    assert fast(np.array([7.0]), 0.5 / 30)[0] == 7.0  # out-of-order time: passed through


def test_pose_smoother_resets() -> None:
    s = PoseSmoother()
    lms = np.zeros((33, 4), np.float32)
    aux = np.zeros((2, 3), np.float32)
    s(lms, aux, None, 0.0, 100.0)
    moved, _, _ = s(lms + 50, aux, None, 1 / 30, 100.0)
    assert 0 < moved[0, 0] < 50
    s.reset()
    fresh, _, _ = s(lms + 50, aux, None, 2 / 30, 100.0)
    assert fresh[0, 0] == 50


def test_one_euro_keeps_its_own_copy_of_the_raw_value() -> None:
    """The derivative uses the previous *raw* value even when the caller overwrites its array with
    the filtered result (as PoseSmoother does), like MediaPipe's filter."""
    values = np.array([0.0, 10.0, 20.0])
    fed, copied = OneEuroFilter(0.05, 80.0), OneEuroFilter(0.05, 80.0)
    buf = np.zeros(1)
    for i, v in enumerate(values):
        buf[0] = v
        buf[:] = fed(buf[:], i / 30, 0.1)
        expected = copied(np.array([v]), i / 30, 0.1)
        assert buf[0] == pytest.approx(expected[0])

"""The heatmap overlay shared by annotated videos, snapshots, recordings and the GUI."""
from __future__ import annotations

import numpy as np

from vision.overlay import annotate, blend, caption_lines, heatmap_rgb


def test_blend_weights_the_heatmap_by_opacity_and_attention() -> None:
    frame = np.full((48, 64, 3), 100, np.uint8)
    attention = np.zeros((6, 8), np.float32)
    attention[2, 5] = 1.0  # all attention on one cell
    assert np.array_equal(blend(frame, attention, 0.0), frame)
    full = blend(frame, attention, 1.0)
    heat = heatmap_rgb(attention, (64, 48))
    y, x = 2 * 8 + 4, 5 * 8 + 4  # the attended cell's centre in the frame
    assert np.abs(full[y, x].astype(int) - heat[y, x]).max() <= 2  # opacity 1 at the peak: the colormap
    assert np.array_equal(full[0, 0], frame[0, 0])  # no attention there: the frame, untouched
    weak, strong = blend(frame, attention, 0.3), blend(frame, attention, 0.9)
    assert np.abs(strong.astype(int) - frame).sum() > np.abs(weak.astype(int) - frame).sum() > 0


def test_annotate_adds_a_caption_without_touching_the_input() -> None:
    frame = np.zeros((120, 160, 3), np.uint8)
    out = annotate(frame, None, 0.5, "turbo", ["MoveLeft 0.91"])
    assert frame.max() == 0 and out.max() > 0


def test_caption_lines_say_the_status_and_why_or_the_top_labels() -> None:
    labels, probs = ["wave", "clap", "kick"], [0.41, 0.3, 0.1]
    assert caption_lines(labels, probs) == ["wave 0.41", "clap 0.30", "kick 0.10"]
    assert caption_lines(labels, probs, k=1) == ["wave 0.41"]
    assert caption_lines(labels, probs, "unknown", "top 0.41 below the threshold 0.44") == [
        "unknown", "top 0.41 below the threshold 0.44"]
    assert caption_lines(labels, probs, "no person") == ["no person"]

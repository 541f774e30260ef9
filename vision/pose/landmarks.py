"""Landmark-network outputs -> points in crop units, refined on the heatmap (MediaPipe's
TensorsToLandmarks + RefineLandmarksFromHeatmap, kernel 7, min confidence 0.5)."""
from __future__ import annotations

import torch

from vision.pose.landmark_net import HEATMAP_SIZE, INPUT_SIZE, LandmarkOutput

REFINE_KERNEL = 7
REFINE_MIN_CONFIDENCE = 0.5
NUM_LANDMARKS = 33


def refine_on_heatmap(xy: torch.Tensor, heatmap: torch.Tensor, kernel: int = REFINE_KERNEL,
                      min_confidence: float = REFINE_MIN_CONFIDENCE) -> torch.Tensor:
    """Replace x/y (N, K, 2) in [0, 1] by the sigmoid-weighted centroid of the heatmap window
    around each point, where that window's peak reaches `min_confidence`.

    heatmap: (N, K, S, S) logits. Points outside the map are kept; the window shrinks at the edge.
    """
    n, k, size, _ = heatmap.shape
    centre = torch.trunc(xy * size).long()  # C++ int(): truncation towards zero
    inside = ((centre >= 0) & (centre < size)).all(dim=-1)  # (N, K)
    half = (kernel - 1) // 2
    steps = torch.arange(-half, half + 1, device=xy.device)
    cols = centre[..., 0, None, None] + steps.view(1, 1, 1, -1)  # (N, K, 1, k)
    rows = centre[..., 1, None, None] + steps.view(1, 1, -1, 1)  # (N, K, k, 1)
    valid = (cols >= 0) & (cols < size) & (rows >= 0) & (rows < size)  # (N, K, k, k)
    index = (rows.clamp(0, size - 1) * size + cols.clamp(0, size - 1))  # (N, K, k, k)
    values = heatmap.flatten(2).gather(2, index.flatten(2))  # (N, K, k*k)
    conf = torch.sigmoid(values) * valid.flatten(2)
    total = conf.sum(-1)
    peak = conf.amax(-1)
    col_f = cols.expand_as(index).flatten(2).to(conf.dtype)
    row_f = rows.expand_as(index).flatten(2).to(conf.dtype)
    refined = torch.stack([(conf * col_f).sum(-1), (conf * row_f).sum(-1)], dim=-1)
    refined = refined / size / total.clamp_min(1e-12)[..., None]
    use = inside & (peak >= min_confidence) & (total > 0)
    return torch.where(use[..., None], refined, xy)


def decode_landmarks(out: LandmarkOutput, refine: bool = True) -> torch.Tensor:
    """(N, 39, 5) points: x, y in crop units [0, 1], z in crop widths, visibility, presence."""
    pts = out.points.float()
    xy = pts[..., :2] / INPUT_SIZE
    if refine:
        assert out.heatmap.shape[-1] == HEATMAP_SIZE
        xy = refine_on_heatmap(xy, out.heatmap.float())
    z = pts[..., 2:3] / INPUT_SIZE
    return torch.cat([xy, z, torch.sigmoid(pts[..., 3:5])], dim=-1)

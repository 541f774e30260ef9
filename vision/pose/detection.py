"""BlazePose detector post-processing: SSD anchors, box/keypoint decoding, weighted NMS.

Follows MediaPipe's pose_detection graph (SsdAnchorsCalculator, TensorsToDetectionsCalculator
with `reverse_output_order`, NonMaxSuppressionCalculator with the WEIGHTED algorithm and IoU
0.3). Coordinates are normalised to the detector's 224x224 input.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from vision.pose.detector_net import INPUT_SIZE

MIN_SCORE = 0.5
NMS_IOU = 0.3
SCORE_CLIP = 100.0
# anchor layers: stride 8 -> 28x28, 16 -> 14x14, three layers at stride 32 merged -> 7x7;
# every layer has two anchors (aspect 1 + the interpolated scale), all of size 1 (fixed)
_LAYERS = ((8, 2), (16, 2), (32, 6))


@dataclass(frozen=True)
class Detection:
    """One person: box (x1, y1, x2, y2) and keypoints (4, 2) in [0, 1] input units, and score.

    Keypoints: 0 hip centre, 1 a point on the full-body circle, 2 shoulder centre, 3 a point on
    the upper-body circle.
    """

    box: np.ndarray
    keypoints: np.ndarray
    score: float


@lru_cache(maxsize=4)
def anchor_centres(device: str = "cpu") -> torch.Tensor:
    """(2254, 2) anchor centres (x, y) in [0, 1], in the network's output order."""
    rows = []
    for stride, per_cell in _LAYERS:
        cells = int(np.ceil(INPUT_SIZE / stride))
        ys, xs = np.meshgrid((np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij")
        centres = np.stack([xs.ravel(), ys.ravel()], axis=1)  # (cells*cells, 2), row-major
        rows.append(np.repeat(centres, per_cell, axis=0))
    return torch.from_numpy(np.concatenate(rows).astype(np.float32)).to(device)


def decode(boxes: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw outputs (N, 2254, 12), (N, 2254) -> corners+keypoints (N, 2254, 12) in [0,1], probabilities.

    Output rows: x1, y1, x2, y2, then keypoints x0, y0 ... x3, y3.
    """
    anchors = anchor_centres(str(boxes.device))  # (2254, 2)
    raw = boxes / INPUT_SIZE  # anchor size is 1, so only the scale and the offset remain
    centre = raw[..., 0:2] + anchors  # (N, A, 2)
    half = raw[..., 2:4] / 2
    keypoints = raw[..., 4:12].unflatten(-1, (4, 2)) + anchors[:, None, :]  # (N, A, 4, 2)
    corners = torch.cat([centre - half, centre + half], dim=-1)  # (N, A, 4)
    probs = torch.sigmoid(scores.clamp(-SCORE_CLIP, SCORE_CLIP))
    return torch.cat([corners, keypoints.flatten(-2)], dim=-1), probs


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
    union = area(box) + area(others) - inter
    return np.where((inter > 0) & (union > 0), inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(rows: np.ndarray, probs: np.ndarray, min_score: float = MIN_SCORE,
                 iou: float = NMS_IOU) -> list[Detection]:
    """MediaPipe's weighted non-maximum suppression, best first.

    Each kept detection's box and keypoints are the score-weighted mean of the candidates
    overlapping it by more than `iou`; its score stays the best candidate's.
    """
    keep = probs >= min_score
    rows, probs = rows[keep], probs[keep]
    order = np.argsort(-probs, kind="stable")
    rows, probs = rows[order], probs[order]
    out = []
    while len(rows):
        overlap = _iou(rows[0, :4], rows[:, :4]) > iou
        if not overlap.any():  # a degenerate best box overlaps nothing, not even itself: MediaPipe stops
            out.append(Detection(rows[0, :4].copy(), rows[0, 4:].reshape(4, 2).copy(), float(probs[0])))
            break
        weights = probs[overlap][:, None]
        merged = (rows[overlap] * weights).sum(0) / weights.sum()
        out.append(Detection(merged[:4].copy(), merged[4:].reshape(4, 2).copy(), float(probs[0])))
        rows, probs = rows[~overlap], probs[~overlap]
    return out

"""`vision-eval`: test-time averaging over K clips per video on a dataset's test split."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from vision.checkpoint import Checkpoint
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import spread_windows
from vision.data.motion import has_motion
from vision.data.ucf import VideoItem
from vision.data.posedata import LandmarkCache, PoseClipDataset
from vision.engine.windows import classify_windows, encode_features, encode_video
from vision.errors import DatasetError, VideoError
from vision.train.metrics import Evaluation, classification_report, evaluate_probs, plot_confusion


@dataclass
class DatasetEvaluation:
    """Scores plus what happened to each video."""

    evaluation: Evaluation
    classes: list[str]
    predictions: list[dict]
    failed: list[dict]


def video_probs(ckpt: Checkpoint, frames: np.ndarray, clips: int, batch_size: int = 64) -> np.ndarray:
    """Class probabilities of one video: the mean softmax over `clips` evenly spread windows.

    `frames`: RGB (N, H, W, 3), or a pose model's feature vectors (N, F).
    """
    windows = spread_windows(len(frames), ckpt.clip_config.num_frames, clips)
    needed = np.unique(np.concatenate(windows))  # encode each frame once, even where windows overlap
    if ckpt.model_config.input == "pose":
        encoded = encode_features(ckpt.model, frames[needed], batch_size)
    elif has_motion(ckpt.model_config.input):  # differences need each frame's predecessor: one run
        needed = np.arange(needed[0], needed[-1] + 1)
        before = frames[needed[0] - 1] if needed[0] > 0 else None
        encoded = encode_video(ckpt.model, frames[needed], ckpt.clip_config, batch_size, before)
    else:
        encoded = encode_video(ckpt.model, frames[needed], ckpt.clip_config, batch_size)
    position = {int(f): i for i, f in enumerate(needed)}
    local = [np.array([position[int(f)] for f in w]) for w in windows]
    logits = classify_windows(ckpt.model, encoded.embeddings, local).logits
    return torch.softmax(logits, dim=1).mean(0).numpy()


def evaluate_items(
    ckpt: Checkpoint,
    items: list[VideoItem],
    dataset_classes: list[str],
    clips: int = 1,
    cache: FrameCache | None = None,
    progress: Callable[[], None] | None = None,
) -> DatasetEvaluation:
    """Evaluate `ckpt` on `items`, whose labels index `dataset_classes` (matched by name)."""
    pose = ckpt.model_config.input == "pose"
    if cache is None:
        cache = LandmarkCache(None) if pose else FrameCache(None, DecodeParams.for_clip(ckpt.clip_config))
    loader = PoseClipDataset([], ckpt.clip_config, cache) if pose else None
    to_model = {i: ckpt.labels.index(c) if c in ckpt.labels else -1 for i, c in enumerate(dataset_classes)}
    probs: list[np.ndarray] = []
    labels: list[int] = []
    predictions: list[dict] = []
    failed: list[dict] = []
    for item in items:
        try:
            inputs = loader.features(cache.load(item.path)) if pose else np.asarray(cache.load(item.path).frames)
            if len(inputs) == 0:
                raise DatasetError(f"{item.path}: no frames")
            p = video_probs(ckpt, inputs, clips)
        except (VideoError, DatasetError) as exc:
            failed.append({"path": str(item.path), "error": str(exc)})
        else:
            label = to_model[item.label]
            if label >= 0:
                probs.append(p)
                labels.append(label)
            top = int(p.argmax())
            predictions.append({
                "path": str(item.path), "true": dataset_classes[item.label],
                "predicted": ckpt.labels[top], "probability": float(p[top]),
            })
        if progress:
            progress()
    n = len(ckpt.labels)
    stacked = np.stack(probs) if probs else np.zeros((0, n))
    return DatasetEvaluation(evaluate_probs(stacked, np.array(labels), n), ckpt.labels, predictions, failed)


def write_evaluation(result: DatasetEvaluation, out: Path, meta: dict) -> Path:
    """Write summary.json, report.txt and confusion_matrix.png into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    ev = result.evaluation
    report = classification_report(ev.confusion, result.classes)
    (out / "report.txt").write_text(report)
    plot_confusion(ev.confusion, result.classes, out / "confusion_matrix.png", f"top-1 {ev.top1:.1%} on {ev.count} videos")
    summary = {
        **meta, "videos": ev.count, "top1": ev.top1, "top5": ev.top5, "loss": ev.loss,
        "classes": result.classes, "confusion": ev.confusion.tolist(),
        "failed": result.failed, "predictions": result.predictions,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    if result.failed:
        print(f"warning: {len(result.failed)} video(s) could not be read: "
              + "; ".join(f["error"] for f in result.failed), file=sys.stderr)
    return out

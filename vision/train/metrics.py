"""Classification metrics, reports and run logs (CSV, optional TensorBoard, confusion PNG)."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch


@dataclass(frozen=True)
class Evaluation:
    """Scores of predictions `probs` (N, C) against `labels` (N,)."""

    top1: float
    top5: float
    loss: float
    confusion: np.ndarray  # (C, C): rows true class, columns predicted

    @property
    def count(self) -> int:
        return int(self.confusion.sum())


def evaluate_probs(probs: np.ndarray, labels: np.ndarray, num_classes: int) -> Evaluation:
    """Top-1/top-5 accuracy, mean NLL and the confusion matrix of class probabilities."""
    labels = labels.astype(np.int64)
    if len(labels) == 0:
        return Evaluation(0.0, 0.0, 0.0, np.zeros((num_classes, num_classes), np.int64))
    k = min(5, num_classes)
    topk = np.argsort(-probs, axis=1)[:, :k]
    top1 = float((topk[:, 0] == labels).mean())
    top5 = float((topk == labels[:, None]).any(axis=1).mean())
    loss = float(-np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None)).mean())
    confusion = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(confusion, (labels, topk[:, 0]), 1)
    return Evaluation(top1, top5, loss, confusion)


def per_class_scores(confusion: np.ndarray) -> list[tuple[float, float, float, int]]:
    """(precision, recall, F1, support) per class from a confusion matrix."""
    out = []
    for c in range(confusion.shape[0]):
        tp = confusion[c, c]
        predicted, actual = confusion[:, c].sum(), confusion[c].sum()
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out.append((float(p), float(r), float(f), int(actual)))
    return out


def classification_report(confusion: np.ndarray, classes: list[str]) -> str:
    """A per-class precision/recall/F1 table (scikit-learn's layout) with accuracy and averages."""
    scores = per_class_scores(confusion)
    width = max(12, *(len(c) for c in classes))
    lines = [f"{'':>{width}}  precision    recall  f1-score   support", ""]
    for name, (p, r, f, n) in zip(classes, scores):
        lines.append(f"{name:>{width}}  {p:9.3f} {r:9.3f} {f:9.3f} {n:9d}")
    total = int(confusion.sum())
    acc = np.trace(confusion) / total if total else 0.0
    macro = np.mean([s[:3] for s in scores], axis=0) if scores else np.zeros(3)
    weights = np.array([s[3] for s in scores], float)
    weighted = (np.array([s[:3] for s in scores]) * weights[:, None]).sum(0) / max(1.0, weights.sum())
    lines += ["", f"{'accuracy':>{width}}  {'':9} {'':9} {acc:9.3f} {total:9d}"]
    lines.append(f"{'macro avg':>{width}}  {macro[0]:9.3f} {macro[1]:9.3f} {macro[2]:9.3f} {total:9d}")
    lines.append(f"{'weighted avg':>{width}}  {weighted[0]:9.3f} {weighted[1]:9.3f} {weighted[2]:9.3f} {total:9d}")
    return "\n".join(lines) + "\n"


def plot_confusion(confusion: np.ndarray, classes: list[str], path: Path, title: str = "") -> None:
    """Save a row-normalised confusion matrix with class names on both axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(classes)
    rows = confusion.sum(axis=1, keepdims=True)
    norm = np.divide(confusion, rows, out=np.zeros(confusion.shape, float), where=rows > 0)
    size = max(4.0, 0.55 * n + 2)
    fig, ax = plt.subplots(figsize=(size, size), dpi=100)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 30:
        for i in range(n):
            for j in range(n):
                if confusion[i, j]:
                    ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=8,
                            color="white" if norm[i, j] > 0.5 else "black")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


METRIC_COLUMNS = (
    "epoch", "train_loss", "train_acc", "val_loss", "val_top1", "val_top5", "lr", "epoch_seconds",
    "train_clips_per_s", "gpu_peak_mb",  # gpu_peak_mb: empty on CPU
)


class MetricsLog:
    """Appends one row per epoch to `metrics.csv` (flushed and fsynced) and to TensorBoard.

    On resume, rows of epochs after the resumed checkpoint are dropped so no epoch appears twice.
    """

    def __init__(self, run_dir: Path, resume_epoch: int = 0) -> None:
        self.path = run_dir / "metrics.csv"
        rows = self.read(self.path) if self.path.exists() else []
        kept = [r for r in rows if int(r["epoch"]) <= resume_epoch]
        with self.path.open("w", newline="") as f:
            writer = csv.DictWriter(f, METRIC_COLUMNS)
            writer.writeheader()
            writer.writerows(kept)
        self._tb = None
        try:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(str(run_dir / "tensorboard"), purge_step=resume_epoch + 1)
        except ImportError:  # tensorboard is optional
            pass

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        with path.open(newline="") as f:
            return list(csv.DictReader(f))

    def append(self, row: dict[str, float]) -> None:
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, METRIC_COLUMNS).writerow({k: row[k] for k in METRIC_COLUMNS})
            f.flush()
            os.fsync(f.fileno())
        if self._tb is not None:
            for key in METRIC_COLUMNS[1:]:
                if row[key] is not None:
                    self._tb.add_scalar(key, row[key], int(row["epoch"]))
            self._tb.flush()

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()


def reduce_evaluation(ev: Evaluation, info, device) -> Evaluation:
    """Combine per-rank evaluations of disjoint validation shards (`info`: a `DistInfo`)."""
    from vision.train import distributed as D

    if not info.enabled:
        return ev
    n = ev.count
    packed = torch.tensor([ev.loss * n, ev.top1 * n, ev.top5 * n, *ev.confusion.ravel()], dtype=torch.float64, device=device)
    total = D.all_sum(packed, info).cpu().numpy()
    count = max(1.0, total[3:].sum())
    confusion = total[3:].round().astype(np.int64).reshape(ev.confusion.shape)
    return Evaluation(total[1] / count, total[2] / count, total[0] / count, confusion)

"""Few-shot training, step 3: choosing the head on held-out folds and calibrating "unknown".

Folds hold out whole clips (all versions of a clip stay on one side), at most one in `k` per
class, and never a class's only clip. A held-out clip is read as recorded (view 0), its windows'
probabilities averaged. The head with the best held-out clip accuracy wins; a tie goes to the
simpler head.

"Unknown" is calibrated on the same idea: distances of held-out clips of known classes to their
nearest class prototype (should be accepted) against distances of each class's clips to the
prototypes of a model trained without that class (an action outside the label set: should be
rejected). Distances are squared, per summary dimension, in units of the model's within-class
variance, so a radius found on fold models carries over to the final one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from vision.model import ActionNet
from vision.train.fewshot_embed import ClipEmbedding
from vision.train.fewshot_heads import HEADS, fit_head, predict, prototypes, summaries

Cancelled = Callable[[], bool]


def make_folds(labels: list[int], max_folds: int, seed: int = 0) -> list[np.ndarray]:
    """Held-out clip indices per fold; classes with one clip are never held out."""
    labels_arr = np.asarray(labels)
    counts = np.bincount(labels_arr)
    if counts.max(initial=0) < 2 or max_folds < 2:
        return []
    k = int(min(max_folds, counts.max()))
    rng = np.random.default_rng(seed)
    fold_of = np.full(len(labels_arr), -1)
    for c in range(len(counts)):
        mine = np.flatnonzero(labels_arr == c)
        if len(mine) < 2:
            continue
        rng.shuffle(mine)
        fold_of[mine] = np.arange(len(mine)) % k
    return [np.flatnonzero(fold_of == f) for f in range(k) if (fold_of == f).any()]


def stack(clips: list[ClipEmbedding], labels: list[int], recorded_only: bool = False
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Windows (N, T, D), masks (N, T), labels (N,) and clip index (N,) of some clips."""
    windows, masks, ys, owner = [], [], [], []
    for i, (clip, y) in enumerate(zip(clips, labels)):
        keep = clip.recorded if recorded_only else torch.ones(len(clip.windows), dtype=torch.bool)
        windows.append(clip.windows[keep])
        masks.append(clip.masks[keep])
        ys.append(torch.full((int(keep.sum()),), y, dtype=torch.long))
        owner.append(torch.full((int(keep.sum()),), i, dtype=torch.long))
    return torch.cat(windows), torch.cat(masks), torch.cat(ys), torch.cat(owner)


@dataclass(frozen=True)
class Geometry:
    """Prototypes (C, S) of a model's window summaries and the scale of squared distances."""

    prototypes: torch.Tensor
    scale: float  # 1 / (S * within-class variance)

    @classmethod
    def of(cls, model: ActionNet, windows: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor,
           num_classes: int) -> "Geometry":
        summary = summaries(model, windows, masks)
        protos, var = prototypes(summary, labels, num_classes)
        return cls(protos, 1.0 / (summary.shape[1] * var))

    def distances(self, model: ActionNet, windows: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """(N,) scaled squared distance of each window's summary to the nearest prototype."""
        return torch.cdist(summaries(model, windows, masks), self.prototypes).square().min(1).values * self.scale


@dataclass
class HeadScore:
    """A head's held-out results over the folds."""

    kind: str
    correct: list[bool] = field(default_factory=list)  # per held-out clip
    clip_labels: list[int] = field(default_factory=list)
    known_distances: list[float] = field(default_factory=list)  # per held-out window
    known_maxprob: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return float(np.mean(self.correct)) if self.correct else None


def cross_validate(kind: str, encoder: ActionNet, clips: list[ClipEmbedding], labels: list[int], num_classes: int,
                   folds: list[np.ndarray], seed: int, cancelled: Cancelled,
                   on_fold: Callable[[float], None] | None = None) -> HeadScore:
    """Train `kind` on all but each fold, score the fold's clips as recorded."""
    score = HeadScore(kind)
    for f, held in enumerate(folds):
        train = [i for i in range(len(clips)) if i not in set(held.tolist())]
        w, m, y, _ = stack([clips[i] for i in train], [labels[i] for i in train])
        model = fit_head(kind, encoder, w, m, y, num_classes, seed=seed + f, cancelled=cancelled)
        geometry = Geometry.of(model, w, m, y, num_classes)
        hw, hm, hy, owner = stack([clips[i] for i in held], [labels[i] for i in held], recorded_only=True)
        probs = predict(model, hw, hm)
        score.known_distances += geometry.distances(model, hw, hm).tolist()
        score.known_maxprob += probs.max(1).values.tolist()
        for j in range(len(held)):
            clip_probs = probs[owner == j].mean(0)
            score.correct.append(bool(int(clip_probs.argmax()) == int(hy[owner == j][0])))
            score.clip_labels.append(int(hy[owner == j][0]))
        if on_fold:
            on_fold(float(np.mean(score.correct)))
    return score


def choose_head(scores: list[HeadScore]) -> HeadScore:
    """Best held-out accuracy; ties go to the simpler head (the order of `HEADS`)."""
    return max(scores, key=lambda s: (s.accuracy if s.accuracy is not None else -1, -HEADS.index(s.kind)))


def outside_class_scores(kind: str, encoder: ActionNet, clips: list[ClipEmbedding], labels: list[int],
                         num_classes: int, seed: int, cancelled: Cancelled) -> tuple[list[float], list[float]]:
    """Distances and max probabilities of each class's clips (as recorded) under a model trained
    on the other classes only: what an action outside the label set looks like."""
    distances, maxprob = [], []
    for c in range(num_classes):
        rest = [i for i, y in enumerate(labels) if y != c]
        outside = [i for i, y in enumerate(labels) if y == c]
        remap = {old: new for new, old in enumerate(sorted({labels[i] for i in rest}))}
        w, m, y, _ = stack([clips[i] for i in rest], [remap[labels[i]] for i in rest])
        model = fit_head(kind, encoder, w, m, y, len(remap), seed=seed + 100 + c, cancelled=cancelled)
        geometry = Geometry.of(model, w, m, y, len(remap))
        ow, om, _, _ = stack([clips[i] for i in outside], [0] * len(outside), recorded_only=True)
        distances += geometry.distances(model, ow, om).tolist()
        maxprob += predict(model, ow, om).max(1).values.tolist()
    return distances, maxprob


@dataclass(frozen=True)
class Threshold:
    """A rejection rule's operating point on the held-out windows."""

    method: str  # "distance" (reject above) or "probability" (reject below)
    value: float
    accept_known: float  # share of held-out windows of known classes accepted
    false_accept: float  # share of windows of a left-out class accepted (as some class)

    @property
    def balanced(self) -> float:
        return (self.accept_known + 1 - self.false_accept) / 2


def best_threshold(known: list[float], outside: list[float], method: str) -> Threshold | None:
    """The cut that maximises (accepted known + rejected outside) / 2; ties keep more knowns."""
    if not known or not outside:
        return None
    sign = 1.0 if method == "distance" else -1.0  # accept when sign * score <= sign * cut
    k, o = sign * np.asarray(known), sign * np.asarray(outside)
    values = np.unique(np.concatenate([k, o]))
    best = None
    for cut in values:
        tar, far = float((k <= cut).mean()), float((o <= cut).mean())
        key = (tar + 1 - far, tar)
        if best is None or key > best[0]:
            best = (key, cut, tar, far)
    _, cut, tar, far = best
    # put the cut halfway to the next score above it (a margin for unseen windows)
    above = values[values > cut]
    if len(above):
        cut = (cut + above[0]) / 2
    return Threshold(method, float(sign * cut), tar, far)

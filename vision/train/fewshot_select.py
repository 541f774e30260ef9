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
    """Held-out clip indices per fold; classes with one clip are never held out.

    Fold j holds clip j of every class (so at most as many folds as the biggest class has
    clips); with `max_folds` at least the number of clips that can be held out, every such
    clip is a fold of its own (leave-one-clip-out).
    """
    labels_arr = np.asarray(labels)
    counts = np.bincount(labels_arr)
    if counts.max(initial=0) < 2 or max_folds < 2:
        return []
    eligible = np.flatnonzero(counts[labels_arr] >= 2)
    if max_folds >= len(eligible):
        return [np.array([i]) for i in eligible]
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


@dataclass(frozen=True)
class Batch:
    """Windows of some clips, stacked."""

    windows: torch.Tensor  # (N, T, D)
    masks: torch.Tensor  # (N, T)
    labels: torch.Tensor  # (N,)
    owner: torch.Tensor  # (N,) index of the clip in the list given
    summary: torch.Tensor | None  # (N, S) under the encoder's LSTM, when the clips carry it

    def frozen(self, kind: str) -> torch.Tensor | None:
        """The summaries a head of `kind` reads, if they do not depend on its training."""
        return None if kind == "lstm" else self.summary


def stack(clips: list[ClipEmbedding], labels: list[int], recorded_only: bool = False) -> Batch:
    """The windows of `clips` (as recorded only, or all versions) with per-window labels."""
    windows, masks, ys, owner, summary = [], [], [], [], []
    for i, (clip, y) in enumerate(zip(clips, labels)):
        keep = clip.recorded if recorded_only else torch.ones(len(clip.windows), dtype=torch.bool)
        windows.append(clip.windows[keep])
        masks.append(clip.masks[keep])
        ys.append(torch.full((int(keep.sum()),), y, dtype=torch.long))
        owner.append(torch.full((int(keep.sum()),), i, dtype=torch.long))
        if clip.summary is not None:
            summary.append(clip.summary[keep])
    return Batch(torch.cat(windows), torch.cat(masks), torch.cat(ys), torch.cat(owner),
                 torch.cat(summary) if len(summary) == len(clips) else None)


def add_summaries(model: ActionNet, clips: list[ClipEmbedding]) -> None:
    """Every clip's window summaries under the encoder's own LSTM, in one pass: the prototype
    and linear heads of every fold read these instead of running the LSTM again."""
    all_windows = torch.cat([c.windows for c in clips])
    all_masks = torch.cat([c.masks for c in clips])
    out = summaries(model, all_windows, all_masks)
    for clip, part in zip(clips, torch.split(out, [len(c.windows) for c in clips])):
        clip.summary = part


@dataclass(frozen=True)
class Geometry:
    """Prototypes (C, S) of a model's window summaries and the scale of squared distances."""

    prototypes: torch.Tensor
    scale: float  # 1 / (S * within-class variance)

    @classmethod
    def of(cls, model: ActionNet, batch: Batch, num_classes: int, summary: torch.Tensor | None = None) -> Geometry:
        """Of `model`'s summaries of `batch` (`summary`: already computed)."""
        summary = summaries(model, batch.windows, batch.masks) if summary is None else summary
        protos, var = prototypes(summary, batch.labels, num_classes)
        return cls(protos, 1.0 / (summary.shape[1] * var))

    def distances(self, model: ActionNet, batch: Batch, summary: torch.Tensor | None = None) -> torch.Tensor:
        """(N,) scaled squared distance of each window's summary to the nearest prototype."""
        summary = summaries(model, batch.windows, batch.masks) if summary is None else summary
        return torch.cdist(summary, self.prototypes).square().min(1).values * self.scale


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
                   on_fold: Callable[[int, float], None] | None = None,
                   on_loss: Callable[[int, float], None] | None = None) -> HeadScore:
    """Train `kind` on all but each fold, score the fold's clips as recorded. `on_fold(folds
    done, accuracy so far)` after each fold; `on_loss(step, loss)` while a fold's head trains."""
    score = HeadScore(kind)
    for f, held in enumerate(folds):
        train = [i for i in range(len(clips)) if i not in set(held.tolist())]
        tb = stack([clips[i] for i in train], [labels[i] for i in train])
        model = fit_head(kind, encoder, tb.windows, tb.masks, tb.labels, num_classes, seed=seed + f,
                         cancelled=cancelled, summary=tb.frozen(kind), on_loss=on_loss)
        geometry = Geometry.of(model, tb, num_classes, tb.frozen(kind))
        hb = stack([clips[i] for i in held], [labels[i] for i in held], recorded_only=True)
        probs = predict(model, hb.windows, hb.masks)
        score.known_distances += geometry.distances(model, hb, hb.frozen(kind)).tolist()
        score.known_maxprob += probs.max(1).values.tolist()
        for j in range(len(held)):
            clip_probs = probs[hb.owner == j].mean(0)
            truth = int(hb.labels[hb.owner == j][0])
            score.correct.append(bool(int(clip_probs.argmax()) == truth))
            score.clip_labels.append(truth)
        if on_fold:
            on_fold(f + 1, float(np.mean(score.correct)))
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
        tb = stack([clips[i] for i in rest], [remap[labels[i]] for i in rest])
        model = fit_head(kind, encoder, tb.windows, tb.masks, tb.labels, len(remap), seed=seed + 100 + c,
                         cancelled=cancelled, summary=tb.frozen(kind))
        geometry = Geometry.of(model, tb, len(remap), tb.frozen(kind))
        ob = stack([clips[i] for i in outside], [0] * len(outside), recorded_only=True)
        distances += geometry.distances(model, ob, ob.frozen(kind)).tolist()
        maxprob += predict(model, ob.windows, ob.masks).max(1).values.tolist()
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


def best_threshold(known: list[float], outside: list[float], method: str, min_accept: float = 0.0
                   ) -> Threshold | None:
    """The cut that maximises (accepted known + rejected outside) / 2 among those accepting at
    least `min_accept` of the known windows; ties keep more knowns."""
    if not known or not outside:
        return None
    sign = 1.0 if method == "distance" else -1.0  # accept when sign * score <= sign * cut
    k, o = sign * np.asarray(known), sign * np.asarray(outside)
    values = np.unique(np.concatenate([k, o]))
    best = None
    for cut in values:
        tar, far = float((k <= cut).mean()), float((o <= cut).mean())
        if tar < min_accept and cut != values[-1]:
            continue
        key = (tar + 1 - far, tar)
        if best is None or key > best[0]:
            best = (key, cut, tar, far)
    _, cut, tar, far = best
    # put the cut halfway to the next score above it (a margin for unseen windows)
    above = values[values > cut]
    if len(above):
        cut = (cut + above[0]) / 2
    return Threshold(method, float(sign * cut), tar, far)

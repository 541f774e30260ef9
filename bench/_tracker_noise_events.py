"""Tracker-noise benchmark: lost frames, left/right swaps and outliers, found against each
track's smooth continuation (see bench/tracker_noise.py)."""
from __future__ import annotations

import numpy as np

from _tracker_noise_data import LEFT, OUTLIER_JUMP, RIGHT, Clip, Segment
from _tracker_noise_signal import inside, orientation, speeds


def lost_frames(clips: list[Clip]) -> dict:
    """Misses (1-frame gaps) and dropouts (longer gaps) on clips with one person in view throughout."""
    frames, seconds, misses, drops = 0, 0.0, 0, []
    for c in clips:
        present = np.isfinite(c.lm[:, 0, 0])
        frames += len(present)
        seconds += len(present) / c.fps
        for a, b in runs(~present):
            if b - a == 1:
                misses += 1
            else:
                drops.append(b - a)
    return {"frames": frames, "seconds": seconds, "misses": misses, "dropouts": len(drops),
            "miss_rate": misses / max(frames, 1), "dropout_rate": len(drops) / max(seconds, 1e-9),
            "dropout_frames": float(np.mean(drops)) if drops else float("nan")}


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[a, b) runs of True."""
    m = np.r_[False, np.asarray(mask, bool), False]
    edges = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _continuation(p: np.ndarray, a: int, b: int, parts: bool = False):
    """Smooth continuation of p (T, K, 2) across frames [a, b) from two frames on either side
    (with parts: also the forward and backward extrapolations it blends)."""
    n = b - a
    k = np.arange(1, n + 1)[:, None, None]
    fwd = p[a - 1] + k * (p[a - 1] - p[a - 2])
    bwd = p[b] - (n + 1 - k) * (p[b + 1] - p[b])
    w = (n + 1 - k) / (n + 1)
    return (w * fwd + (1 - w) * bwd, fwd, bwd) if parts else w * fwd + (1 - w) * bwd


def swap_events(seg: Segment, pair: str, max_s: float = 0.5) -> list[tuple[int, int]]:
    """Runs [a, b) where the left/right labels of `pair` are exchanged against their continuation."""
    left, right = seg.lm[:, LEFT[pair], :2], seg.lm[:, RIGHT[pair], :2]
    apart = np.linalg.norm(left - right, axis=-1).mean(-1) / seg.height
    cands = []
    dmax = max(2, round(max_s * seg.fps))
    for a in range(2, seg.n - 3):
        for b in range(a + 1, min(a + dmax, seg.n - 2) + 1):
            pl, pr = _continuation(left, a, b), _continuation(right, a, b)
            ol, orr, h = left[a:b], right[a:b], seg.height[a:b]
            same = (np.linalg.norm(ol - pl, axis=-1) + np.linalg.norm(orr - pr, axis=-1)).mean(-1) / h
            cross = (np.linalg.norm(ol - pr, axis=-1) + np.linalg.norm(orr - pl, axis=-1)).mean(-1) / h
            if (cross.mean() < 0.5 * same.mean() and same.mean() - cross.mean() > 0.08
                    and apart[a:b].mean() > 0.06 and (cross < same).all()):
                cands.append((same.mean() - cross.mean(), a, b))
    chosen: list[tuple[int, int]] = []
    for _, a, b in sorted(cands, reverse=True):  # the clearest first; a run whose anchors touch it is its echo
        if all(b + 2 <= c or a >= d + 2 for c, d in chosen):
            chosen.append((a, b))
    return sorted(chosen)


def swap_stats(segs: list[Segment]) -> dict:
    """Left/right swaps per pair (torso: whole-body flips): counts, rates, median duration, where."""
    out = {}
    for pair in ("legs", "arms", "torso"):
        durations, in_view, view_s, total_s, where = [], 0, 0.0, 0.0, []
        for seg in segs:
            sideness, back, _ = orientation(seg)
            view = back if pair == "torso" else sideness > 0.6
            total_s += seg.n / seg.fps
            view_s += view.sum() / seg.fps
            for a, b in swap_events(seg, pair):
                durations.append((b - a) / seg.fps)
                in_view += bool(view[a:b].mean() > 0.5)
                where.append((seg.clip, seg.start + a, seg.start + b))
        out[pair] = {"events": len(durations), "per_s": len(durations) / max(total_s, 1e-9), "view_s": view_s,
                     "per_view_s": in_view / view_s if view_s > 0 else float("nan"),
                     "duration_s": float(np.median(durations)) if durations else float("nan"), "where": where}
    return out


def outlier_events(seg: Segment) -> list[tuple[int, int, int, float]]:
    """(point, a, b, per-axis RMS jump in H): runs of 1-3 frames off both sides' continuation."""
    p = seg.lm[..., :2]
    ok = inside(seg) & (speeds(seg, robust=True) < 1.0)
    cands = []
    for d in (1, 2, 3):
        for a in range(2, seg.n - d - 1):
            b = a + d
            pred, fwd, bwd = _continuation(p, a, b, parts=True)
            h = seg.height[a:b, None]
            dev = np.linalg.norm(p[a:b] - pred, axis=-1) / h  # (d, 33)
            disagree = (np.linalg.norm(fwd - bwd, axis=-1) / h).max(0)  # the anchors' own consistency
            hit = (dev.min(0) > OUTLIER_JUMP) & (disagree < 0.5 * dev.min(0)) & ok[a - 2:b + 2].all(0)
            for k in np.flatnonzero(hit):
                cands.append((float(np.sqrt(np.mean(dev[:, k] ** 2) / 2)), int(k), a, b))
    chosen: list[tuple[int, int, int, float]] = []
    for size, k, a, b in sorted(cands, reverse=True):  # the largest first; runs whose anchors touch it are echoes
        if all(k != k2 or b + 2 <= a2 or a >= b2 + 2 for k2, a2, b2, _ in chosen):
            chosen.append((k, a, b, size))
    return chosen


HAND_OF = {k: 0 for k in (15, 17, 19, 21)} | {k: 1 for k in (16, 18, 20, 22)}


def _clusters(events: list[tuple[int, int, int, float]]) -> int:
    """Events: detections that overlap in time count once, whichever points they are on."""
    n, end = 0, -1
    for _, a, b, _ in sorted(events, key=lambda e: e[1]):
        if a >= end:
            n += 1
        end = max(end, b)
    return n


def outlier_stats(segs: list[Segment]) -> dict:
    """Outliers: rate per point-frame, overlapping events as one, share on hands, RMS size, where."""
    points, frames, sizes, where, clusters = 0, 0, [], [], 0
    for seg in segs:
        ok = inside(seg) & (speeds(seg, robust=True) < 1.0)
        points += int(ok[2:-2].sum())
        frames += seg.n
        events = outlier_events(seg)
        clusters += _clusters(events)
        for k, a, b, size in events:
            sizes.append(size)
            where.append((seg.clip, k, seg.start + a, seg.start + b))
    hands = sum(k in HAND_OF for _, k, _, _ in where)
    return {"rate": len(sizes) / max(points, 1), "events": len(sizes), "where": where, "clusters": clusters,
            "cluster_rate": clusters / max(frames, 1), "hand_share": hands / max(len(sizes), 1),
            "size": float(np.sqrt(np.mean(np.square(sizes)))) if sizes else float("nan")}

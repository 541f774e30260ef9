"""Tracker-noise benchmark: jitter (the SG residual), the tracker's output noise from a replay
of its filter, and the filter's lag (see bench/tracker_noise.py)."""
from __future__ import annotations

import numpy as np

from _tracker_noise_data import GROUPS, Segment
from _tracker_noise_signal import (
    ar1_gain,
    inside,
    per_h,
    replay_filter,
    residual_operator,
    sg_weights,
    still_frames,
    window_apply,
    winsorise,
)


def hf_jitter(segs: list[Segment], subset: str, source: str = "lm") -> dict[str, float]:
    """White-equivalent sigma of the SG residual per group (H, per axis), z ratio, shift, scale."""
    r = residual_operator()
    g0 = ar1_gain(r, 0.0)
    acc: dict[str, list[float]] = {}

    def add(what: str, e: np.ndarray) -> None:
        e = winsorise(e)
        ok = np.isfinite(e)
        a = acc.setdefault(what, [0.0, 0, 0.0, 0])
        a[0] += float(np.square(e[ok]).sum())
        a[1] += int(ok.sum())
        pair = ok[1:] & ok[:-1]
        a[2] += float((e[1:] * e[:-1])[pair].sum())
        a[3] += int(pair.sum())

    for seg in segs:
        x = getattr(seg, source)
        if x is None:
            continue
        frames = still_frames(seg) if subset == "still" else np.ones(seg.n, bool)
        use = frames[:, None] & inside(seg)
        res = per_h(window_apply(np.where(use[..., None], x[..., :3], np.nan), r), seg.height)  # (T, 33, 3)
        for g, idx in GROUPS.items():
            add(g, res[:, idx, :2])
            add("z:" + g, res[:, idx, 2])
        whole = inside(seg).all(0)  # the points inside the frame all through the segment
        if whole.sum() < 4:
            continue
        body = x[:, whole, :2]
        add("shift", per_h(window_apply(np.where(frames[:, None], body.mean(1), np.nan), r), seg.height))
        rel = body - body.mean(1, keepdims=True)
        logr = 0.5 * np.log(np.square(rel).sum(-1).mean(1))
        add("scale", window_apply(np.where(frames, logr, np.nan), r))
    out = {}
    for what, (s, n, s1, n1) in acc.items():
        if n >= 40:
            out[what] = float(np.sqrt(s / n / g0))
            if what == "torso" and n1:
                out["torso_rho1"] = s1 / n1 / (s / n)
    return out


def smoothed_noise(segs: list[Segment], repeats: int = 4, seed: int = 0) -> dict:
    """The tracker's output noise per group on still and all frames: sigma (H/axis), tau (s);
    from the raw noise level and a replay of its filter (see the module docstring)."""
    rng = np.random.default_rng(seed)
    raw_sigma = hf_jitter(segs, "all", "raw")
    stats: dict[tuple[str, str], list[float]] = {}
    check: dict[str, list[float]] = {}
    r = residual_operator()
    for seg in segs:
        if seg.raw is None or seg.n < 20:
            continue
        truth = window_apply(seg.raw[..., :3], sg_weights(4, 3))
        keep = np.isfinite(truth).all((1, 2))
        a, b = int(np.argmax(keep)), int(len(keep) - np.argmax(keep[::-1]))
        truth, times, scale, h = truth[a:b], seg.times[a:b], seg.scale[a:b], seg.height[a:b]
        ins = inside(seg)[a:b]
        still = still_frames(seg)[a:b]
        clean = replay_filter(truth, times, scale)
        for _ in range(repeats):
            noise = rng.standard_normal(truth.shape) * h[:, None, None]
            for g, idx in GROUPS.items():
                noise[:, idx, :2] *= raw_sigma.get(g, 0.0)
                noise[:, idx, 2] *= raw_sigma.get("z:" + g, 0.0)
            noisy = replay_filter(truth + noise, times, scale)
            e = per_h(noisy - clean, h)  # (T, 33, 3)
            for sub, frames in (("still", still), ("all", np.ones_like(still))):
                for g, idx in GROUPS.items():
                    for axis, name in ((slice(0, 2), g), (slice(2, 3), "z:" + g)):
                        m = (frames[:, None] & ins[:, idx])[..., None].repeat(e[:, idx, axis].shape[-1], -1)
                        v = e[:, idx, axis]
                        pair = m[1:] & m[:-1]
                        s = stats.setdefault((sub, name), [0.0, 0, 0.0, 0])
                        s[0] += float(np.square(v[m]).sum())
                        s[1] += int(m.sum())
                        s[2] += float((v[1:] * v[:-1])[pair].sum())
                        s[3] += int(pair.sum())
            res = per_h(window_apply(noisy[:, GROUPS["torso"], :2] - 0, r), h)
            m = (still[:, None] & ins[:, GROUPS["torso"]])[..., None].repeat(2, -1) & np.isfinite(res)
            c = check.setdefault("torso", [0.0, 0])
            c[0] += float(np.square(winsorise(np.where(m, res, np.nan))[m]).sum())
            c[1] += int(m.sum())
    out: dict = {"raw": raw_sigma}
    fps = float(np.median([s.fps for s in segs]))
    for (sub, name), (s, n, s1, n1) in stats.items():
        if n < 40:
            continue
        var = s / n
        a = max(1e-6, s1 / n1 / var)
        out.setdefault(sub, {})[name] = {"sigma": float(np.sqrt(var)), "tau": float(-1 / (fps * np.log(a))) if a < 1 else float("inf")}
    if check.get("torso", [0, 0])[1]:
        s, n = check["torso"]
        out["hf_check_torso_still"] = float(np.sqrt(s / n / ar1_gain(r, 0.0)))
    return out


def lag_fit(segs: list[Segment]) -> float:
    """Time constant (s) of the first-order low-pass that best maps raw onto smoothed landmarks, moving frames."""
    taus = np.linspace(0.0, 0.2, 41)
    sse = np.zeros(len(taus))
    for seg in segs:
        if seg.raw is None:
            continue
        moving = ~still_frames(seg)
        x, y = seg.raw[..., :2], seg.lm[..., :2]
        for i, tau in enumerate(taus):
            a = np.exp(-1 / (seg.fps * tau)) if tau > 0 else 0.0
            lp = x.copy()
            for t in range(1, len(x)):
                lp[t] = a * lp[t - 1] + (1 - a) * x[t]
            sse[i] += float(np.square(per_h(lp - y, seg.height)[moving]).sum())
    return float(taus[np.argmin(sse)]) if sse.any() else float("nan")

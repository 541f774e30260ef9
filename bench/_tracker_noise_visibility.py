"""Tracker-noise benchmark: visibility scores by class of point, their wander, and BlazePose's z."""
from __future__ import annotations

import warnings

import numpy as np

from _tracker_noise_data import GROUPS, LIMB_LEFT, LIMB_RIGHT, Segment
from _tracker_noise_signal import inside, orientation, still_frames


def visibility_classes(segs: list[Segment]) -> dict[str, np.ndarray]:
    """Visibility values per class of point (see the module docstring)."""
    vals: dict[str, list[np.ndarray]] = {}
    counts = {"side": 0.0, "back": 0.0}
    for seg in segs:
        vis = seg.lm[..., 3]
        ins = inside(seg)
        sideness, back, far_side = orientation(seg)
        side = sideness > 0.6
        counts["side"] += side.sum() / seg.fps
        counts["back"] += back.sum() / seg.fps
        far = np.zeros((seg.n, 33), bool)
        far[side & (far_side > 0)] |= np.isin(np.arange(33), LIMB_LEFT)
        far[side & (far_side < 0)] |= np.isin(np.arange(33), LIMB_RIGHT)
        face_back = back[:, None] & np.isin(np.arange(33), GROUPS["face"])[None]
        vals.setdefault("outside the frame", []).append(vis[~ins])
        vals.setdefault("far-side limbs", []).append(vis[ins & far])
        vals.setdefault("face from behind", []).append(vis[ins & face_back])
        plain = ins & ~far & ~face_back
        for g, idx in GROUPS.items():
            m = np.zeros_like(plain)
            m[:, idx] = plain[:, idx]
            vals.setdefault(f"plain {g}", []).append(vis[m])
        # how much visibility wanders in time: plain points minus each one's mean over a chunk of
        # at most 2 s (synthetic clips are 1.5-4 s long, so both sides see about the same window)
        dev = np.full_like(vis, np.nan)
        chunk = max(1, round(2 * seg.fps))
        for c0 in range(0, seg.n, chunk):
            part = np.where(plain[c0:c0 + chunk], vis[c0:c0 + chunk], np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                dev[c0:c0 + chunk] = part - np.nanmean(part, 0)
        vals.setdefault("plain deviation", []).append(dev[np.isfinite(dev)])
        for g, idx in GROUPS.items():
            d = dev[:, idx]
            vals.setdefault(f"wander {g}", []).append(d[np.isfinite(d)])
        w, hgt = seg.size
        off = np.hypot(np.maximum(0, np.maximum(-seg.lm[..., 0], seg.lm[..., 0] - w)),
                       np.maximum(0, np.maximum(-seg.lm[..., 1], seg.lm[..., 1] - hgt))) / seg.height[:, None]
        vals.setdefault("outside distance", []).append(off[~ins])
        for i, lag_s in enumerate(VIS_LAGS):
            lag = round(lag_s * seg.fps)
            if 0 < lag < seg.n:
                p = dev[lag:] * dev[:-lag]
                ok = np.isfinite(p)
                acf = vals.setdefault("_acf", [np.zeros((2, len(VIS_LAGS)))])[0]
                acf[0, i] += p[ok].sum()
                acf[1, i] += ok.sum()
    acf = vals.pop("_acf", [np.zeros((2, len(VIS_LAGS)))])[0]
    out = {k: np.concatenate(v) if v else np.zeros(0) for k, v in vals.items()}
    dev = out["plain deviation"]
    rho = acf[0] / np.maximum(acf[1], 1) / max(float(np.mean(dev**2)) if len(dev) else 1.0, 1e-12)
    out["_acf"] = rho
    below = np.flatnonzero(rho < np.exp(-1))
    if len(below) and below[0] > 0:  # the lag where the correlation falls to 1/e, interpolated
        i = below[0]
        l0, l1, r0, r1 = VIS_LAGS[i - 1], VIS_LAGS[i], rho[i - 1], rho[i]
        out["_vis_time"] = np.array([l0 + (r0 - np.exp(-1)) / (r0 - r1) * (l1 - l0)])
    else:
        out["_vis_time"] = np.array([np.nan if not len(below) else VIS_LAGS[0]])
    out["_side_s"], out["_back_s"] = np.array([counts["side"]]), np.array([counts["back"]])
    return out


VIS_LAGS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)  # s


Z_POINTS = {"nose": [0], "shoulders": [11, 12], "wrists": [15, 16], "knees": [25, 26], "ankles": [27, 28]}


def z_profile(segs: list[Segment]) -> dict[str, float]:
    """Median |z| / H (body, hips left out) and median z / H per point on still front views."""
    allz, prof = [], {k: [] for k in Z_POINTS}
    keep = np.setdiff1d(np.arange(33), [23, 24])
    for seg in segs:
        allz.append((np.abs(seg.lm[:, keep, 2]) / seg.height[:, None]).ravel())
        sideness, back, _ = orientation(seg)
        front = still_frames(seg) & (sideness < 0.4) & ~back & (seg.lm[:, 11, 0] > seg.lm[:, 12, 0])
        for k, idx in Z_POINTS.items():
            prof[k].append((seg.lm[front][:, idx, 2] / seg.height[front, None]).ravel())
    out = {"size": float(np.nanmedian(np.concatenate(allz))) if allz else float("nan")}
    for k, v in prof.items():
        v = np.concatenate(v) if v else np.zeros(0)
        out[k] = float(np.nanmedian(v)) if len(v) >= 20 else float("nan")
    return out

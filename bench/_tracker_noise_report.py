"""Tracker-noise benchmark: one report per set of clips, the side-by-side table, the per-clip
table and the figures read straight off the footage."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from _tracker_noise_data import GROUPS, OUTLIER_JUMP, Clip
from _tracker_noise_events import lost_frames, outlier_stats, swap_stats
from _tracker_noise_jitter import hf_jitter
from _tracker_noise_signal import still_frames
from _tracker_noise_visibility import visibility_classes, z_profile


@dataclass
class Report:
    """One set of clips' figures: a column of the main table."""

    label: str
    frames: int
    seconds: float
    still_share: float
    hf_still: dict
    hf_all: dict
    vis: dict
    z: dict
    lost: dict
    swaps: dict
    outliers: dict


def analyse(label: str, jitter: list[Clip], other: list[Clip], in_view: list[Clip], matched: list[Clip] | None = None) -> Report:
    """Still-frame jitter and z on `jitter` clips; all-frame jitter and outliers on `matched` (default
    `jitter`: clips whose motion is like the real footage's); visibility and swaps on `other`;
    lost frames on `in_view`."""
    js = [s for c in jitter for s in c.segments]
    ms = [s for c in (matched if matched is not None else jitter) for s in c.segments]
    os_ = [s for c in other for s in c.segments]
    frames = sum(s.n for s in ms)
    return Report(label, frames, sum(s.n / s.fps for s in ms), sum(int(still_frames(s).sum()) for s in ms) / max(frames, 1),
                  hf_jitter(js, "still"), hf_jitter(ms, "all"), visibility_classes(os_), z_profile(js),
                  lost_frames(in_view), swap_stats(os_), outlier_stats(ms))


def _q(v: np.ndarray) -> str:
    if len(v) < 20:
        return f"n={len(v)}"
    q = np.quantile(v, [0.1, 0.5, 0.9])
    return f"{q[0]:.2f}/{q[1]:.2f}/{q[2]:.2f}"


def _f(x, fmt: str = "{:.4f}") -> str:
    return "—" if x is None or not np.isfinite(x) else fmt.format(x)


def table(reports: list[Report]) -> str:
    """The main table: a row per figure, a column per report."""
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, fn) -> None:
        vals = []
        for r in reports:
            try:
                vals.append(fn(r))
            except (KeyError, ZeroDivisionError, TypeError):
                vals.append("—")
        rows.append((name, vals))

    row("all-frame jitter, outlier set: frames / s", lambda r: f"{r.frames} / {r.seconds:.1f}")
    row("  share of frames still", lambda r: f"{r.still_share:.2f}")
    for sub in ("still", "all"):
        hf = lambda r, s=sub: getattr(r, f"hf_{s}")
        row(f"[{sub}] HF jitter torso (H/axis)", lambda r, hf=hf: _f(hf(r)["torso"], "{:.5f}"))
        for g in ("face", "arms", "hands", "legs", "feet"):
            row(f"[{sub}]   {g} / torso", lambda r, g=g, hf=hf: _f(hf(r)[g] / hf(r)["torso"], "{:.2f}"))
        row(f"[{sub}]   z / x-y (torso; all groups)", lambda r, hf=hf: _f(hf(r)["z:torso"] / hf(r)["torso"], "{:.1f}") + "; "
            + _f(np.mean([hf(r)["z:" + g] / hf(r)[g] for g in GROUPS if g in hf(r)]), "{:.1f}"))
        row(f"[{sub}]   residual lag-1 corr (torso)", lambda r, hf=hf: _f(hf(r)["torso_rho1"], "{:+.2f}"))
        row(f"[{sub}] HF whole-skeleton shift (H)", lambda r, hf=hf: _f(hf(r)["shift"], "{:.5f}"))
        row(f"[{sub}]   shift / torso", lambda r, hf=hf: _f(hf(r)["shift"] / hf(r)["torso"], "{:.2f}"))
        row(f"[{sub}] HF whole-skeleton scale (rel)", lambda r, hf=hf: _f(hf(r)["scale"], "{:.5f}"))
    row("z size: median |z| / H", lambda r: _f(r.z["size"], "{:.3f}"))
    row("z / H still front: nose, shoulders, wrists", lambda r: ", ".join(_f(r.z[k], "{:+.2f}") for k in ("nose", "shoulders", "wrists")))
    row("z / H still front: knees, ankles", lambda r: ", ".join(_f(r.z[k], "{:+.2f}") for k in ("knees", "ankles")))
    for k in ("plain face", "plain torso", "plain arms", "plain hands", "plain legs", "plain feet",
              "far-side limbs", "face from behind", "outside the frame"):
        row(f"visibility {k} (p10/p50/p90)", lambda r, k=k: _q(r.vis[k]))
    row("visibility wander, plain (std)", lambda r: _f(np.std(r.vis["plain deviation"]), "{:.3f}"))
    row("  face, torso, arms, hands, legs, feet", lambda r: " ".join(_f(np.std(r.vis[f"wander {g}"]), "{:.2f}") for g in GROUPS))
    row("  its correlation time (1/e, s)", lambda r: _f(r.vis["_vis_time"][0], "{:.2f}"))
    row("side-on s / seen-from-behind s", lambda r: f'{r.vis["_side_s"][0]:.1f} / {r.vis["_back_s"][0]:.1f}')
    row("in-view clips: frames / s", lambda r: f'{r.lost["frames"]} / {r.lost["seconds"]:.1f}')
    row("missed frames per frame (n)", lambda r: f'{_f(r.lost["miss_rate"])} ({r.lost["misses"]})')
    row("dropouts per s (n, mean frames)", lambda r: f'{_f(r.lost["dropout_rate"], "{:.3f}")} ({r.lost["dropouts"]}, {_f(r.lost["dropout_frames"], "{:.1f}")})')
    for pair, what in (("legs", "leg swaps"), ("arms", "arm swaps"), ("torso", "whole-body flips")):
        view = "behind" if pair == "torso" else "side-on"
        row(f"{what}: n, per s", lambda r, p=pair: f'{r.swaps[p]["events"]}, {r.swaps[p]["per_s"]:.3f}')
        row(f"{what}: per {view} s", lambda r, p=pair: _f(r.swaps[p]["per_view_s"], "{:.3f}"))
        row(f"{what}: median duration (s)", lambda r, p=pair: _f(r.swaps[p]["duration_s"], "{:.3f}"))
    row(f"outliers > {OUTLIER_JUMP} H per point-frame (n)", lambda r: f'{_f(r.outliers["rate"], "{:.5f}")} ({r.outliers["events"]})')
    row("  events per frame, overlapping ones as one (n)", lambda r: f'{_f(r.outliers["cluster_rate"], "{:.4f}")} ({r.outliers["clusters"]})')
    row("  share on hand points", lambda r: _f(r.outliers["hand_share"], "{:.2f}"))
    row("outlier RMS jump per axis (H)", lambda r: _f(r.outliers["size"], "{:.3f}"))
    width = max(len(n) for n, _ in rows) + 1
    cols = [max(len(r.label), *(len(v[i]) for _, v in rows)) + 2 for i, r in enumerate(reports)]
    lines = ["".ljust(width) + "".join(r.label.rjust(c) for r, c in zip(reports, cols))]
    lines += [n.ljust(width) + "".join(v.rjust(c) for v, c in zip(vals, cols)) for n, vals in rows]
    return "\n".join(lines)


def per_clip(clips: list[Clip]) -> str:
    """A line of figures per clip."""
    lines = [(f"{'clip':34s} {'frames':>6s} {'fps':>5s} {'found':>5s} {'segs':>4s} {'H px':>5s} {'still':>5s} "
              f"{'HF torso':>8s} {'hands/t':>7s} {'side s':>6s} {'back s':>6s} {'legsw':>5s} {'armsw':>5s} {'flips':>5s} {'outl':>4s}")]
    for c in clips:
        segs = c.segments
        if not segs:
            lines.append(f"{c.name:34s} {len(c.lm):6d} {c.fps:5.1f} {c.found:5.2f} {0:4d}   (no track of 0.5 s)")
            continue
        hpx = float(np.nanmedian(np.concatenate([s.height for s in segs])))
        st = sum(int(still_frames(s).sum()) for s in segs)
        hf = hf_jitter(segs, "still" if st > 30 else "all")
        sw = swap_stats(segs)
        vis = visibility_classes(segs)
        torso = hf.get("torso", float("nan"))
        lines.append(f"{c.name:34s} {len(c.lm):6d} {c.fps:5.1f} {c.found:5.2f} {len(segs):4d} {hpx:5.0f} {st:5d} "
                     f"{_f(torso, '{:.5f}'):>8s} {_f(hf.get('hands', float('nan')) / torso, '{:.2f}'):>7s} "
                     f"{vis['_side_s'][0]:6.1f} {vis['_back_s'][0]:6.1f} {sw['legs']['events']:5d} {sw['arms']['events']:5d} "
                     f"{sw['torso']['events']:5d} {outlier_stats(segs)['events']:4d}")
    lines.append("(HF torso, hands/t: on still frames where there are over 30, else on all frames)")
    return "\n".join(lines)


def derive(sim: dict, lag: float, close: Report, people: Report) -> dict:
    """Figures read straight off the footage, for TrackerNoise's table (see vision/synth/noise.py).

    The jitter defaults themselves are calibrated so that the synthetic HF-jitter rows match the
    real ones; the replayed-filter sigma and tau here are their physical cross-check."""
    a, st = sim.get("all", {}), sim.get("still", {})
    vis = people.vis
    q = lambda k, p: round(float(np.quantile(vis[k], p)), 2) if len(vis[k]) else None
    core = np.r_[vis["plain face"], vis["plain torso"]]
    limbs = np.r_[vis["plain arms"], vis["plain legs"], vis["plain feet"]]
    d, v = vis["outside distance"], vis["outside the frame"]
    bins = {f"{lo}-{hi} H": round(float(np.median(v[(d > lo) & (d <= hi)])), 2) if ((d > lo) & (d <= hi)).sum() >= 20 else None
            for lo, hi in ((0, 0.02), (0.02, 0.1), (0.1, 0.2), (0.2, 0.5), (0.5, 5))}
    lost = close.lost
    return {
        "replayed filter: torso sigma still / all (H)": [round(st.get("torso", {}).get("sigma", float("nan")), 5),
                                                         round(a.get("torso", {}).get("sigma", float("nan")), 5)],
        "replayed filter: tau still / all (s)": [round(float(np.mean([st[g]["tau"] for g in GROUPS if g in st])), 3),
                                                 round(float(np.mean([a[g]["tau"] for g in GROUPS if g in a])), 3)],
        "replayed filter: group / torso (all)": {g: round(a[g]["sigma"] / a["torso"]["sigma"], 2) for g in GROUPS if g in a},
        "lag (s)": round(lag, 3),
        "visible face+torso p10/p50": [round(float(np.quantile(core, 0.1)), 2), round(float(np.median(core)), 2)],
        "visible limbs p10/p50/p90": [round(float(np.quantile(limbs, p)), 2) for p in (0.1, 0.5, 0.9)],
        "visible hands p10/p50/p90": [q("plain hands", p) for p in (0.1, 0.5, 0.9)],
        "far-side drop (plain limbs median - far-side median)": round(float(np.median(limbs)) - float(np.median(vis["far-side limbs"])), 2)
        if len(vis["far-side limbs"]) else None,
        "face from behind p10/p50": [q("face from behind", 0.1), q("face from behind", 0.5)],
        "outside: median visibility by distance outside": bins,
        "misses / frames (95% bound per frame)": f'{lost["misses"]} / {lost["frames"]} ({_f(3 / max(lost["frames"], 1), "{:.4f}")})',
        "dropouts / s (95% bound per s)": f'{lost["dropouts"]} / {lost["seconds"]:.1f} ({_f(3 / max(lost["seconds"], 1e-9), "{:.3f}")})',
        "outlier events per frame, size per axis (H)": [round(close.outliers["cluster_rate"], 4), round(close.outliers["size"], 3)],
    }

"""Tracker-noise benchmark: PNG plots of real against synthetic clips (`--plots`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from _tracker_noise_data import PEOPLE, Clip, Segment
from _tracker_noise_events import runs
from _tracker_noise_signal import still_frames
from _tracker_noise_visibility import visibility_classes


def _finish(fig, path: Path) -> Path:  # noqa: ANN001
    """Lay out, save and close one figure; its path."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plots(out: Path, real: list[Clip], synths: dict[str, list[Clip]]) -> list[Path]:
    """Save the real-vs-synthetic PNG plots into `out`; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    spm = next(c for c in real if c.name.startswith("spm")).segments[0]
    st = still_frames(spm)
    a, b = max(runs(st), key=lambda r: r[1] - r[0])
    a, b = max(0, a - 5), min(spm.n, b + 5)

    def synth_still(clips: list[Clip]) -> tuple[Segment, int, int]:
        cands = [s for c in clips if c.meta.get("class") == "no_action" for s in c.segments if s.fps >= 24]
        s = max(cands, key=lambda s: max((q - p for p, q in runs(still_frames(s))), default=0))
        p, q = max(runs(still_frames(s)), key=lambda r: r[1] - r[0])
        return s, p, q

    # 1. standing: x of wrist, shoulder, nose, de-meaned, in H (one H per stretch)
    fig, axes = plt.subplots(1 + len(synths), 1, figsize=(11, 3.2 * (1 + len(synths))), sharey=True)
    pts = ((15, "left wrist"), (11, "left shoulder"), (0, "nose"))
    h = float(np.median(spm.height[a:b]))
    t = np.arange(b - a) / spm.fps
    for i, (k, name) in enumerate(pts):
        x = spm.lm[a:b, k, 0] / h
        axes[0].plot(t, x - x.mean() + 0.01 * i, lw=1.2, label=f"{name} x (+{0.01 * i:.2f})")
        r = spm.raw[a:b, k, 0] / h
        axes[0].plot(t, r - r.mean() + 0.01 * i, lw=0.6, ls=":", color=axes[0].lines[-1].get_color(), label="raw" if i == 0 else None)
    axes[0].set_title(f"real spm_example_video frames {a}-{b} (standing still between steps), x / H; dotted: before the tracker's filter")
    for ax, (lab, clips) in zip(axes[1:], synths.items()):
        s, p, q = synth_still(clips)
        h2 = float(np.median(s.height[p:q]))
        t2 = np.arange(q - p) / s.fps
        for i, (k, name) in enumerate(pts):
            x = s.lm[p:q, k, 0] / h2
            ax.plot(t2, x - x.mean() + 0.01 * i, lw=1.2, label=f"{name} x")
        ax.set_title(f"{lab}: {s.clip} ({s.fps:g} fps), standing still, x / H")
    for ax in axes:
        ax.set_ylabel("H")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1].set_xlabel("s")
    saved.append(_finish(fig, out / "standing_x.png"))

    # 2. the whole spm clip: ankle and wrist y, smoothed vs raw, still frames marked
    fig, ax = plt.subplots(figsize=(11, 4))
    t = np.arange(spm.n) / spm.fps
    for k, name in ((27, "left ankle"), (28, "right ankle"), (15, "left wrist")):
        ax.plot(t, spm.lm[:, k, 1] / spm.height, lw=1, label=f"{name} y")
        ax.plot(t, spm.raw[:, k, 1] / spm.height, lw=0.6, ls=":", color=ax.lines[-1].get_color())
    ax.fill_between(t, 0, 1, where=st, transform=ax.get_xaxis_transform(), color="0.85", label="still")
    ax.invert_yaxis()
    ax.set_title("real spm_example_video: y / H per frame (dotted: before the filter); grey: still frames")
    ax.legend(fontsize=7, ncol=4)
    ax.set_xlabel("s")
    saved.append(_finish(fig, out / "spm_walk_y.png"))

    # 3. visibility histograms
    real_vis = visibility_classes([s for c in real if c.name.startswith(PEOPLE) for s in c.segments])
    syn_vis = {lab: visibility_classes([s for c in clips for s in c.segments]) for lab, clips in synths.items()}
    keys = ["plain torso", "plain arms", "plain hands", "plain feet", "far-side limbs", "face from behind", "outside the frame", "plain face"]
    fig, axes = plt.subplots(2, 4, figsize=(15, 6))
    bins = np.linspace(0, 1, 26)
    for ax, k in zip(axes.ravel(), keys):
        ax.hist(real_vis[k], bins, density=True, alpha=0.45, label=f"real (n={len(real_vis[k])})")
        for lab, v in syn_vis.items():
            ax.hist(v[k], bins, density=True, histtype="step", lw=1.5, label=f"{lab} (n={len(v[k])})")
        ax.set_title(k)
        ax.legend(fontsize=6)
    fig.suptitle("visibility by class of point: real (spm, carphone, vtest) vs synthetic")
    saved.append(_finish(fig, out / "visibility.png"))

    # 4. walking: real spm (stepping back) vs synthetic walk towards/away, ankle y and wrist x over 3 s
    fig, axes = plt.subplots(1, 1 + len(synths), figsize=(5.5 * (1 + len(synths)), 3.6), sharey=True)
    n = int(3 * spm.fps)
    s0 = 90
    for k, name in ((27, "left ankle y"), (28, "right ankle y")):
        y = spm.lm[s0:s0 + n, k, 1] / np.median(spm.height[s0:s0 + n])
        axes[0].plot(np.arange(len(y)) / spm.fps, y - y[0], lw=1, label=name)
    axes[0].set_title("real spm, 3 s of stepping")
    for ax, (lab, clips) in zip(axes[1:], synths.items()):
        walks = [s for c in clips if c.meta.get("class") == "walk" and c.meta.get("travel_direction") in ("away", "towards")
                 for s in c.segments if s.n >= 2 * s.fps]
        if walks:
            s = walks[0]
            for k, name in ((27, "left ankle y"), (28, "right ankle y")):
                y = s.lm[:, k, 1] / np.median(s.height)
                ax.plot(np.arange(s.n) / s.fps, y - y[0], lw=1, label=name)
            ax.set_title(f"{lab}: {s.clip}")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_xlabel("s")
    saved.append(_finish(fig, out / "walking_ankles.png"))
    return saved

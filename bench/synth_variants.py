"""Look at and measure the synthesiser's variants (`walk`, `no_action`, `other`, `kick`, `punch`).

    .venv/bin/python bench/synth_variants.py --out /tmp/variants            # sheets + table
    .venv/bin/python bench/synth_variants.py --out /tmp/variants --noise    # with tracker noise
    .venv/bin/python bench/synth_variants.py --actions no_action --examples 3 --out /tmp/idle
    .venv/bin/python bench/synth_variants.py --stats-only --clips 300

Sheets (PNG, one per variant and example): one row per view (camera yaw / elevation: front,
oblique, side, back, other side at 8 degrees, then front and back from a high camera looking
down 35 degrees): a stroboscopic overlay of the whole clip (later frames brighter), then evenly
spaced frames. A top-down map per variant shows where each sole point touched the ground
(left orange, right blue), the hip path (white) and the facing every 0.5 s (green ticks).

The table (over `--clips` clips per class, seeded) gives per variant: the share of clips, hip
speed (median over frames, median over clips), travel along the initial facing and the own-left
axis (m/s: negative along = backwards), heading change, the largest lift of the higher foot
above the ground, the largest drift of a sole point during one continuous contact (sliding), and
for start_stop the longest stretch with the hips still (< 0.05 m/s) and the share of frames
stepping; `hands` is the larger wrist range (m, world), `hip_ptp` the hips' range.
"""
from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from vision.data.landmarks import LandmarkSequence
from vision.synth.camera import View, frame_camera
from vision.synth.clip import animate, clip_geometry
from vision.synth.draw import BACKGROUND, draw_pose, render_frames
from vision.synth.noise import TrackerNoise, apply_noise
from vision.synth.skeleton import random_body
from vision.synth.topology import HIPS

VIEWS = ((0.0, 8.0), (45.0, 8.0), (90.0, 8.0), (180.0, 8.0), (270.0, 8.0), (0.0, 35.0), (180.0, 35.0))  # (yaw, elevation)
SOLES = np.array([29, 31, 30, 32])


def contact_drift(points: np.ndarray, tol: float = 0.003) -> float:
    """Largest horizontal drift (m) of a sole point over one continuous contact (within `tol` of the ground)."""
    ground = points[:, SOLES, 1].min(1)
    worst = 0.0
    for k in SOLES:
        on = points[:, k, 1] - ground < tol
        edges = np.flatnonzero(np.diff(np.r_[0, on.astype(int), 0]))
        for a, b in zip(edges[::2], edges[1::2]):
            seg = points[a:b, k][:, [0, 2]]
            worst = max(worst, float(np.linalg.norm(seg - seg[0], axis=1).max()))
    return worst


def foot_lift(points: np.ndarray) -> float:
    """Largest height of the higher foot's lowest sole point above the ground."""
    ground = points[:, SOLES, 1].min(1)
    return float((np.maximum(points[:, [29, 31], 1].min(1), points[:, [30, 32], 1].min(1)) - ground).max())


def longest_still(speed: np.ndarray, fps: float, limit: float = 0.05) -> float:
    still = np.r_[0, (speed < limit).astype(int), 0]
    edges = np.flatnonzero(np.diff(still))
    return float(max((b - a for a, b in zip(edges[::2], edges[1::2])), default=0)) / fps


def hip_speed(points: np.ndarray, fps: float) -> np.ndarray:
    hips = points[:, HIPS].mean(1)[:, [0, 2]]
    k = max(1, round(0.1 * fps))  # over 0.1 s: the speed of the body, not of its wobble
    v = np.linalg.norm(hips[k:] - hips[:-k], axis=1) * fps / k
    return np.r_[v, np.repeat(v[-1:], k)]


def measure(action: str, k: int, seed: int, frames: int, fps: float) -> tuple[str, dict]:
    body = random_body(np.random.default_rng([seed, 1000 + k]))
    anim = animate(action, body, np.random.default_rng([seed, k]), frames, fps)
    pts = anim.world.points
    yaw = np.deg2rad(anim.pose["yaw"])
    facing = np.array([np.sin(yaw[0]), np.cos(yaw[0])])
    left = np.array([np.cos(yaw[0]), -np.sin(yaw[0])])
    hips = pts[:, HIPS].mean(1)[:, [0, 2]]
    duration = frames / fps
    travel = hips[-1] - hips[0]
    speed = hip_speed(pts, fps)
    row = {"speed": float(np.median(speed)), "along": float(travel @ facing) / duration,
           "left": float(travel @ left) / duration, "turn": float(np.rad2deg(yaw[-1] - yaw[0])),
           "lift": foot_lift(pts), "drift": contact_drift(pts), "still_s": longest_still(speed, fps),
           "stepping": float(anim.pose.info.get("stepping", np.nan)),
           "hands": float(np.ptp(pts[:, [15, 16]], axis=0).max()), "hip_ptp": float(np.ptp(pts[:, HIPS].mean(1), axis=0).max())}
    return variant_of(action, anim.pose.info), row


def variant_of(action: str, info: dict) -> str:
    """The variant a clip is grouped under."""
    if action == "kick":
        return "side" if info.get("side_kick") else "front"
    if action == "punch":
        return str(info.get("pattern", action))
    return str(info.get("variant", action))


def variants_of(action: str) -> tuple[str, ...]:
    from vision.synth.walking import WALK_VARIANTS

    if action == "walk":
        return WALK_VARIANTS
    if action == "no_action":
        from vision.synth.idle import VARIANTS

        return VARIANTS
    if action == "other":
        from vision.synth.idle import OTHER_VARIANTS

        return OTHER_VARIANTS
    return {"kick": ("front", "side"), "punch": ("one_hand", "alternating", "random")}.get(action, (action,))


def find(action: str, variant: str, seed: int, frames: int, fps: float, tries: int = 600, skip: int = 0):
    """The (skip + 1)-th clip of `variant` over consecutive seeds."""
    for k in range(tries):
        body = random_body(np.random.default_rng([seed, 1000 + k]))
        anim = animate(action, body, np.random.default_rng([seed, k]), frames, fps)
        if variant_of(action, anim.pose.info) == variant:
            if skip == 0:
                return body, anim
            skip -= 1
    raise SystemExit(f"no {action} clip of variant {variant} in {tries} seeds")


def view_clip(body, anim, yaw: float, fps: float, noise: TrackerNoise, seed: int, elevation: float = 8.0) -> LandmarkSequence:
    view = View(yaw=yaw, elevation=elevation, roll=0.0, fov=60.0, size=(480, 480), fill=0.85, offset=(0.0, 0.0), upper_body=False)
    camera, _ = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
    exact = camera.project(anim.world.points)
    landmarks = apply_noise(exact, clip_geometry(anim.world, camera, body), view.size, fps, noise, np.random.default_rng(seed))
    return LandmarkSequence(landmarks, fps, view.size, {})


def strobe(seq: LandmarkSequence, side: int = 240, every: int = 3) -> np.ndarray:
    scale = side / max(seq.size)
    canvas = np.full((side, side, 3), BACKGROUND, np.uint8)
    picks = list(range(0, len(seq.landmarks), every))
    for j, i in enumerate(picks):
        layer = np.full_like(canvas, BACKGROUND)
        draw_pose(layer, seq.landmarks[i], scale)
        alpha = 0.25 + 0.75 * (j + 1) / len(picks)
        mask = (layer != np.array(BACKGROUND, np.uint8)).any(-1)
        canvas[mask] = (alpha * layer[mask] + (1 - alpha) * canvas[mask]).astype(np.uint8)
    return canvas


def sheet(body, anim, title: str, fps: float, noise: TrackerNoise, columns: int = 7) -> np.ndarray:
    rows = []
    for yaw, elevation in VIEWS:
        seq = view_clip(body, anim, yaw, fps, noise, 0, elevation)
        frames = render_frames(seq, 240)
        picks = np.linspace(0, len(frames) - 1, columns).round().astype(int)
        tiles = [strobe(seq)] + [frames[i] for i in picks]
        row = np.concatenate(tiles, 1)
        cv2.putText(row, f"yaw {yaw:.0f} el {elevation:.0f}", (6, 236), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (120, 255, 120), 1, cv2.LINE_AA)
        rows.append(row)
    out = np.concatenate(rows, 0)
    band = np.full((28, out.shape[1], 3), 0, np.uint8)
    cv2.putText(band, title, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return np.concatenate([band, out], 0)


def top_down(anim, title: str, size: int = 480) -> np.ndarray:
    pts = anim.world.points
    xz = pts[..., [0, 2]]
    lo, hi = xz.reshape(-1, 2).min(0) - 0.2, xz.reshape(-1, 2).max(0) + 0.2
    scale = (size - 20) / max(hi - lo)
    to_px = lambda p: (10 + (p - lo) * scale).round().astype(int)
    img = np.full((size, size, 3), 20, np.uint8)
    ground = pts[:, SOLES, 1].min(1)
    for k, color in ((29, (255, 138, 0)), (31, (255, 190, 90)), (30, (0, 160, 255)), (32, (90, 200, 255))):
        on = pts[:, k, 1] - ground < 0.003
        for p in to_px(xz[on, k]):
            cv2.circle(img, (int(p[0]), int(p[1])), 2, color, -1)
    hips = to_px(pts[:, HIPS].mean(1)[:, [0, 2]])
    cv2.polylines(img, [hips.reshape(-1, 1, 2).astype(np.int32)], False, (255, 255, 255), 1, cv2.LINE_AA)
    fps = 30.0
    for i in range(0, len(pts), int(fps / 2)):
        y = np.deg2rad(anim.pose["yaw"][i])
        a = hips[i]
        b = a + (np.array([np.sin(y), np.cos(y)]) * 0.15 * scale).round().astype(int)
        cv2.arrowedLine(img, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), (80, 255, 80), 1, cv2.LINE_AA, tipLength=0.3)
    cv2.putText(img, title + " (top view)", (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (220, 220, 220), 1, cv2.LINE_AA)
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/synth_variants"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--clips", type=int, default=150, help="clips per class for the table")
    ap.add_argument("--noise", action="store_true", help="sheets with the default tracker noise (else exact)")
    ap.add_argument("--stats-only", action="store_true")
    ap.add_argument("--actions", default="walk,no_action", help="comma-separated: walk, no_action, other, kick, punch, ...")
    ap.add_argument("--examples", type=int, default=1, help="sheets per variant (consecutive seeds of that variant)")
    ap.add_argument("--no-top", action="store_true", help="no top-down maps")
    args = ap.parse_args()
    fps = 30.0
    frames = round(args.seconds * fps)
    noise = TrackerNoise() if args.noise else TrackerNoise.clean()
    actions = args.actions.split(",")

    if not args.stats_only:
        args.out.mkdir(parents=True, exist_ok=True)
        for action in actions:
            for variant in variants_of(action):
                for e in range(args.examples):
                    body, anim = find(action, variant, args.seed, frames, fps, skip=e)
                    info = {k: v for k, v in anim.pose.info.items() if k not in ("variant",)}
                    title = f"{action}/{variant} {info}"[:150]
                    name = f"{action}_{variant}" + (f"_{e}" if args.examples > 1 else "")
                    cv2.imwrite(str(args.out / f"{name}.png"), cv2.cvtColor(sheet(body, anim, title, fps, noise), cv2.COLOR_RGB2BGR))
                    if not args.no_top:
                        cv2.imwrite(str(args.out / f"{name}_top.png"), cv2.cvtColor(top_down(anim, f"{action}/{variant}"), cv2.COLOR_RGB2BGR))
        print(f"sheets in {args.out}")
    table: dict[str, list[dict]] = defaultdict(list)
    for action in actions:
        for k in range(args.clips):
            variant, row = measure(action, k, args.seed + 1, frames, fps)
            table[f"{action}/{variant}"].append(row)
    cols = ("speed", "along", "left", "turn", "lift", "drift", "still_s", "stepping", "hands", "hip_ptp")
    print(f"{'variant':22s} {'share':>6s} " + " ".join(f"{c:>14s}" for c in cols))
    for name, rows in table.items():
        share = len(rows) / args.clips
        cells = []
        for c in cols:
            v = np.array([r[c] for r in rows], float)
            v = v[np.isfinite(v)]
            if not len(v):
                cells.append(" " * 14)
                continue
            worst = np.max(np.abs(v)) if c in ("lift", "drift", "hands", "hip_ptp") else np.min(v)
            cells.append(f"{np.median(v):6.3f} [{worst:6.3f}]")
        print(f"{name:22s} {share:6.2f} " + " ".join(cells))
    print("cells: median [min over clips; for lift, drift, hands and hip_ptp the max]")


if __name__ == "__main__":
    main()

"""Tracker-noise benchmark: the estimators checked on synthetic clips with known truth (swap
detector recall, body height against the synthesiser's)."""
from __future__ import annotations

import numpy as np

from _tracker_noise_data import split_segments
from _tracker_noise_events import runs, swap_events
from vision.pose.features import body_height
from vision.synth.noise import TrackerNoise


def swap_detector_check(fps: float, seeds: int = 24, rate: float = 0.4) -> tuple[int, int, int]:
    """(found, true, false) swap events on synthetic side-view walks with known leg swaps only."""
    from dataclasses import replace

    from vision.synth.camera import View, frame_camera
    from vision.synth.clip import animate, clip_geometry
    from vision.synth.noise import apply_noise
    from vision.synth.skeleton import random_body
    from vision.synth.topology import LEG_LEFT, LEG_RIGHT

    found = true = false = 0
    noise = replace(TrackerNoise(), swap_rate=rate, swap_arms_share=0.0, flip_rate=0.0, outlier_rate=0.0,
                    miss_rate=0.0, dropout_rate=0.0)
    legs, crossed = np.r_[LEG_LEFT, LEG_RIGHT], np.r_[LEG_RIGHT, LEG_LEFT]
    for seed in range(seeds):
        body = random_body(np.random.default_rng(seed))
        n = round(5 * fps)
        anim = animate("walk", body, np.random.default_rng([seed, 1]), n, fps)
        view = View(yaw=90.0, elevation=8.0, roll=0.0, fov=60.0, size=(640, 480), fill=0.8, offset=(0.0, 0.0), upper_body=False)
        cam, _ = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
        exact = cam.project(anim.world.points)
        out = apply_noise(exact, clip_geometry(anim.world, cam, body), view.size, fps, noise, np.random.default_rng(seed))
        same = np.abs(out[:, legs, :2] - exact[:, legs, :2]).max((1, 2))
        swapped = np.abs(out[:, legs, :2] - exact[:, crossed, :2]).max((1, 2))
        events = runs(swapped < same)
        segs = split_segments("check", out, fps, view.size)
        det = [e for s in segs for e in swap_events(s, "legs")]
        overlap = lambda p, q: not (p[1] <= q[0] or p[0] >= q[1])
        true += len(events)
        found += sum(any(overlap(e, d) for d in det) for e in events)
        false += sum(not any(overlap(e, d) for e in events) for d in det)
    return found, true, false


def height_check(n_clips: int = 48, seed: int = 11) -> tuple[float, float, float]:
    """Quartiles of body_height / the synthesiser's true height at the hips' depth, noise-free clips."""
    from vision.synth.actions import CLASSES
    from vision.synth.camera import frame_camera, random_camera_range, random_view
    from vision.synth.clip import animate, clip_geometry
    from vision.synth.noise import apply_noise
    from vision.synth.skeleton import random_body

    ratios = []
    rng = np.random.default_rng(seed)
    for k in range(n_clips):
        body, habits = random_body(rng), random_camera_range(rng)
        anim = animate(CLASSES[k % len(CLASSES)], body, rng, 60, 30.0)
        view = random_view(rng, habits, 0.0)
        camera, _ = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
        geo = clip_geometry(anim.world, camera, body)
        lm = apply_noise(camera.project(anim.world.points), geo, view.size, 30.0, TrackerNoise.clean(), rng)
        ratios.append(body_height(lm.astype(np.float64)) / geo.person_px)
    q = np.quantile(np.concatenate(ratios), [0.25, 0.5, 0.75])
    return float(q[0]), float(q[1]), float(q[2])

"""A third motion generator, for checking only: textures cut from real photos moving over real scenes.

`vision-synth` has two generators (`shapes`, `paths`); the small-data recipe was tuned on both.
This one exists so that a recipe can be measured on data it was never tuned on: the scenes are
frames of the camera-recorded videos in ../shared/data/real (an empty room, a street, a desk), the
moving thing an elliptical patch cut from the photos there (fur, fruit peel, a face), the camera
shakes by up to a pixel or two per frame and the light flickers. Seven classes that differ only in
how the patch moves: Left, Right, Up, Down, OrbitClockwise, OrbitCounterClockwise (a circle as
seen on the screen) and Shake (a quick side-to-side rhythm). Every path is centred on a uniformly
drawn midpoint at the clip's middle frame, so single frames do not tell the classes apart. A group
(gXX) is one scene and one patch acting out every class, so appearance carries no label.

    python bench/photo_motion.py OUT [--seed 5150] [--clips-per-class 16] [--test-fraction 0.25]

writes OUT/<Class>/v_<Class>_gXX_cYY.avi and UCF101 split files (the first groups are the test list).
The generated clips stay on this machine: the photos and videos keep their own licences.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.data.synthset import clip_name, group_layout, test_groups, write_split_files  # noqa: E402
from vision.video.decode import iter_frames  # noqa: E402
from vision.video.encode import write_video  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
SCENE_VIDEOS = ("box.mp4", "bikes.mp4", "cup.mp4")  # no whole people in them: the recipe must not see pose
PHOTOS = ("baboon.jpg", "orange.jpg", "squirrel_cls.jpg")
CLASSES = ("Left", "Right", "Up", "Down", "OrbitClockwise", "OrbitCounterClockwise", "Shake")
SIZES = ((192, 144), (224, 168), (256, 144), (240, 180), (320, 240))


def _scenes() -> list[np.ndarray]:
    """A few frames of each scene video, RGB (H, W, 3)."""
    scenes = []
    for name in SCENE_VIDEOS:
        frames = [f.rgb for f in iter_frames(REAL / name, fps=0.5)]
        scenes += frames[:: max(1, len(frames) // 4)][:4]
    return scenes


def _photos() -> list[np.ndarray]:
    return [cv2.cvtColor(cv2.imread(str(REAL / "images" / name)), cv2.COLOR_BGR2RGB) for name in PHOTOS]


def _crop(img: np.ndarray, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A random crop of `img` with the aspect of w x h, resized to it."""
    ih, iw = img.shape[:2]
    scale = rng.uniform(0.5, 1.0) * min(iw / w, ih / h)
    cw, ch = int(w * scale), int(h * scale)
    x, y = int(rng.integers(0, iw - cw + 1)), int(rng.integers(0, ih - ch + 1))
    return cv2.resize(img[y : y + ch, x : x + cw], (w, h), interpolation=cv2.INTER_AREA)


def _path(action: str, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Patch centre (T, 2) in frame fractions, relative to its position at the middle frame."""
    s = t - t[len(t) // 2]
    speed = rng.uniform(0.1, 0.22)  # frame fractions per second
    if action in ("Left", "Right", "Up", "Down"):
        sign = -1.0 if action in ("Left", "Up") else 1.0
        d = sign * speed * s + rng.normal(0, 0.002, len(t))
        return np.stack([d, np.zeros_like(d)] if action in ("Left", "Right") else [np.zeros_like(d), d], 1)
    if action == "Shake":
        a, f = rng.uniform(0.03, 0.08), rng.uniform(2.0, 3.5)
        return np.stack([a * np.sin(2 * math.pi * f * s), np.zeros_like(s)], 1)
    r, w = rng.uniform(0.1, 0.2), math.radians(rng.uniform(100, 200))  # screen clockwise: y grows downwards
    phase = rng.uniform(0, 2 * math.pi)
    angle = phase + (w if action == "OrbitClockwise" else -w) * s
    return np.stack([r * np.cos(angle) - r * math.cos(phase), r * np.sin(angle) - r * math.sin(phase)], 1)


def render(action: str, scene: np.ndarray, photo: np.ndarray, rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
    """One clip's RGB frames and its frame rate."""
    w, h = SIZES[int(rng.integers(len(SIZES)))]
    fps = float(rng.choice([24.0, 25.0, 30.0]))
    t = np.arange(int(rng.uniform(2.0, 4.0) * fps)) / fps
    margin = 8
    back = _crop(scene, w + 2 * margin, h + 2 * margin, rng).astype(np.float32)
    radius = rng.uniform(0.12, 0.2) * h
    ry = int(radius * rng.uniform(0.8, 1.2))
    patch = _crop(photo, 2 * int(radius) + 1, 2 * ry + 1, rng).astype(np.float32)
    mask = np.zeros(patch.shape[:2], np.float32)
    cv2.ellipse(mask, (int(radius), ry), (int(radius), ry), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (5, 5), 1.0)[..., None]
    mid = np.array([rng.uniform(0.3, 0.7) * w, rng.uniform(0.35, 0.65) * h])
    centres = mid + _path(action, t, rng) * np.array([w, w])  # fractions of the width on both axes
    shake = np.cumsum(rng.normal(0, 0.6, (len(t), 2)), 0).clip(-margin + 1, margin - 1)
    gain = 1 + 0.05 * np.sin(2 * math.pi * rng.uniform(0.2, 1.0) * t + rng.uniform(0, 6.3))
    frames = []
    for k in range(len(t)):
        ox, oy = (margin + shake[k]).round().astype(int)
        img = back[oy : oy + h, ox : ox + w].copy()
        cx, cy = centres[k] - np.array([patch.shape[1], patch.shape[0]]) / 2 + (margin - shake[k] - [ox, oy])
        m = np.float32([[1, 0, cx], [0, 1, cy]])
        warped = cv2.warpAffine(patch, m, (w, h))
        alpha = cv2.warpAffine(mask, m, (w, h))[..., None]
        img = img * (1 - alpha) + warped * alpha
        img = img * gain[k] + rng.normal(0, 2.0, img.shape)
        frames.append(img.clip(0, 255).astype(np.uint8))
    return frames, fps


def make(out: Path, seed: int, clips_per_class: int, test_fraction: float) -> None:
    """Write the dataset; deterministic for `seed`."""
    scenes, photos = _scenes(), _photos()
    layout = group_layout(clips_per_class, 4)
    tests = test_groups(max(g for g, _ in layout), test_fraction)
    looks = {}  # group -> (scene, photo): one scene and one patch act out every class
    for group in sorted({g for g, _ in layout}):
        look = np.random.default_rng([seed, group])
        looks[group] = scenes[int(look.integers(len(scenes)))], photos[int(look.integers(len(photos)))]
    train, test = [], []
    for label, action in enumerate(CLASSES, start=1):
        (out / action).mkdir(parents=True, exist_ok=True)
        for group, clip in layout:
            rng = np.random.default_rng([seed, label, group, clip])
            frames, fps = render(action, *looks[group], rng)
            name = clip_name(action, group, clip, ".avi")
            write_video(out / action / name, frames, fps)
            if group in tests:
                test.append(f"{action}/{name}")
            else:
                train.append(f"{action}/{name} {label}")
    write_split_files(out, CLASSES, train, test)
    print(f"wrote {len(train) + len(test)} clips of {len(CLASSES)} classes to {out} ({len(test)} in the test list)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=5150)
    parser.add_argument("--clips-per-class", type=int, default=16)
    parser.add_argument("--test-fraction", type=float, default=0.25)
    args = parser.parse_args()
    make(args.out, args.seed, args.clips_per_class, args.test_fraction)


if __name__ == "__main__":
    main()

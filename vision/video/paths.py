"""A second synthetic generator: one object moving along a path (`vision-synth --style paths`).

Its classes differ only in *how* the object moves (direction, path, rhythm), and its looks share
nothing with `vision.video.synth` (shaded balls, rings, spinning sprites on value-noise, clutter,
tiles or vignette scenes; smaller objects; slow camera pans; motion blur). It exists so that a
training recipe can be tuned on one generator and measured on another.

Like `vision.video.synth`, every path is centred on a uniformly drawn midpoint at the clip's
middle frame, so the frames of Left and Right (Up and Down, Clockwise and CounterClockwise) share
one distribution: only frame order tells them apart. Appearance is drawn per group (a scene and an
object kind), colours, path and nuisances per clip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

PATH_ACTIONS = ("Clockwise", "CounterClockwise", "Left", "Right", "Up", "Down", "Bounce", "Zigzag")
OBJECTS = ("ball", "ring", "sprite", "plus", "face")
SCENES = ("noise", "clutter", "tiles", "vignette")
RESOLUTIONS = ((176, 144), (200, 150), (256, 192), (288, 162), (240, 240), (180, 240), (352, 198))
MAX_PAN = 0.015  # frame fractions per second: well below the slowest path speed (0.08)


@dataclass(frozen=True)
class Look:
    """One group's scene kind and object kind (colours are drawn per clip)."""

    scene: str
    obj: str
    scale: float  # texture scale of the scene, pixels


@dataclass(frozen=True)
class PathMotion:
    """Per-clip path and nuisances; positions are fractions of the frame, sizes of its height."""

    center: tuple[float, float]
    size: float
    speed: float  # frame fractions/s (lines), degrees/s (orbits)
    radius: float  # orbit radius, bounce/zigzag amplitude
    rate: float  # bounce / zigzag frequency, Hz
    phase: float
    sign: float  # zigzag's drift direction
    squash: float  # orbit ellipse ratio
    spin: float  # the object's own rotation, degrees/s, either way (a nuisance)
    pan: tuple[float, float]  # camera drift, frame fractions/s
    blur: int  # sub-frames averaged (motion blur), 1 = none
    noise: float


def random_look(rng: np.random.Generator) -> Look:
    """Draw a group's scene and object kind."""
    return Look(str(rng.choice(SCENES)), str(rng.choice(OBJECTS)), float(rng.uniform(8, 28)))


def random_path(rng: np.random.Generator, action: str) -> PathMotion:
    """Draw one clip's path parameters for `action`."""
    if action not in PATH_ACTIONS:
        raise ValueError(f"unknown path action {action!r}; known: {', '.join(PATH_ACTIONS)}")
    orbit = action in ("Clockwise", "CounterClockwise")
    pan = rng.uniform(-MAX_PAN, MAX_PAN, 2) if rng.random() < 0.5 else np.zeros(2)
    return PathMotion(
        center=(float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7))),
        size=float(rng.uniform(0.06, 0.13)),
        speed=float(rng.uniform(120, 300) if orbit else rng.uniform(0.08, 0.2)),
        radius=float(rng.uniform(0.1, 0.22) if orbit else rng.uniform(0.08, 0.18)),
        rate=float(rng.uniform(0.8, 1.8)),
        phase=float(rng.uniform(0, 2 * math.pi)),
        sign=float(rng.choice([-1.0, 1.0])),
        squash=float(rng.uniform(0.6, 1.0)),
        spin=float(rng.uniform(-90, 90)),
        pan=(float(pan[0]), float(pan[1])),
        blur=int(rng.choice([1, 1, 3])),
        noise=float(rng.uniform(0, 5)),
    )


def path_at(action: str, m: PathMotion, t: float, mid_time: float, aspect: float) -> tuple[float, float]:
    """Object centre (x, y) in frame fractions at time t; `aspect` = width / height."""
    c = t - mid_time  # paths are symmetric about the middle frame
    x, y = m.center
    if action in ("Left", "Right"):
        x += (m.speed if action == "Right" else -m.speed) * c
    elif action in ("Up", "Down"):
        y += (m.speed if action == "Down" else -m.speed) * c  # image y grows downwards
    elif action in ("Clockwise", "CounterClockwise"):
        # On screen (y down) a growing angle turns clockwise.
        theta = m.phase + math.radians(m.speed * c) * (1 if action == "Clockwise" else -1)
        x += m.radius * math.cos(theta) / aspect
        y += m.radius * m.squash * math.sin(theta)
    elif action == "Bounce":
        hop = abs(math.sin(math.pi * m.rate * t + m.phase))
        y -= m.radius * (hop - 2 / math.pi)  # zero-mean over a period
    else:  # Zigzag: a steady drift with a triangle wave across it
        wave = 2 * abs(2 * ((m.rate * t + m.phase / (2 * math.pi)) % 1) - 1) - 1
        x += m.sign * m.speed * c
        y += 0.6 * m.radius * wave
    return x, y


def _color(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> np.ndarray:
    return rng.integers(lo, hi, 3).astype(np.float32)


def render_scene(look: Look, width: int, height: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A scene larger than the frame (room for the pan) (H', W', 3) float32, and the object colour."""
    h, w = int(height * 1.2) + 2, int(width * 1.2) + 2
    a, b = _color(rng), _color(rng)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if look.scene == "noise":  # two octaves of smoothed value noise
        mix = sum(cv2.resize(rng.random((max(2, int(h / s)), max(2, int(w / s)))).astype(np.float32), (w, h),
                             interpolation=cv2.INTER_LINEAR) * k for s, k in ((look.scale * 2, 0.7), (look.scale / 2, 0.3)))
        img = a + (b - a) * mix[..., None]
    elif look.scene == "tiles":
        s = max(6, int(look.scale))
        lines = ((xx % s) < 1.5) | ((yy % s) < 1.5)
        img = np.where(lines[..., None], b, a)
    elif look.scene == "vignette":
        r = np.hypot(xx / w - 0.5, yy / h - 0.5) / 0.7
        img = a * (1 - 0.6 * r[..., None]) + b * 0.2
    else:  # clutter: static rectangles and discs, some the size of the object
        img = np.empty((h, w, 3), np.float32)
        img[:] = a
        for _ in range(int(rng.integers(6, 14))):
            color = tuple(float(v) for v in _color(rng))
            x0, y0 = int(rng.uniform(0, w)), int(rng.uniform(0, h))
            s = int(rng.uniform(0.04, 0.2) * height)
            if rng.random() < 0.5:
                cv2.rectangle(img, (x0, y0), (x0 + s, y0 + int(s * rng.uniform(0.5, 2))), color, -1)
            else:
                cv2.circle(img, (x0, y0), max(2, s // 2), color, -1, cv2.LINE_AA)
    background = img.clip(0, 255)
    mean = background.reshape(-1, 3).mean(0)
    while True:  # the object must stand out of its scene
        color = _color(rng)
        if np.abs(color - mean).sum() > 200:
            return background, color


def draw_object(img: np.ndarray, kind: str, x: float, y: float, r: float, angle: float, color: np.ndarray) -> None:
    """Draw one object of radius `r` pixels at (x, y), turned by `angle` degrees, in place."""
    col = tuple(float(v) for v in color)
    dark = tuple(float(v) * 0.35 for v in color)
    centre = (int(round(x * 16)), int(round(y * 16)))
    radius = max(16, int(r * 16))
    if kind in ("ball", "face", "sprite"):
        cv2.circle(img, centre, radius, col, -1, cv2.LINE_AA, 4)
    if kind == "ball":  # highlight: a shaded sphere
        cv2.circle(img, (centre[0] - radius // 3, centre[1] - radius // 3), radius // 3,
                   tuple(min(255.0, v + 90) for v in col), -1, cv2.LINE_AA, 4)
    elif kind == "ring":
        cv2.circle(img, centre, radius, col, max(2, int(r * 0.35)), cv2.LINE_AA, 4)
    elif kind in ("plus", "face", "sprite"):
        rad = math.radians(angle)
        cos, sin = math.cos(rad), math.sin(rad)
        if kind == "plus":
            for dx, dy in ((cos, sin), (-sin, cos)):
                p0 = (int((x - dx * r) * 16), int((y - dy * r) * 16))
                p1 = (int((x + dx * r) * 16), int((y + dy * r) * 16))
                cv2.line(img, p0, p1, col, max(2, int(r * 0.45)), cv2.LINE_AA, 4)
        elif kind == "face":  # two eyes: the object's own rotation is visible
            for lx, ly in ((-0.4 * r, -0.3 * r), (0.4 * r, -0.3 * r)):
                ex, ey = x + lx * cos - ly * sin, y + lx * sin + ly * cos
                cv2.circle(img, (int(ex * 16), int(ey * 16)), max(8, int(r * 0.2 * 16)), dark, -1, cv2.LINE_AA, 4)
        else:  # sprite: a disc with a stripe through it
            p0 = (int((x - cos * r) * 16), int((y - sin * r) * 16))
            p1 = (int((x + cos * r) * 16), int((y + sin * r) * 16))
            cv2.line(img, p0, p1, dark, max(2, int(r * 0.3)), cv2.LINE_AA, 4)


def render_path_clip(action: str, look: Look, rng: np.random.Generator, width: int, height: int, fps: float,
                     n_frames: int) -> list[np.ndarray]:
    """Render `n_frames` RGB frames (H, W, 3) uint8 of one object following `action`'s path."""
    m = random_path(rng, action)
    scene, color = render_scene(look, width, height, rng)
    return render_path(action, look.obj, m, scene, color, width, height, fps, n_frames, rng)


def render_path(action: str, obj: str, m: PathMotion, scene: np.ndarray, color: np.ndarray, width: int, height: int,
                fps: float, n_frames: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Render the frames of object `obj` on `scene` (from `render_scene`) following path `m`."""
    mid_time = (n_frames - 1) / fps / 2
    aspect = width / height
    margin = ((scene.shape[1] - width) / 2, (scene.shape[0] - height) / 2)
    frames = []
    for i in range(n_frames):
        acc = np.zeros((height, width, 3), np.float32)
        for k in range(m.blur):  # sub-frames spread over half the frame interval
            t = (i + 0.5 * k / m.blur) / fps
            ox = int(round(margin[0] + m.pan[0] * width * (t - mid_time)))
            oy = int(round(margin[1] + m.pan[1] * height * (t - mid_time)))
            img = scene[oy : oy + height, ox : ox + width].copy()
            x, y = path_at(action, m, t, mid_time, aspect)
            draw_object(img, obj, x * width, y * height, m.size * height, m.phase * 57.3 + m.spin * t, color)
            acc += img
        frame = acc / m.blur + rng.normal(0, m.noise, acc.shape).astype(np.float32)
        frames.append(frame.clip(0, 255).astype(np.uint8))
    return frames


def random_spec(rng: np.random.Generator, seconds: tuple[float, float]) -> tuple[int, int, float, int]:
    """Draw width, height, fps (12-30) and frame count of a clip."""
    width, height = RESOLUTIONS[int(rng.integers(len(RESOLUTIONS)))]
    fps = float(rng.choice([12, 15, 24, 25, 30]))
    return width, height, fps, int(round(rng.uniform(*seconds) * fps))

"""Procedurally rendered action clips: the project's test, training and demo data.

Several classes cannot be told apart from one frame: every motion path is centred on a
uniformly drawn midpoint (position, scale, angle), so the frames of MoveLeft and MoveRight,
Grow and Shrink, the two rotations, or Wave and Jump share one distribution; only the order of
frames carries the label. Appearance is drawn per group (UCF101's gXX: one "actor and scene"),
motion and nuisances (jitter, lighting, occlusion, noise, length, fps, size) per clip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

ACTIONS = (
    "MoveLeft",
    "MoveRight",
    "RotateClockwise",
    "RotateCounterClockwise",
    "Grow",
    "Shrink",
    "Wave",
    "Jump",
    "NoAction",
)
FIGURE_ACTIONS = ("Wave", "Jump")
RESOLUTIONS = ((160, 120), (192, 144), (224, 168), (256, 144), (240, 180), (320, 240), (320, 180))
SHAPES = ("triangle", "arrow", "ell", "star", "notched")
BACKGROUNDS = ("gradient", "blobs", "stripes", "checker")
MARGIN = 12  # background border that camera jitter can reveal
SUBPIXEL = 4  # cv2 drawing shift: coordinates in 1/16 px, so slow motion stays smooth


@dataclass(frozen=True)
class Appearance:
    """What one group (actor + scene) looks like."""

    background: str
    bg_colors: tuple[tuple[int, int, int], tuple[int, int, int]]
    bg_scale: float
    shape: str
    color: tuple[int, int, int]
    accent: tuple[int, int, int]


@dataclass(frozen=True)
class Motion:
    """Per-clip geometry and nuisances; coordinates are fractions of the frame."""

    center: tuple[float, float]
    size: float  # object radius as a fraction of frame height
    speed: float  # frame widths/s, deg/s, log-scale/s, Hz: depends on the action
    amplitude: float
    phase: float
    angle: float
    arms: tuple[float, float]
    jitter: float
    gain: tuple[float, float]
    noise: float
    occluder: tuple[float, float, float, float] | None


def _color(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _contrasting(rng: np.random.Generator, against: tuple[int, int, int]) -> tuple[int, int, int]:
    while True:
        c = _color(rng)
        if sum(abs(a - b) for a, b in zip(c, against)) > 220:
            return c


def random_appearance(rng: np.random.Generator, figure: bool) -> Appearance:
    """Draw a group's look; `figure` picks a stick figure instead of a polygon."""
    # Texture contrast is moderate (the second colour near the first): at 64-112 px a full-range
    # checker or stripe pattern aliases into flicker as strong as the actor's own edges.
    base = _color(rng)
    second = tuple(int(np.clip(c + d, 0, 255)) for c, d in zip(base, rng.integers(-70, 71, 3)))
    bg = (base, second)
    mean_bg = tuple((a + b) // 2 for a, b in zip(*bg))
    color = _contrasting(rng, mean_bg)  # type: ignore[arg-type]
    return Appearance(
        background=str(rng.choice(BACKGROUNDS)),
        bg_colors=bg,
        bg_scale=float(rng.uniform(6, 30)),
        shape="figure" if figure else str(rng.choice(SHAPES)),
        color=color,
        accent=_contrasting(rng, color),
    )


def recolor(app: Appearance, rng: np.random.Generator) -> Appearance:
    """Same actor and kind of scene (shape, background type and scale), new colours.

    Used per clip so that a class's few training groups cannot be memorised by colour: only
    the motion carries over from training groups to unseen test groups.
    """
    fresh = random_appearance(rng, figure=app.shape == "figure")
    return Appearance(app.background, fresh.bg_colors, app.bg_scale, app.shape, fresh.color, fresh.accent)


def random_motion(rng: np.random.Generator, action: str) -> Motion:
    """Draw one clip's motion parameters for `action`."""
    speed = {
        "MoveLeft": rng.uniform(0.08, 0.2),
        "MoveRight": rng.uniform(0.08, 0.2),
        "RotateClockwise": rng.uniform(60, 160),
        "RotateCounterClockwise": rng.uniform(60, 160),
        "Grow": rng.uniform(0.2, 0.4),
        "Shrink": rng.uniform(0.2, 0.4),
        "Wave": rng.uniform(1.0, 2.2),
        "Jump": rng.uniform(0.8, 1.5),
        "NoAction": 0.0,
    }[action]
    occluder = None
    if rng.random() < 0.4:  # a bar covering part of the scene
        x, y = rng.uniform(0, 0.8), rng.uniform(0, 0.8)
        occluder = (x, y, x + rng.uniform(0.08, 0.2), y + rng.uniform(0.2, 0.6))
    return Motion(
        center=(float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.35, 0.65))),
        size=float(rng.uniform(0.14, 0.24)),
        speed=float(speed),
        amplitude=float(rng.uniform(35, 65) if action == "Wave" else rng.uniform(0.08, 0.18)),
        phase=float(rng.uniform(0, 2 * math.pi)),
        angle=float(rng.uniform(0, 360)),
        arms=(float(rng.uniform(-60, 60)), float(rng.uniform(-60, 60))),
        jitter=float(rng.uniform(0, 1.5)),
        gain=(float(rng.uniform(0.75, 1.25)), float(rng.uniform(0.75, 1.25))),
        noise=float(rng.uniform(0, 6)),
        occluder=occluder,
    )


def render_background(app: Appearance, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """Background (H + 2*MARGIN, W + 2*MARGIN, 3) uint8."""
    h, w = height + 2 * MARGIN, width + 2 * MARGIN
    c0, c1 = (np.array(c, np.float32) for c in app.bg_colors)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if app.background == "gradient":
        theta = rng.uniform(0, 2 * math.pi)
        proj = xx * math.cos(theta) + yy * math.sin(theta)
        mix = (proj - proj.min()) / max(1e-6, float(np.ptp(proj)))
    elif app.background == "blobs":
        small = rng.random((max(2, int(h / app.bg_scale)), max(2, int(w / app.bg_scale)))).astype(np.float32)
        mix = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)
    elif app.background == "stripes":
        theta = rng.uniform(0, math.pi)
        mix = 0.5 + 0.5 * np.sin((xx * math.cos(theta) + yy * math.sin(theta)) * 2 * math.pi / (2 * app.bg_scale))
    else:
        s = max(4, int(app.bg_scale))
        mix = (((xx // s) + (yy // s)) % 2) * 0.8 + 0.1
    img = c0 + (c1 - c0) * mix[..., None]
    return img.clip(0, 255).astype(np.uint8)


def _polygon(shape: str) -> np.ndarray:
    """Unit polygon (K, 2), deliberately asymmetric so rotation is visible."""
    if shape == "triangle":
        pts = [(0, -1), (0.55, 0.8), (-0.55, 0.8)]
    elif shape == "arrow":
        pts = [(0, -1), (0.7, -0.2), (0.25, -0.2), (0.25, 1), (-0.25, 1), (-0.25, -0.2), (-0.7, -0.2)]
    elif shape == "ell":
        pts = [(-0.8, -1), (-0.2, -1), (-0.2, 0.4), (0.8, 0.4), (0.8, 1), (-0.8, 1)]
    elif shape == "star":
        pts = [
            (r * math.sin(k * math.pi / 5), -r * math.cos(k * math.pi / 5))
            for k, r in zip(range(10), [1, 0.45] * 5)
        ]
    else:  # notched square
        pts = [(-0.8, -0.8), (0.1, -0.8), (0.1, -0.2), (0.8, -0.2), (0.8, 0.8), (-0.8, 0.8)]
    return np.array(pts, np.float32)


def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * (1 << SUBPIXEL)).astype(np.int32)


def _draw_polygon(img: np.ndarray, app: Appearance, cx: float, cy: float, r: float, angle: float) -> None:
    rad = math.radians(angle)
    rot = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], np.float32)
    pts = _polygon(app.shape) @ rot.T * r + (cx, cy)
    cv2.fillPoly(img, [_fixed(pts)], app.color, cv2.LINE_AA, SUBPIXEL)
    dot = np.array([0.0, -0.55], np.float32) @ rot.T * r + (cx, cy)  # marks the "top"
    cv2.circle(img, tuple(_fixed(dot)), int(0.18 * r * (1 << SUBPIXEL)), app.accent, -1, cv2.LINE_AA, SUBPIXEL)


def _draw_figure(
    img: np.ndarray, app: Appearance, cx: float, cy: float, r: float, arms: tuple[float, float]
) -> None:
    thick = max(2, int(r * 0.14))
    head, neck, hip = (cx, cy - 0.75 * r), (cx, cy - 0.5 * r), (cx, cy + 0.25 * r)

    def line(a: tuple[float, float], b: tuple[float, float]) -> None:
        cv2.line(img, tuple(_fixed(np.array(a))), tuple(_fixed(np.array(b))), app.color, thick, cv2.LINE_AA, SUBPIXEL)

    line(neck, hip)
    for side in (-1, 1):
        line(hip, (cx + side * 0.35 * r, cy + r))  # legs
    for side, arm in zip((-1, 1), arms):  # arm angle 0 = horizontal, positive = raised
        rad = math.radians(arm)
        line(neck, (cx + side * 0.6 * r * math.cos(rad), neck[1] - 0.6 * r * math.sin(rad)))
    cv2.circle(img, tuple(_fixed(np.array(head))), int(0.22 * r * (1 << SUBPIXEL)), app.accent, -1, cv2.LINE_AA, SUBPIXEL)


def pose_at(action: str, m: Motion, t: float, mid_time: float) -> tuple[float, float, float, float, tuple[float, float]]:
    """(dx [frame widths], dy [frame heights], angle [deg], scale, arms) at time t."""
    c = t - mid_time  # centred time: paths are symmetric about the clip's middle frame
    dx = dy = 0.0
    angle, scale, arms = m.angle, 1.0, m.arms
    if action == "MoveLeft":
        dx = -m.speed * c
    elif action == "MoveRight":
        dx = m.speed * c
    elif action == "RotateClockwise":
        angle += m.speed * c
    elif action == "RotateCounterClockwise":
        angle -= m.speed * c
    elif action == "Grow":
        scale = math.exp(m.speed * c)
    elif action == "Shrink":
        scale = math.exp(-m.speed * c)
    elif action == "Wave":
        arms = (m.arms[0], 40 + m.amplitude * math.sin(2 * math.pi * m.speed * t + m.phase))
    elif action == "Jump":
        hop = abs(math.sin(math.pi * m.speed * t + m.phase))
        dy = -m.amplitude * (hop - 2 / math.pi)  # zero-mean over a period
    return dx, dy, angle, scale, arms


def render_frames(
    action: str,
    app: Appearance,
    motion: Motion,
    width: int,
    height: int,
    fps: float,
    n_frames: int,
    rng: np.random.Generator,
    background: np.ndarray | None = None,
    camera: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Render `n_frames` RGB frames (H, W, 3) uint8 of `action`.

    `camera` (2,) is the shaking camera's offset, updated in place so a sequence continues it.
    """
    bg = background if background is not None else render_background(app, width, height, rng)
    mid_time = (n_frames - 1) / fps / 2  # paths are centred on the middle frame
    offset = camera if camera is not None else np.zeros(2)
    frames = []
    for i in range(n_frames):
        t = i / fps
        offset[:] = (offset + rng.normal(0, motion.jitter, 2)).clip(-MARGIN + 1, MARGIN - 1)
        ox, oy = (MARGIN + offset).astype(int)
        img = bg[oy : oy + height, ox : ox + width].copy()
        dx, dy, angle, scale, arms = pose_at(action, motion, t, mid_time)
        cx = (motion.center[0] + dx) * width + (offset[0] % 1)
        cy = (motion.center[1] + dy) * height + (offset[1] % 1)
        r = motion.size * height * scale
        if app.shape == "figure":
            _draw_figure(img, app, cx, cy, r, arms)
        else:
            _draw_polygon(img, app, cx, cy, r, angle)
        if motion.occluder is not None:
            x0, y0, x1, y1 = motion.occluder
            cv2.rectangle(img, (int(x0 * width), int(y0 * height)), (int(x1 * width), int(y1 * height)), app.bg_colors[1], -1)
        gain = motion.gain[0] + (motion.gain[1] - motion.gain[0]) * i / max(1, n_frames - 1)
        noisy = img.astype(np.float32) * gain + rng.normal(0, motion.noise, img.shape).astype(np.float32)
        frames.append(noisy.clip(0, 255).astype(np.uint8))
    return frames


@dataclass(frozen=True)
class ClipSpec:
    """Size, rate and length of one clip."""

    width: int
    height: int
    fps: float
    n_frames: int


def random_clip_spec(rng: np.random.Generator, seconds: tuple[float, float] = (2.0, 4.0)) -> ClipSpec:
    """Draw resolution, fps (15-30) and length for a clip."""
    width, height = RESOLUTIONS[int(rng.integers(len(RESOLUTIONS)))]
    fps = float(rng.choice([15, 20, 24, 25, 30]))
    return ClipSpec(width, height, fps, int(round(rng.uniform(*seconds) * fps)))


def render_clip(action: str, app: Appearance, rng: np.random.Generator, spec: ClipSpec) -> list[np.ndarray]:
    """Render one random clip of `action` in appearance `app`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    motion = random_motion(rng, action)
    return render_frames(action, app, motion, spec.width, spec.height, spec.fps, spec.n_frames, rng)


@dataclass(frozen=True)
class Segment:
    """Ground truth of one action inside a sequence video."""

    action: str
    start: float
    end: float


def render_sequence(
    actions: list[str], seconds: float, rng: np.random.Generator, width: int = 320, height: int = 240, fps: float = 25.0
) -> tuple[list[np.ndarray], list[Segment]]:
    """One scene acting out `actions` in order, `seconds` each; frames and ground-truth segments.

    Polygon actions and figure actions cannot share an actor, so each action gets the actor
    its class needs, drawn in the same scene and colours.
    """
    n = int(round(seconds * fps))
    scene = random_appearance(rng, figure=False)
    background = render_background(scene, width, height, rng)
    figure = random_appearance(rng, figure=True)
    figure = Appearance(scene.background, scene.bg_colors, scene.bg_scale, "figure", figure.color, figure.accent)
    frames: list[np.ndarray] = []
    segments = []
    last: tuple[Appearance, Motion, str] | None = None
    camera = np.zeros(2)
    for i, action in enumerate(actions):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        actor = figure if action in FIGURE_ACTIONS else scene
        motion = random_motion(rng, action)
        if last is not None and last[0] is actor:  # same actor: no jump at the cut
            motion = continue_motion(motion, action, last[1], last[2], n, fps)
        if last is not None:  # lighting continues too
            motion = replace(motion, gain=(last[1].gain[1], motion.gain[1]))
        frames += render_frames(action, actor, motion, width, height, fps, n, rng, background, camera)
        segments.append(Segment(action, i * n / fps, (i + 1) * n / fps))
        last = (actor, motion, action)
    return frames, segments


def continue_motion(motion: Motion, action: str, previous: Motion, previous_action: str, n: int, fps: float) -> Motion:
    """`motion` moved so that its first pose is where `previous` ended (position, size, angle).

    Without this, the object would teleport between two actions of a sequence, and a window
    across the cut would show a sudden move no class describes. Centre and size are clipped to
    the ranges `random_motion` draws from, so a long run of one direction stays in the frame.
    """
    mid = (n - 1) / fps / 2
    pdx, pdy, pangle, pscale, _ = pose_at(previous_action, previous, (n - 1) / fps, mid)
    dx, dy, angle, scale, _ = pose_at(action, motion, 0.0, mid)
    x = float(np.clip(previous.center[0] + pdx - dx, 0.3, 0.7))
    y = float(np.clip(previous.center[1] + pdy - dy, 0.35, 0.65))
    size = float(np.clip(previous.size * pscale / scale, 0.12, 0.26))
    return replace(
        motion, center=(x, y), size=size, angle=pangle - (angle - motion.angle), arms=previous.arms, noise=previous.noise
    )

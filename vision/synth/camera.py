"""Random pinhole cameras that frame the animated body, and projection to BlazePose pixels.

The camera's yaw is measured from the person's initial facing (0 = in front, seeing the face;
90 = at the person's left side; 180 = behind), elevation > 0 looks down; it is uniform over the
circle, except for a share of clips filmed from in front (`facing_rate`, 0 unless asked: a
webcam's user faces it). Its distance is solved so that the whole motion (walking paths
included) fills a chosen share of the frame; some clips zoom in on the upper body or push the
person against an edge, so parts leave the frame, as they do in real footage.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.topology import HIPS

# (width, height) and how often each occurs: webcams, phones held both ways, HD video.
FRAME_SIZES = ((1280, 720), (640, 480), (1920, 1080), (960, 540), (720, 1280), (480, 640), (1080, 1920))
FRAME_WEIGHTS = (0.25, 0.2, 0.1, 0.1, 0.15, 0.1, 0.1)
MIN_DEPTH = 0.6  # m: no landmark closer to the lens than this
UPPER_BODY = np.r_[0:15, 23, 24]  # face, shoulders, elbows, hips: what an upper-body view frames


@dataclass(frozen=True)
class CameraRange:
    """The camera habits of one group (one body): where its clips' cameras are drawn from."""

    elevation: tuple[float, float]  # degrees
    fov: tuple[float, float]  # horizontal field of view on the frame's long side, degrees


@dataclass(frozen=True)
class View:
    """One clip's camera choices before the distance is solved."""

    yaw: float  # degrees from the person's initial facing
    elevation: float
    roll: float
    fov: float
    size: tuple[int, int]  # (width, height)
    fill: float  # share of the frame the motion's extent fills (> 1 crops the body)
    offset: tuple[float, float]  # principal point shift, fractions of (width, height)
    upper_body: bool  # frame the upper body (legs may leave the frame)


@dataclass(frozen=True)
class Camera:
    """A pinhole camera: `rotation` rows are its right, down and viewing axes in world."""

    rotation: np.ndarray  # (3, 3)
    position: np.ndarray  # (3,)
    focal: float  # pixels
    center: tuple[float, float]  # principal point, pixels
    size: tuple[int, int]

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world -> (..., 3) camera coordinates (x right, y down, z depth)."""
        return (points - self.position) @ self.rotation.T

    def pixels(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world -> (..., 2) pixel coordinates."""
        c = self.to_camera(points)
        depth = np.maximum(c[..., 2:], 1e-6)
        return self.focal * c[..., :2] / depth + self.center

    def project(self, points: np.ndarray) -> np.ndarray:
        """(T, 33, 3) world landmarks -> (T, 33, 3) BlazePose-style [x_px, y_px, z_px].

        z is the depth relative to the hip midpoint, scaled like x at the hips' depth (so,
        like MediaPipe's, it is small, signed, and smaller means nearer the camera).
        """
        depth = self.to_camera(points)[..., 2]
        hip_depth = depth[:, HIPS].mean(1, keepdims=True)  # (T, 1)
        z = (depth - hip_depth) * self.focal / hip_depth
        return np.concatenate([self.pixels(points), z[..., None]], -1)


def random_camera_range(rng: np.random.Generator) -> CameraRange:
    """A group's habits: mostly eye-level to raised cameras, with its own lens."""
    el = float(rng.uniform(-5, 28))
    fov = float(rng.uniform(50, 75))
    return CameraRange((max(-10.0, el - 7), min(35.0, el + 7)), (fov - 5, fov + 5))


FACING_YAW = 30.0  # degrees either side of the face: "facing the camera"


def random_view(rng: np.random.Generator, habits: CameraRange, partial_rate: float = 0.15,
                facing_rate: float = 0.0) -> View:
    """A clip's view: yaw uniform over the full circle, the rest from the group's range.

    `partial_rate` of the clips crop the body: framed on the upper body (as a webcam at a desk
    sees it) or zoomed in with the person off-centre. `facing_rate` of them put the camera within
    `FACING_YAW` of the person's face, as people in front of a webcam mostly stand (every class
    alike, so the view says nothing about the class).
    """
    facing = facing_rate > 0 and bool(rng.random() < facing_rate)  # no draw when off: old seeds give old views
    size = FRAME_SIZES[rng.choice(len(FRAME_SIZES), p=FRAME_WEIGHTS)]
    partial = bool(rng.random() < partial_rate)
    upper = partial and bool(rng.random() < 0.6)
    if upper:
        fill, slack = float(rng.uniform(0.7, 1.05)), 0.1
    elif partial:
        fill, slack = float(rng.uniform(1.1, 1.6)), 0.25
    else:
        fill = float(rng.uniform(0.45, 0.9))
        slack = (1 - fill) / 2 * 0.8  # off-centre, but the whole motion stays inside
    return View(
        yaw=float(rng.uniform(-FACING_YAW, FACING_YAW)) % 360 if facing else float(rng.uniform(0, 360)),
        elevation=float(rng.uniform(*habits.elevation)),
        roll=float(rng.normal(0, 1.5)),
        fov=float(rng.uniform(*habits.fov)),
        size=(int(size[0]), int(size[1])),
        fill=fill,
        offset=(float(rng.uniform(-slack, slack)), float(rng.uniform(-slack, slack))),
        upper_body=upper,
    )


def _look_at(position: np.ndarray, target: np.ndarray, roll_deg: float) -> np.ndarray:
    forward = target - position
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    r = np.deg2rad(roll_deg)
    right, down = np.cos(r) * right + np.sin(r) * down, -np.sin(r) * right + np.cos(r) * down
    return np.stack([right, down, forward])


def frame_camera(points: np.ndarray, facing_deg: float, view: View) -> tuple[Camera, float]:
    """Place a camera for `view` so the motion in `points` (T, 33, 3) fills `view.fill` of the frame.

    Returns the camera and its distance to the framed point (metres).
    """
    w, h = view.size
    focal = max(w, h) / 2 / np.tan(np.deg2rad(view.fov) / 2)
    center = (w / 2 * (1 + 2 * view.offset[0]), h / 2 * (1 + 2 * view.offset[1]))
    a, el = np.deg2rad(facing_deg + view.yaw), np.deg2rad(view.elevation)
    direction = np.array([np.sin(a) * np.cos(el), np.sin(el), np.cos(a) * np.cos(el)])
    framed = points[:, UPPER_BODY] if view.upper_body else points
    # Aim at the centre of the motion's bounding box in the person's own axes, so the picture
    # depends on the view relative to the person, not on where the person faces in the world.
    f = np.deg2rad(facing_deg)
    to_world = np.array([[np.cos(f), 0, np.sin(f)], [0, 1, 0], [-np.sin(f), 0, np.cos(f)]])
    local = framed.reshape(-1, 3) @ to_world  # (N, 3) in the person's axes
    target = to_world @ ((local.min(0) + local.max(0)) / 2)
    # Nearest allowed distance: every point at least MIN_DEPTH in front of the lens.
    reach = float(((points.reshape(-1, 3) - target) @ direction).max())
    dist = max(reach + MIN_DEPTH, 2.0)
    for _ in range(4):  # perspective is not linear in distance: a few fixed-point steps
        cam = Camera(_look_at(target + dist * direction, target, view.roll), target + dist * direction, focal, (w / 2, h / 2), view.size)
        uv = cam.pixels(framed)
        half = np.abs(uv - (w / 2, h / 2)).max(axis=(0, 1))  # (2,) half extents, px
        scale = max(2 * half[0] / (view.fill * w), 2 * half[1] / (view.fill * h))
        dist = max(dist * scale, reach + MIN_DEPTH)
    position = target + dist * direction
    return Camera(_look_at(position, target, view.roll), position, focal, center, view.size), dist

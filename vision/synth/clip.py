"""One synthetic clip: action -> joint angles -> 3D body -> camera -> tracker noise -> landmarks."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from vision.data.landmarks import LandmarkSequence
from vision.synth.actions import CLASSES, get_action
from vision.synth.camera import Camera, CameraRange, View, frame_camera, random_view
from vision.synth.geometry import smooth_noise
from vision.synth.kinematics import World, forward_kinematics
from vision.synth.motion import MotionContext, random_window
from vision.synth.noise import (
    Geometry,
    TrackerNoise,
    apply_noise,
    far_side,
    side_geometry,
)
from vision.synth.skeleton import CHANNELS, SIDES, BodyShape, Pose
from vision.synth.topology import HIPS

FPS_CHOICES = (15.0, 20.0, 24.0, 25.0, 29.97, 30.0)
# Personal posture: a constant offset per channel (degrees), so bodies do not share one stance.
_POSTURE = {"spine_flex": 5, "neck_flex": 8, "neck_yaw": 8, "neck_side": 4, "pitch": 3,
            "sh_el": 4, "sh_az": 8, "elbow": 6, "hip_abd": 2, "knee": 3}  # fmt: skip
_STILL = ("tx", "tz", "lift", "yaw")  # channels the posture tremor leaves alone
# What a planted pose's footwork solved: personal offsets and tremor leave these alone.
_PLANTED = {"pitch", "roll"} | {f"{s}_{c}" for s in SIDES for c in ("hip_flex", "hip_abd", "hip_rot", "knee", "ankle")}


@dataclass(frozen=True)
class ClipOptions:
    """Per-clip ranges of the synthesiser."""

    seconds: tuple[float, float] = (1.5, 4.0)
    fps: tuple[float, ...] = FPS_CHOICES
    speed: tuple[float, float] = (0.75, 1.3)
    amplitude: tuple[float, float] = (0.75, 1.15)
    partial_rate: float = 0.15  # share of clips framed so that parts of the body leave the frame
    facing_rate: float = 0.0  # share of clips whose camera is in front of the face, as at a webcam (else any yaw)
    busy_hands: float = 0.0  # share of walk clips whose hands are in pockets, on a phone, a cup, folded arms
    wide_arms: float = 0.0  # share of walk clips whose arms are carried away from the body (abducted)
    held_poses: float = 0.0  # share of no_action clips that hold one moment of another action (static negatives)
    noise: TrackerNoise = field(default_factory=TrackerNoise)


@dataclass(frozen=True)
class Animation:
    """An action acted out in 3D, before any camera."""

    pose: Pose
    world: World
    context: MotionContext


def animate(action: str, body: BodyShape, rng: np.random.Generator, n_frames: int, fps: float,
            options: ClipOptions = ClipOptions()) -> Animation:
    """Act out `action` with `body` for `n_frames` at `fps` (all choices drawn from `rng`).

    With `options.held_poses`, that share of `no_action` clips acts out another class and holds
    one moment of it (see `_hold`).
    """
    source = _held_source(rng) if action == "no_action" and options.held_poses and rng.random() < options.held_poses else None
    spec = get_action(source or action)
    t = np.arange(n_frames) / fps
    start, end, ramp_in, ramp_out = random_window(rng, float(t[-1]) + 1 / fps)
    ctx = MotionContext(
        t=t, rng=rng, body=body, speed=float(rng.uniform(*options.speed)), amplitude=float(rng.uniform(*options.amplitude)),
        hand=SIDES[int(rng.integers(2))], start=start, end=end, ramp_in=ramp_in, ramp_out=ramp_out,
        busy_hands=options.busy_hands, wide_arms=options.wide_arms,
    )
    pose = spec.make(ctx)
    if not spec.own_timing:
        pose.blend_from_neutral(ctx.envelope())
    if source:
        _hold(pose, ctx, source)
    _personal_style(pose, t, rng)
    for s in SIDES:  # feet flat on the ground unless the action tilts them (its ankle channel)
        pose[f"{s}_ankle"] += pose[f"{s}_knee"] - pose[f"{s}_hip_flex"] + pose["pitch"]
    return Animation(pose, forward_kinematics(body, pose, fps), ctx)


def _held_source(rng: np.random.Generator) -> str:
    """The class a held pose is taken from: walk half the time (its stride is the posture a model
    most readily mistakes for the motion), else any other class."""
    others = [c for c in CLASSES if c not in ("walk", "no_action")]
    return "walk" if rng.random() < 0.5 else others[int(rng.integers(len(others)))]


def _hold(pose: Pose, ctx: MotionContext, source: str) -> None:
    """Freeze `pose` at one frame of its active window (mid-stride, arms up...) for the whole clip.

    A held posture is `no_action`: these static negatives make a model tell an action by its
    motion, not by a posture it passes through. The personal tremor and the tracker noise added
    later keep the body alive; the place (tx, tz) and heading are held too.
    """
    on = np.flatnonzero(ctx.envelope() > 0.9)
    k = int(ctx.rng.choice(on)) if len(on) else int(ctx.rng.integers(ctx.n))
    pose.values = np.repeat(pose.values[:, k : k + 1], ctx.n, axis=1)
    pose["lift"] = 0.0  # a jump's moment is held on the ground
    pose.momentum = False
    pose.info = {"variant": "held", "held_from": source, "held_variant": str(pose.info.get("variant", ""))}
    pose.tremor = 0.35  # about half a degree: a person holding still


def _personal_style(pose: Pose, t: np.ndarray, rng: np.random.Generator) -> None:
    """Constant posture offsets plus a slow tremor of about a degree on every joint.

    A pose whose legs were solved from planned footsteps (`pose.planted`) keeps its legs and
    pelvis tilt: an offset there would lift or slide a planted foot (its own stance and sway
    are part of the plan). The same holds for the arm channels of a hand the generator put on a
    point (`pose.held`: on a table, in a pocket). The same random numbers are drawn either way.
    """
    keep = (_PLANTED if pose.planted else set()) | pose.held
    for name, spread in _POSTURE.items():
        for channel in ([name] if name in CHANNELS else [f"{s}_{name}" for s in SIDES]):
            offset = rng.uniform(-spread, spread)
            if channel not in keep:
                pose[channel] += offset
    moving = [i for i, c in enumerate(CHANNELS) if c not in _STILL]
    tremor = rng.uniform(0.3, 1.5) * pose.tremor * smooth_noise(rng, t, 0.5, n=len(moving))
    if keep:
        tremor[[k for k, i in enumerate(moving) if CHANNELS[i] in keep]] = 0.0
    pose.values[moving] += tremor


def synthesize_clip(action: str, body: BodyShape, habits: CameraRange, rng: np.random.Generator,
                    options: ClipOptions = ClipOptions(), meta: dict | None = None) -> LandmarkSequence:
    """A landmark sequence of `action` by `body`, seen by a camera drawn from `habits`."""
    fps = float(rng.choice(options.fps))
    n_frames = max(2, round(rng.uniform(*options.seconds) * fps))
    anim = animate(action, body, rng, n_frames, fps, options)
    view = random_view(rng, habits, options.partial_rate, options.facing_rate)
    camera, distance = frame_camera(anim.world.points, float(anim.pose["yaw"][0]), view)
    exact = camera.project(anim.world.points)
    geo = clip_geometry(anim.world, camera, body)
    landmarks = apply_noise(exact, geo, view.size, fps, options.noise, rng)
    info = _describe(action, anim, view, camera, distance, body, landmarks, fps)
    info["noise"] = asdict(options.noise)
    info.update(meta or {})
    return LandmarkSequence(landmarks, fps, view.size, info)


def clip_geometry(world: World, camera: Camera, body: BodyShape) -> Geometry:
    """Per-frame person size in pixels and how the body turns towards the camera."""
    hips = world.points[:, HIPS].mean(1)  # (T, 3)
    to_camera = camera.position - hips
    to_camera /= np.linalg.norm(to_camera, axis=1, keepdims=True)
    depth = camera.to_camera(hips)[:, 2]
    sideness, backness = side_geometry(world.pelvis_left, world.head_forward, to_camera)
    far = far_side(world.chest_left, world.pelvis_left, to_camera)
    return Geometry(body.height * camera.focal / depth, sideness, backness, far)


def _describe(action: str, anim: Animation, view: View, camera: Camera, distance: float, body: BodyShape,
              landmarks: np.ndarray, fps: float) -> dict:
    """The clip's meta: everything a per-view or per-variant breakdown may group by."""
    hips = anim.world.points[:, HIPS].mean(1)
    travel = hips[-1] - hips[0]
    travel[1] = 0.0
    heading = camera.rotation @ travel  # in camera axes: x across the view, z away from it
    moved = float(np.linalg.norm(travel))
    direction = "none" if moved < 0.3 else "crossing" if abs(heading[0]) > abs(heading[2]) else "away" if heading[2] > 0 else "towards"
    ctx = anim.context
    return {
        "class": action,
        "variant": anim.pose.info,
        "fps": fps,
        "frames": len(landmarks),
        "present_frames": int((~np.isnan(landmarks[:, 0, 0])).sum()),
        "duration_s": round(len(landmarks) / fps, 3),
        "yaw_deg": round(view.yaw, 2),
        "elevation_deg": round(view.elevation, 2),
        "roll_deg": round(view.roll, 2),
        "fov_deg": round(view.fov, 2),
        "focal_px": round(camera.focal, 1),
        "distance_m": round(distance, 3),
        "size": list(view.size),
        "orientation": "portrait" if view.size[1] > view.size[0] else "landscape",
        "framing": "upper_body" if view.upper_body else "cropped" if view.fill > 1 else "full",
        "hand": ctx.hand,
        "speed": round(ctx.speed, 3),
        "amplitude": round(ctx.amplitude, 3),
        "ramp_in_s": round(ctx.ramp_in, 3),
        "ramp_out_s": round(ctx.ramp_out, 3),
        "travel_m": round(moved, 3),
        "travel_direction": direction,
        "body": {k: round(v, 4) for k, v in asdict(body).items()},
    }
